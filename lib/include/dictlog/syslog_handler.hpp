// SysLogHandler: each formatted record as one syslog message (Python's
// logging.handlers.SysLogHandler).
//
// The packet is CPython's: "<PRI>" + ident + message + "\0" (unless append_nul is off),
// UTF-8, with no RFC 3164/5424 header and no TCP framing. PRI = facility * 8 + the
// priority of the level (DEBUG 7, INFO 6, WARNING 4, ERROR 3, CRITICAL 2, others 4).
// A (host, port) address sends over UDP, or TCP with socktype SOCK_STREAM (connected at
// construction: refused throws OSError); a path is a Unix socket, datagram first, then
// stream (a failed connect there is not an error until a record is sent).
//
// Over TCP dictlog does better than CPython, whose handler fails every record once its
// peer has gone: a peer that closed is noticed before the next send (so that record is not
// written into a dead connection), and while it is down records wait, whole and framed, in
// a backlog of `backlog` records; a new connection is tried at the next record after the
// retry time (SocketHandler's back-off: `retry_start`, times `retry_factor`, up to
// `retry_max` seconds) and the backlog goes first, in order. A record that arrives while the
// backlog is full is dropped and counted (stats().dropped_peer_down). The outage is reported
// once through handle_error (the first failure), and once more if records start to be
// dropped. close() tries once to send what waits and counts what it could not. `backlog`
// 0 is CPython's behaviour. A record a dying peer took into its buffer but never read is
// beyond any sender's knowledge (TCP acknowledged it).
//
//   auto h = std::make_shared<dictlog::SysLogHandler>(
//       dictlog::SysLogHandler::Address{"/dev/log"}, "local0");
//   h->ident = "app: ";
#pragma once

#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "dictlog/detail/net.hpp"
#include "dictlog/handler.hpp"

namespace dictlog {

// Thread-safety: as every Handler (emit runs under the handler's lock). Set ident,
// append_nul, octet_counting, backlog and the retry times before the handler is shared
// between threads.
class SysLogHandler : public Handler {
 public:
  // Python's `address`: (host, port), or a Unix socket path when port is nullopt. The
  // port may be a number or a service name ("syslog").
  struct Address {
    std::string host;
    std::optional<std::string> port;
    Address(std::string path) : host(std::move(path)) {}  // a Unix socket
    Address(const char* path) : host(path) {}
    Address(std::string h, int p) : host(std::move(h)), port(std::to_string(p)) {}
    Address(std::string h, std::string p) : host(std::move(h)), port(std::move(p)) {}
  };
  // An int, or a name of facility_names looked up when a record is sent (an unknown name
  // then fails that record through handle_error, as CPython's KeyError does).
  using Facility = std::variant<std::int64_t, std::string>;

  // Priorities and facilities (Python's LOG_* class attributes).
  static constexpr int LOG_EMERG = 0, LOG_ALERT = 1, LOG_CRIT = 2, LOG_ERR = 3, LOG_WARNING = 4,
                       LOG_NOTICE = 5, LOG_INFO = 6, LOG_DEBUG = 7;
  static constexpr int LOG_KERN = 0, LOG_USER = 1, LOG_MAIL = 2, LOG_DAEMON = 3, LOG_AUTH = 4,
                       LOG_SYSLOG = 5, LOG_LPR = 6, LOG_NEWS = 7, LOG_UUCP = 8, LOG_CRON = 9,
                       LOG_AUTHPRIV = 10, LOG_FTP = 11, LOG_NTP = 12, LOG_SECURITY = 13,
                       LOG_CONSOLE = 14, LOG_SOLCRON = 15, LOG_LOCAL0 = 16, LOG_LOCAL1 = 17,
                       LOG_LOCAL2 = 18, LOG_LOCAL3 = 19, LOG_LOCAL4 = 20, LOG_LOCAL5 = 21,
                       LOG_LOCAL6 = 22, LOG_LOCAL7 = 23;

  // Python's SysLogHandler(address=('localhost', 514), facility=LOG_USER, socktype=None);
  // socktype is SOCK_DGRAM, SOCK_STREAM or nullopt. Throws OSError when a (host, port)
  // address does not resolve, or a SOCK_STREAM one does not connect.
  explicit SysLogHandler(Address address = Address("localhost", 514),
                         Facility facility = std::int64_t{LOG_USER},
                         std::optional<int> socktype = std::nullopt);
  ~SysLogHandler() override;

  void emit(LogRecord& record) override;
  void close() override;
  // The parent's backlog is the parent's to send: forgotten in the child.
  void at_fork_reinit() override;

  // Python's encodePriority: (facility << 3) | priority, names looked up in
  // facility_names / priority_names (KeyError for an unknown one).
  static std::int64_t encode_priority(const Facility& facility,
                                      const std::variant<std::int64_t, std::string>& priority);
  // Python's mapPriority: "debug", "info", "warning", "error", "critical"; "warning" for
  // any other level name.
  static std::string_view map_priority(std::string_view level_name);
  // facility_names / priority_names; nullopt for an unknown name.
  static std::optional<int> facility_number(std::string_view name);
  static std::optional<int> priority_number(std::string_view name);

  // Prepended to every message (Python's ident; dictConfig sets it with ".").
  std::string ident;
  // Appends "\0", for old syslog daemons (Python's append_nul).
  bool append_nul = true;
  // Over TCP, frames each message by octet counting, "LEN <PRI>...", as RFC 6587 3.4.1 says
  // and rsyslog, syslog-ng and RFC 5425 receivers read (append_nul then adds nothing): a
  // message may then hold newlines. dictConfig sets it with ".": {"octet_counting": true}.
  bool octet_counting = false;
  // TCP only: records kept while the peer is down (0: none, fail as CPython does), and the
  // reconnect back-off in seconds. dictConfig sets them with ".".
  std::size_t backlog = 1000;
  double retry_start = 1.0;
  double retry_factor = 2.0;
  double retry_max = 30.0;
  // Records waiting for the peer now.
  std::size_t waiting() const;

  const Address& address() const { return address_; }
  const Facility& facility() const { return facility_; }
  // The socket type in use (after construction: the one that connected, or nullopt for a
  // Unix socket that has not connected yet).
  std::optional<int> socktype() const { return socktype_; }
  bool unixsocket() const { return !address_.port; }

  std::string_view class_name() const override { return "SysLogHandler"; }

 private:
  void create_socket();
  void connect_unixsocket();
  // TCP with a backlog (syslog_stream.cpp).
  void send_stream(std::string packet);
  bool reconnect();
  bool send_backlog();
  void stream_failed(const std::string& why);

  Address address_;
  Facility facility_;
  std::optional<int> socktype_;
  detail::Socket socket_;
  detail::SockAddr peer_;  // where UDP datagrams go
  std::deque<std::string> backlog_;
  std::optional<double> retry_time_;  // steady seconds before which no connect is tried
  double retry_period_ = 0;
  bool down_ = false, down_reported_ = false, drop_reported_ = false;
};

}  // namespace dictlog
