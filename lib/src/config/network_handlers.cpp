// The registry entries of the network handlers (logging.handlers.SocketHandler,
// DatagramHandler, SysLogHandler) and the socket constants their configurations name
// (ext://socket.SOCK_STREAM, ext://logging.handlers.SysLogHandler.LOG_LOCAL0).
#include <sys/socket.h>

#include "config/builder.hpp"
#include "dictlog/socket_handler.hpp"
#include "dictlog/syslog_handler.hpp"

namespace dictlog::config::detail {

namespace {

// A port as Python's getaddrinfo takes it: an int or a service name; nullopt for None.
std::optional<std::string> port_value(Args& a, const Json* j, std::string_view key) {
  if (!j || j->is_null()) return std::nullopt;
  if (j->is_number_integer()) return std::to_string(j->get<std::int64_t>());
  if (j->is_string()) return j->get<std::string>();
  a.fail(key, a.class_name() + ": '" + std::string(key) +
                  "' must be a port number, a service name or null, not " + py_repr(*j));
}

// SocketHandler(host, port) and DatagramHandler(host, port): both required, port null
// for a Unix socket path. Nothing is opened here: SocketHandler connects at the first
// record.
template <class H>
HandlerFactory host_port_factory() {
  return [](Args& a) -> std::shared_ptr<Handler> {
    auto host = a.required_string("host");
    if (!a.has("port"))
      a.fail("",
             a.class_name() + " needs 'port' (missing required argument; null for a Unix socket)");
    auto port = port_value(a, json_arg(a, "port"), "port");
    if (a.dry()) return nullptr;
    return std::make_shared<H>(std::move(host), std::move(port));
  };
}

std::shared_ptr<Handler> make_syslog(Args& a) {
  std::optional<SysLogHandler::Address> address;
  if (a.has("address")) {
    const Json* j = json_arg(a, "address");
    if (j && j->is_string()) {
      address.emplace(j->get<std::string>());
    } else if (j && j->is_array() && j->size() == 2 && (*j)[0].is_string()) {
      // dictConfig turns the list into the tuple Python wants.
      auto port = port_value(a, &(*j)[1], "address");
      if (!port)
        a.fail("address",
               "SysLogHandler: the port of 'address' must be a number or a service name, not None");
      address.emplace((*j)[0].get<std::string>(), *port);
    } else {
      a.fail("address",
             "SysLogHandler: 'address' must be a Unix socket path or a [host, port] list, not " +
                 (j ? py_repr(*j) : std::string("an object")));
    }
  }
  SysLogHandler::Facility facility = std::int64_t{SysLogHandler::LOG_USER};
  if (const Json* j = json_arg(a, "facility"); j && !j->is_null()) {
    if (j->is_boolean())
      facility = std::int64_t{j->get<bool>() ? 1 : 0};
    else if (j->is_number_integer())
      facility = j->get<std::int64_t>();
    else if (j->is_string())
      facility = j->get<std::string>();  // looked up per record, as CPython does
    else
      a.fail("facility",
             "SysLogHandler: 'facility' must be a facility number or name, not " + py_repr(*j));
  } else if (j && j->is_null()) {
    a.fail("facility", "SysLogHandler: 'facility' must be a facility number or name, not None");
  }
  std::optional<int> socktype;
  if (const Json* j = json_arg(a, "socktype"); j && !j->is_null()) {
    if (!j->is_number_integer() ||
        (j->get<std::int64_t>() != SOCK_STREAM && j->get<std::int64_t>() != SOCK_DGRAM))
      a.fail("socktype",
             "SysLogHandler: 'socktype' must be \"ext://socket.SOCK_STREAM\", "
             "\"ext://socket.SOCK_DGRAM\" or null, not " +
                 py_repr(*j));
    socktype = static_cast<int>(j->get<std::int64_t>());
  }
  if (a.dry()) return nullptr;
  return std::make_shared<SysLogHandler>(address.value_or(SysLogHandler::Address("localhost", 514)),
                                         std::move(facility), socktype);
}

Entry handler(std::string name, HandlerFactory f) {
  Entry e{Entry::Kind::handler, std::move(name)};
  e.make_handler = std::move(f);
  return e;
}

Entry constant(std::string name, Json value) {
  Entry e{Entry::Kind::constant, std::move(name)};
  e.constant = std::move(value);
  return e;
}

}  // namespace

std::vector<Entry> network_entries() {
  std::vector<Entry> out;
  out.push_back(handler("logging.handlers.SocketHandler", host_port_factory<SocketHandler>()));
  out.push_back(handler("logging.handlers.DatagramHandler", host_port_factory<DatagramHandler>()));
  out.push_back(handler("logging.handlers.SysLogHandler", make_syslog));
  out.push_back(constant("socket.SOCK_STREAM", SOCK_STREAM));
  out.push_back(constant("socket.SOCK_DGRAM", SOCK_DGRAM));
  // facility_names and priority_names as the class attributes a file can name with ext://.
  const std::string cls = "logging.handlers.SysLogHandler.";
  for (auto [name, v] :
       {std::pair{"LOG_KERN", 0}, {"LOG_USER", 1},      {"LOG_MAIL", 2},      {"LOG_DAEMON", 3},
        {"LOG_AUTH", 4},          {"LOG_SYSLOG", 5},    {"LOG_LPR", 6},       {"LOG_NEWS", 7},
        {"LOG_UUCP", 8},          {"LOG_CRON", 9},      {"LOG_AUTHPRIV", 10}, {"LOG_FTP", 11},
        {"LOG_NTP", 12},          {"LOG_SECURITY", 13}, {"LOG_CONSOLE", 14},  {"LOG_SOLCRON", 15},
        {"LOG_LOCAL0", 16},       {"LOG_LOCAL1", 17},   {"LOG_LOCAL2", 18},   {"LOG_LOCAL3", 19},
        {"LOG_LOCAL4", 20},       {"LOG_LOCAL5", 21},   {"LOG_LOCAL6", 22},   {"LOG_LOCAL7", 23}})
    out.push_back(constant(cls + name, v));
  return out;
}

}  // namespace dictlog::config::detail
