#include "dictlog/syslog_handler.hpp"

#include <sys/socket.h>

#include <array>
#include <utility>

#include "dictlog/errors.hpp"

namespace dictlog {

namespace {

constexpr std::array<std::pair<std::string_view, int>, 12> kPriorityNames = {{{"alert", 1},
                                                                              {"crit", 2},
                                                                              {"critical", 2},
                                                                              {"debug", 7},
                                                                              {"emerg", 0},
                                                                              {"err", 3},
                                                                              {"error", 3},
                                                                              {"info", 6},
                                                                              {"notice", 5},
                                                                              {"panic", 0},
                                                                              {"warn", 4},
                                                                              {"warning", 4}}};

constexpr std::array<std::pair<std::string_view, int>, 24> kFacilityNames = {
    {{"auth", 4},    {"authpriv", 10}, {"console", 14},      {"cron", 9},    {"daemon", 3},
     {"ftp", 11},    {"kern", 0},      {"lpr", 6},           {"mail", 2},    {"news", 7},
     {"ntp", 12},    {"security", 13}, {"solaris-cron", 15}, {"syslog", 5},  {"user", 1},
     {"uucp", 8},    {"local0", 16},   {"local1", 17},       {"local2", 18}, {"local3", 19},
     {"local4", 20}, {"local5", 21},   {"local6", 22},       {"local7", 23}}};

template <std::size_t N>
std::optional<int> find_name(const std::array<std::pair<std::string_view, int>, N>& table,
                             std::string_view name) {
  for (const auto& [k, v] : table)
    if (k == name) return v;
  return std::nullopt;
}

// Python's KeyError for a missing dict key (handle_error shows it as KeyError: 'name').
[[noreturn]] void key_error(std::string_view key) {
  throw KeyError(std::string(key));
}

}  // namespace

std::optional<int> SysLogHandler::facility_number(std::string_view name) {
  return find_name(kFacilityNames, name);
}
std::optional<int> SysLogHandler::priority_number(std::string_view name) {
  return find_name(kPriorityNames, name);
}

std::int64_t SysLogHandler::encode_priority(
    const Facility& facility, const std::variant<std::int64_t, std::string>& priority) {
  auto number = [](const auto& v, auto lookup) -> std::int64_t {
    if (auto* s = std::get_if<std::string>(&v)) {
      auto n = lookup(*s);
      if (!n) key_error(*s);
      return *n;
    }
    return std::get<std::int64_t>(v);
  };
  const std::int64_t f = number(facility, facility_number);
  const std::int64_t p = number(priority, priority_number);
  return (f << 3) | p;
}

std::string_view SysLogHandler::map_priority(std::string_view level_name) {
  if (level_name == "DEBUG") return "debug";
  if (level_name == "INFO") return "info";
  if (level_name == "WARNING") return "warning";
  if (level_name == "ERROR") return "error";
  if (level_name == "CRITICAL") return "critical";
  return "warning";
}

SysLogHandler::SysLogHandler(Address address, Facility facility, std::optional<int> socktype)
    : address_(std::move(address)), facility_(std::move(facility)), socktype_(socktype) {
  create_socket();
}

SysLogHandler::~SysLogHandler() = default;

void SysLogHandler::connect_unixsocket() {
  const int first = socktype_.value_or(SOCK_DGRAM);
  try {
    socket_ = detail::make_socket(AF_UNIX, first);
    detail::connect(socket_, detail::unix_address(address_.host, first), std::nullopt);
    socktype_ = first;
  } catch (const OSError&) {
    socket_.close();
    if (socktype_) throw;  // a socket type the user chose: no fallback
    socket_ = detail::make_socket(AF_UNIX, SOCK_STREAM);
    try {
      detail::connect(socket_, detail::unix_address(address_.host, SOCK_STREAM), std::nullopt);
    } catch (const OSError&) {
      socket_.close();
      throw;
    }
    socktype_ = SOCK_STREAM;
  }
}

void SysLogHandler::create_socket() {
  if (unixsocket()) {
    // As C's openlog(): the daemon may start later; emit reconnects.
    try {
      connect_unixsocket();
    } catch (const OSError&) {
    }
    return;
  }
  const int type = socktype_.value_or(SOCK_DGRAM);
  std::optional<std::string> error;
  detail::Socket sock;
  detail::SockAddr used;
  for (const detail::SockAddr& a : detail::get_addr_info(address_.host, *address_.port, 0, type)) {
    error.reset();
    try {
      sock = detail::make_socket(a.family, a.socktype, a.protocol);
      if (a.socktype == SOCK_STREAM) detail::connect(sock, a, std::nullopt);
      used = a;
      break;
    } catch (const OSError& e) {
      error = e.what();
      sock.close();
    }
  }
  if (error) throw OSError(*error);
  socket_ = std::move(sock);
  peer_ = used;
  socktype_ = used.socktype;
}

void SysLogHandler::emit(LogRecord& record) {
  std::string msg = format(record);
  if (!ident.empty()) msg.insert(0, ident);
  const std::int64_t pri = encode_priority(facility_, std::string(map_priority(record.levelname)));
  if (!unixsocket() && !socket_ && (socktype_ == SOCK_DGRAM || backlog == 0))
    create_socket();  // after close(), as Python's `if not self.socket`
  const bool counted = octet_counting && !unixsocket() && socktype_ != SOCK_DGRAM;
  if (append_nul && !counted) msg += '\0';
  std::string packet = "<" + std::to_string(pri) + ">" + msg;
  if (counted) packet.insert(0, std::to_string(packet.size()) + " ");

  if (unixsocket()) {
    // CPython keeps a closed socket after a failed connect, so the send fails and it
    // reconnects once; only that second failure reaches handle_error.
    try {
      detail::send_once(socket_, packet);
    } catch (const OSError&) {
      socket_.close();
      connect_unixsocket();
      detail::send_once(socket_, packet);
    }
    return;
  }
  if (socktype_ == SOCK_DGRAM)
    detail::send_to(socket_, packet, peer_);
  else if (backlog == 0)
    detail::send_all(socket_, packet);
  else
    send_stream(std::move(packet));
}

void SysLogHandler::close() {
  {
    std::lock_guard lock(this->lock());
    if (!backlog_.empty()) {
      // One try, at once: what cannot go now never will.
      retry_time_.reset();
      if (!socket_) reconnect();
      if (socket_) send_backlog();
      for (std::size_t i = 0; i < backlog_.size(); ++i) count_dropped_peer_down();
      backlog_.clear();
    }
    socket_.close();
  }
  Handler::close();
}

}  // namespace dictlog
