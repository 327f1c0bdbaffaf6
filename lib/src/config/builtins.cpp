// The built-in names: Python's classes (one factory each, reading the constructor's
// parameters by Python's names), sys.stdout/stderr and the constants a file may name with
// ext://. The network handlers' are in network_handlers.cpp.
#include <sys/stat.h>

#include <cctype>
#include <climits>
#include <type_traits>

#include "config/builder.hpp"
#include "dictlog/file_handler.hpp"
#include "dictlog/memory_handler.hpp"
#include "dictlog/multiprocessing_queue.hpp"
#include "dictlog/null_handler.hpp"
#include "dictlog/rotating_file_handler.hpp"
#include "dictlog/stream_handler.hpp"
#include "dictlog/timed_rotating_file_handler.hpp"
#include "dictlog/watched_file_handler.hpp"

namespace dictlog::config::detail {

namespace {

// Without `delay`, CPython opens the file at construction: a missing directory rejects
// the configuration. A dry run checks that much without creating anything.
void check_directory(Args& a, const std::string& filename, bool delay) {
  if (delay) return;
  std::string dir = dictlog::detail::abspath(filename);
  dir = dir.substr(0, dir.rfind('/'));
  if (dir.empty()) dir = "/";
  struct stat st {};
  if (::stat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode))
    a.fail("filename", "FileNotFoundError: [Errno 2] No such file or directory: " +
                           py_repr(Json(dictlog::detail::abspath(filename))) +
                           " (its directory does not exist)");
}

std::shared_ptr<Handler> stream_handler(Args& a) {
  auto stream = a.get_stream("stream");
  if (a.dry()) return nullptr;
  return std::make_shared<StreamHandler>(stream);
}

std::shared_ptr<Handler> null_handler(Args& a) {
  if (a.dry()) return nullptr;
  return std::make_shared<NullHandler>();
}

// File handlers: a dry run constructs them delayed (nothing opened) so that every
// argument error the constructor finds (mode, encoding, when) is found by `check` too.

// FileHandler(filename, mode='a', encoding=None, delay=False, errors=None) and the
// subclasses with the same parameters.
template <class H>
std::shared_ptr<Handler> plain_file_handler(Args& a) {
  auto filename = a.required_string("filename");
  auto mode = a.get_string("mode").value_or("a");
  auto encoding = a.get_string("encoding");
  bool delay = a.get_bool("delay", false);
  auto errors = a.get_string("errors");
  if (a.dry()) {
    check_directory(a, filename, delay);
    H(filename, mode, encoding, true, errors);
    return nullptr;
  }
  return std::make_shared<H>(filename, mode, encoding, delay, errors);
}

std::shared_ptr<Handler> rotating_file_handler(Args& a) {
  auto filename = a.required_string("filename");
  auto mode = a.get_string("mode").value_or("a");
  auto max_bytes = a.get_int("maxBytes").value_or(0);
  auto backups = a.get_int("backupCount").value_or(0);
  auto encoding = a.get_string("encoding");
  bool delay = a.get_bool("delay", false);
  auto errors = a.get_string("errors");
  if (backups > INT_MAX || backups < INT_MIN) a.fail("backupCount", "backupCount is out of range");
  const int count = static_cast<int>(backups);
  if (a.dry()) {
    check_directory(a, filename, delay);
    RotatingFileHandler(filename, mode, max_bytes, count, encoding, true, errors);
    return nullptr;
  }
  return std::make_shared<RotatingFileHandler>(filename, mode, max_bytes, count, encoding, delay,
                                               errors);
}

std::shared_ptr<Handler> timed_rotating_file_handler(Args& a) {
  auto filename = a.required_string("filename");
  auto when = a.get_string("when").value_or("h");
  auto interval = a.get_int("interval").value_or(1);
  auto backups = a.get_int("backupCount").value_or(0);
  auto encoding = a.get_string("encoding");
  bool delay = a.get_bool("delay", false);
  bool utc = a.get_bool("utc", false);
  const Json* at = json_arg(a, "atTime");
  auto errors = a.get_string("errors");
  if (backups > INT_MAX || backups < INT_MIN) a.fail("backupCount", "backupCount is out of range");
  const int count = static_cast<int>(backups);
  std::optional<TimedRotatingFileHandler::AtTime> at_time;
  if (a.has("atTime") && !(at && at->is_null())) {
    // Python needs a datetime.time here, which JSON cannot give; CPython fails the same
    // way for MIDNIGHT and weekly rollover, and ignores it otherwise.
    std::string w = when;
    for (auto& c : w) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    if (w == "MIDNIGHT" || w.starts_with('W'))
      a.fail("atTime",
             "AttributeError: atTime must be a datetime.time, which a JSON file "
             "cannot give ('str' object has no attribute 'hour')");
  }
  if (a.dry()) {
    check_directory(a, filename, delay);
    TimedRotatingFileHandler(filename, when, interval, count, encoding, true, utc, at_time, errors);
    return nullptr;
  }
  return std::make_shared<TimedRotatingFileHandler>(filename, when, interval, count, encoding,
                                                    delay, utc, at_time, errors);
}

std::shared_ptr<Handler> buffering_handler(Args& a) {
  auto capacity = a.required_int("capacity");
  if (a.dry()) return nullptr;
  return std::make_shared<BufferingHandler>(static_cast<long>(capacity));
}

std::shared_ptr<Handler> memory_handler(Args& a) {
  auto capacity = a.required_int("capacity");
  auto flush_level = a.get_level("flushLevel").value_or(ERROR);
  auto target = a.get_handler("target");
  bool flush_on_close = a.get_bool("flushOnClose", true);
  if (a.dry()) return nullptr;
  return std::make_shared<MemoryHandler>(static_cast<long>(capacity), flush_level, target,
                                         flush_on_close);
}

std::shared_ptr<QueueHandler> queue_handler(std::shared_ptr<LogQueue> q, Args& a) {
  if (a.dry()) return nullptr;
  return std::make_shared<QueueHandler>(std::move(q));
}

// A format string argument: falsy means "the default", anything else must be a string.
std::optional<std::string> format_text(Args& a, std::string_view key, const char* what) {
  const Json* j = json_arg(a, key);
  if (!j || !truthy(*j)) return std::nullopt;
  if (!j->is_string()) a.fail(key, std::string(what) + " must be a string, not " + py_repr(*j));
  return j->get<std::string>();
}

char format_style(Args& a) {
  if (!a.has("style")) return '%';
  const Json* j = json_arg(a, "style");
  if (!j || !j->is_string() || j->get_ref<const std::string&>().size() != 1 ||
      std::string_view("%{$").find(j->get_ref<const std::string&>()[0]) == std::string_view::npos)
    a.fail("style", "Style must be one of: %,{,$ (not " + (j ? py_repr(*j) : "an object") + ")");
  return j->get_ref<const std::string&>()[0];
}

dictlog::extra format_defaults(Args& a) {
  dictlog::extra defaults;
  const Json* j = json_arg(a, "defaults");
  if (!j || j->is_null()) return defaults;
  if (!j->is_object()) a.fail("defaults", "defaults must be an object, not " + py_repr(*j));
  for (const auto& [k, v] : j->items()) {
    try {
      defaults.emplace_back(k, to_value(v));
    } catch (const ValueError& e) {
      a.fail("defaults", "defaults: '" + k + "': " + e.what());
    }
  }
  return defaults;
}

std::shared_ptr<Formatter> formatter(Args& a) {
  auto fmt = format_text(a, "fmt", "a format");
  auto datefmt = format_text(a, "datefmt", "datefmt");
  char style = format_style(a);
  bool validate = a.get_bool("validate", true);
  dictlog::extra defaults = format_defaults(a);
  try {
    return std::make_shared<Formatter>(fmt, datefmt, style, validate, std::move(defaults));
  } catch (const ValueError& e) {
    a.fail(a.has("fmt") ? "fmt" : "", e.what());
  }
}

std::shared_ptr<const Filter> filter(Args& a) {
  auto name = a.has("name") ? a.required_string("name") : std::string();
  return std::make_shared<Filter>(name);
}

std::shared_ptr<LogQueue> queue(Args& a) {
  auto maxsize = a.get_int("maxsize").value_or(0);
  if (a.dry()) return nullptr;
  return std::make_shared<Queue>(maxsize > 0 ? static_cast<std::size_t>(maxsize) : 0);
}

// multiprocessing.Queue(maxsize=0): Python's 0 (unbounded) is the shared queue's default size.
std::shared_ptr<LogQueue> multiprocessing_queue(Args& a) {
  MultiprocessingQueueOptions o;
  if (auto m = a.get_int("maxsize"); m && *m > 0) o.maxsize = static_cast<std::size_t>(*m);
  if (a.dry()) return nullptr;
  return std::make_shared<MultiprocessingQueue>(o);
}

std::shared_ptr<LogQueue> simple_queue(Args& a) {
  if (a.dry()) return nullptr;
  return std::make_shared<SimpleQueue>();
}

std::shared_ptr<QueueListener> queue_listener(std::shared_ptr<LogQueue> q,
                                              std::vector<std::shared_ptr<Handler>> hs,
                                              bool respect_handler_level) {
  return std::make_shared<QueueListener>(std::move(q), std::move(hs), respect_handler_level);
}

// An entry holding `value` in its member `slot`.
template <class T>
Entry entry(Entry::Kind kind, std::string name, T Entry::*slot, std::type_identity_t<T> value) {
  Entry e{kind, std::move(name)};
  e.*slot = std::move(value);
  return e;
}

}  // namespace

std::vector<Entry> builtin_entries() {
  using K = Entry::Kind;
  const std::pair<const char*, HandlerFactory> handlers[] = {
      {"logging.StreamHandler", stream_handler},
      {"logging.NullHandler", null_handler},
      {"logging.FileHandler", plain_file_handler<FileHandler>},
      {"logging.handlers.WatchedFileHandler", plain_file_handler<WatchedFileHandler>},
      {"logging.handlers.RotatingFileHandler", rotating_file_handler},
      {"logging.handlers.TimedRotatingFileHandler", timed_rotating_file_handler},
      {"logging.handlers.BufferingHandler", buffering_handler},
      {"logging.handlers.MemoryHandler", memory_handler},
  };
  std::vector<Entry> out;
  for (const auto& [name, f] : handlers)
    out.push_back(entry(K::handler, name, &Entry::make_handler, f));
  out.push_back(entry(K::queue_handler, "logging.handlers.QueueHandler", &Entry::make_queue_handler,
                      QueueHandlerFactory(queue_handler)));
  out.push_back(entry(K::formatter, "logging.Formatter", &Entry::make_formatter,
                      FormatterFactory(formatter)));
  out.push_back(entry(K::filter, "logging.Filter", &Entry::make_filter, FilterFactory(filter)));
  out.push_back(entry(K::queue, "queue.Queue", &Entry::make_queue, QueueFactory(queue)));
  out.push_back(
      entry(K::queue, "queue.SimpleQueue", &Entry::make_queue, QueueFactory(simple_queue)));
  out.push_back(entry(K::queue, "multiprocessing.Queue", &Entry::make_queue,
                      QueueFactory(multiprocessing_queue)));
  out.push_back(entry(K::listener, "logging.handlers.QueueListener", &Entry::make_listener,
                      ListenerFactory(queue_listener)));
  out.push_back(entry(K::stream, "sys.stdout", &Entry::stream, stdout_stream()));
  out.push_back(entry(K::stream, "sys.stderr", &Entry::stream, stderr_stream()));
  out.push_back(entry(K::constant, "sys.maxsize", &Entry::constant, Json(INT64_MAX)));
  for (auto [name, level] : {std::pair{"NOTSET", NOTSET},
                             {"DEBUG", DEBUG},
                             {"INFO", INFO},
                             {"WARNING", WARNING},
                             {"WARN", WARNING},
                             {"ERROR", ERROR},
                             {"CRITICAL", CRITICAL},
                             {"FATAL", CRITICAL}})
    out.push_back(
        entry(K::constant, std::string("logging.") + name, &Entry::constant, Json(level)));
  return out;
}

}  // namespace dictlog::config::detail
