// CPython 3.13's handler signatures and the names vars(logging) gives fileConfig's eval
// (ini_handler_classes.hpp).
#include "config/ini_handler_classes.hpp"

#include <cctype>
#include <map>

namespace dictlog::config::detail {

namespace {

// The JSON Schema's $defs/handlerClasses lists the same properties in the same order, and
// tests/config/check_schema.py holds that list against CPython's signatures.
const std::map<std::string, std::vector<std::string>>& parameters() {
  static const std::map<std::string, std::vector<std::string>> p{
      {"logging.StreamHandler", {"stream"}},
      {"logging.NullHandler", {"level"}},
      {"logging.FileHandler", {"filename", "mode", "encoding", "delay", "errors"}},
      {"logging.handlers.WatchedFileHandler", {"filename", "mode", "encoding", "delay", "errors"}},
      {"logging.handlers.RotatingFileHandler",
       {"filename", "mode", "maxBytes", "backupCount", "encoding", "delay", "errors"}},
      {"logging.handlers.TimedRotatingFileHandler",
       {"filename", "when", "interval", "backupCount", "encoding", "delay", "utc", "atTime",
        "errors"}},
      {"logging.handlers.BufferingHandler", {"capacity"}},
      {"logging.handlers.MemoryHandler", {"capacity", "flushLevel", "target", "flushOnClose"}},
      {"logging.handlers.SocketHandler", {"host", "port"}},
      {"logging.handlers.DatagramHandler", {"host", "port"}},
      {"logging.handlers.SysLogHandler", {"address", "facility", "socktype"}},
      {"logging.handlers.SMTPHandler",
       {"mailhost", "fromaddr", "toaddrs", "subject", "credentials", "secure", "timeout"}},
      {"logging.handlers.HTTPHandler",
       {"host", "url", "method", "secure", "credentials", "context"}},
  };
  return p;
}

bool dotted_name(const std::string& c) {
  bool start = true;
  for (char ch : c) {
    const bool alpha = std::isalpha(static_cast<unsigned char>(ch)) || ch == '_';
    if (start ? !alpha : !(alpha || std::isdigit(static_cast<unsigned char>(ch)) || ch == '.'))
      return false;
    start = ch == '.';
  }
  return !c.empty() && !start;
}

}  // namespace

const std::vector<std::string>* handler_parameters(const std::string& registered_name) {
  const auto it = parameters().find(registered_name);
  return it == parameters().end() ? nullptr : &it->second;
}

std::optional<std::string> registered_class_name(const std::string& written) {
  if (!dotted_name(written)) return std::nullopt;
  if (parameters().count("logging." + written)) return "logging." + written;
  if (written.rfind("handlers.", 0) == 0) return "logging." + written;
  return written;
}

}  // namespace dictlog::config::detail
