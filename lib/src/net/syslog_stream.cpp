// SysLogHandler over TCP with a backlog: a closed peer noticed before a send, records kept
// in order while it is down, reconnects with SocketHandler's back-off, one report an outage.
#include <sys/socket.h>

#include <cerrno>
#include <chrono>
#include <utility>

#include <fmt/format.h>

#include "dictlog/errors.hpp"
#include "dictlog/syslog_handler.hpp"

namespace dictlog {

namespace {

double now_seconds() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

// Whether the peer has closed or reset the connection (nothing is read: a syslog server
// sends nothing, so readable means end of stream or an error).
bool peer_gone(const detail::Socket& s) {
  char c;
  const ssize_t n = ::recv(s.fd(), &c, 1, MSG_PEEK | MSG_DONTWAIT);
  return n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR);
}

}  // namespace

void SysLogHandler::at_fork_reinit() {
  backlog_.clear();  // the parent sends it
  Handler::at_fork_reinit();
}

std::size_t SysLogHandler::waiting() const {
  std::lock_guard lock(this->lock());
  return backlog_.size();
}

bool SysLogHandler::reconnect() {
  const double now = now_seconds();
  if (retry_time_ && now < *retry_time_) return false;
  try {
    create_socket();
    retry_time_.reset();
    retry_period_ = 0;
    return true;
  } catch (const OSError&) {
    socket_.close();
    retry_period_ =
        retry_period_ == 0 ? retry_start : std::min(retry_period_ * retry_factor, retry_max);
    retry_time_ = now + retry_period_;
    return false;
  }
}

// Sends the backlog, oldest first; false (the connection dropped) on a failure, the record
// that failed kept at the front to go whole over the next connection.
bool SysLogHandler::send_backlog() {
  while (!backlog_.empty()) {
    try {
      detail::send_all(socket_, backlog_.front());
    } catch (const OSError&) {
      socket_.close();
      return false;
    }
    backlog_.pop_front();
  }
  return true;
}

void SysLogHandler::stream_failed(const std::string& why) {
  const bool first = !down_reported_;
  down_ = down_reported_ = true;
  if (first)
    throw OSError(fmt::format(
        "SysLogHandler: {}; records wait for the peer (at most {}), reconnecting after {:g} s", why,
        backlog, retry_period_ > 0 ? retry_period_ : retry_start));
}

void SysLogHandler::send_stream(std::string packet) {
  if (socket_ && peer_gone(socket_)) socket_.close();
  if (!socket_) {
    down_ = true;
    reconnect();
  }
  if (socket_ && send_backlog()) {
    try {
      detail::send_all(socket_, packet);
      down_ = down_reported_ = drop_reported_ = false;
      return;
    } catch (const OSError& e) {
      socket_.close();
      backlog_.push_back(std::move(packet));
      stream_failed(e.what());
      return;
    }
  }
  if (backlog_.size() >= backlog) {
    count_dropped_peer_down();
    if (!std::exchange(drop_reported_, true))
      throw OSError(fmt::format(
          "SysLogHandler: the peer is down and {} records wait: this record and the next "
          "are dropped until it is back (counted in stats().dropped_peer_down)",
          backlog_.size()));
    return;
  }
  backlog_.push_back(std::move(packet));
  stream_failed("the peer is down (connection closed or refused)");
}

}  // namespace dictlog
