// SocketHandler and DatagramHandler: each record, pickled, to a Python receiver
// (Python's logging.handlers.SocketHandler / DatagramHandler).
//
// The bytes are CPython's: a 4-byte big-endian length, then pickle protocol 1 of the
// record's attribute dict (msg already formatted, args and exc_info None), so the
// logging cookbook's receiver (pickle.loads, then logging.makeLogRecord) works unchanged.
// SocketHandler connects over TCP (or a Unix stream socket when port is null) at the first
// record, keeps the connection, and silently drops records while it cannot connect,
// retrying with exponential back-off. DatagramHandler sends one datagram per record.
//
//   auto h = std::make_shared<dictlog::SocketHandler>("127.0.0.1", 9020);
//   auto u = std::make_shared<dictlog::DatagramHandler>("127.0.0.1", 9021);
//   dictlog::get_logger("app").add_handler(h);
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "dictlog/detail/net.hpp"
#include "dictlog/handler.hpp"

namespace dictlog {

// Thread-safety: as every Handler (emit runs under the handler's lock). The public data
// members are settings: set them before the handler is shared between threads.
class SocketHandler : public Handler {
 public:
  // Python's SocketHandler(host, port). `port` is a number or a service name; nullopt
  // means `host` is the path of a Unix stream socket. Nothing is opened here.
  SocketHandler(std::string host, std::optional<std::string> port);
  SocketHandler(std::string host, int port)
      : SocketHandler(std::move(host), std::to_string(port)) {}
  ~SocketHandler() override;

  // make_pickle, then send; only a record that cannot be pickled (a message whose
  // arguments do not fit its format) reaches handle_error.
  void emit(LogRecord& record) override;
  void close() override;
  // The parent's connection is not shared: the child's next record connects anew (its
  // copy of the descriptor is closed, the parent's connection stays up).
  void at_fork_reinit() override;

  // Python's makePickle: length prefix + pickle of the record dict. If the record carries
  // an exception it is formatted first, which fills exc_text, as CPython does.
  std::string make_pickle(LogRecord& record) const;

  const std::string& host() const { return host_; }
  const std::optional<std::string>& port() const { return port_; }

  // Python's retryStart, retryFactor and retryMax (seconds): after a failed connect no
  // attempt is made before retry_time(); each further failure multiplies the wait.
  double retry_start = 1.0;
  double retry_factor = 2.0;
  double retry_max = 30.0;
  // Python's closeOnError: an error while emitting closes the socket instead of
  // reaching handle_error.
  bool close_on_error = false;
  // The time Python's time.time() gives, in seconds since the epoch; a test can put its
  // own clock here to step through the back-off.
  std::function<double()> clock;

  // Python's retryTime (nullopt: the next record tries at once) and retryPeriod.
  std::optional<double> retry_time() const;
  double retry_period() const;
  // Whether the handler holds a socket now.
  bool connected() const;

  std::string_view class_name() const override { return "SocketHandler"; }

 protected:
  // Python's makeSocket: a connected TCP (1 s timeout) or Unix stream socket; throws OSError.
  virtual detail::Socket make_socket();
  // Python's createSocket: make_socket unless the back-off says to wait; a failure only
  // moves retry_time on.
  void create_socket();
  // Python's send: connect if needed, sendall; a failed send closes the socket and the
  // record is lost without a report.
  virtual void send(std::string_view bytes);

  std::string host_;
  std::optional<std::string> port_;
  detail::Socket sock_;

 private:
  std::optional<double> retry_time_;
  double retry_period_ = 0;
};

// One datagram per record (UDP, or a Unix datagram socket when port is null), with the
// same bytes as SocketHandler, length prefix included. A failed send reaches handle_error.
class DatagramHandler : public SocketHandler {
 public:
  DatagramHandler(std::string host, std::optional<std::string> port);
  DatagramHandler(std::string host, int port)
      : DatagramHandler(std::move(host), std::to_string(port)) {}

  std::string_view class_name() const override { return "DatagramHandler"; }

 protected:
  detail::Socket make_socket() override;
  void send(std::string_view bytes) override;
};

}  // namespace dictlog
