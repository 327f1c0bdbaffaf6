#include "dictlog/socket_handler.hpp"

#include <sys/socket.h>

#include <algorithm>
#include <chrono>
#include <vector>

#include "dictlog/errors.hpp"
#include "net/pickle.hpp"

namespace dictlog {

namespace {

double wall_clock() {
  using namespace std::chrono;
  return duration<double>(system_clock::now().time_since_epoch()).count();
}

}  // namespace

SocketHandler::SocketHandler(std::string host, std::optional<std::string> port)
    : clock(wall_clock), host_(std::move(host)), port_(std::move(port)) {}

SocketHandler::~SocketHandler() = default;

std::optional<double> SocketHandler::retry_time() const {
  std::lock_guard lock(this->lock());
  return retry_time_;
}

double SocketHandler::retry_period() const {
  std::lock_guard lock(this->lock());
  return retry_period_;
}

bool SocketHandler::connected() const {
  std::lock_guard lock(this->lock());
  return static_cast<bool>(sock_);
}

std::string SocketHandler::make_pickle(LogRecord& record) const {
  if (record.has_exc_info()) (void)format(record);  // fills exc_text, as CPython's makePickle
  const std::string& message = record.get_message();
  // dict(record.__dict__) with msg = getMessage() and args and exc_info None; `message` is
  // dropped (issue #25685). Views point into the record.
  std::string args_text;
  std::vector<detail::PickleItem> d;
  for (const auto& [key, value] : record_dict(record, args_text)) {
    if (key == "message") continue;
    if (key == "msg")
      d.emplace_back(key, std::string_view(message));
    else if (key == "args" || key == "exc_info")
      d.emplace_back(key, std::monostate{});
    else if (key == "thread")
      d.emplace_back(key, record.thread);  // an unsigned long in Python
    else
      d.emplace_back(key, detail::pickle_value(value));
  }
  std::string body = detail::pickle_dict(d);
  const auto n = static_cast<std::uint32_t>(body.size());
  std::string out;
  out.reserve(4 + body.size());
  for (int shift = 24; shift >= 0; shift -= 8) out += static_cast<char>((n >> shift) & 0xFF);
  out += body;
  return out;
}

detail::Socket SocketHandler::make_socket() {
  if (port_) return detail::create_connection(host_, *port_, 1.0);
  detail::Socket s = detail::make_socket(AF_UNIX, SOCK_STREAM);
  detail::connect(s, detail::unix_address(host_, SOCK_STREAM), 1.0);
  return s;
}

void SocketHandler::create_socket() {
  const double now = clock ? clock() : wall_clock();
  if (retry_time_ && now < *retry_time_) return;
  try {
    sock_ = make_socket();
    retry_time_.reset();
  } catch (const OSError&) {
    if (!retry_time_) {
      retry_period_ = retry_start;
    } else {
      retry_period_ *= retry_factor;
      if (retry_period_ > retry_max) retry_period_ = retry_max;
    }
    retry_time_ = now + retry_period_;
  }
}

void SocketHandler::send(std::string_view bytes) {
  if (!sock_) create_socket();
  if (!sock_) {  // waiting for the retry time, or the connect failed: dropped
    count_dropped_peer_down();
    return;
  }
  try {
    detail::send_all(sock_, bytes);
  } catch (const OSError&) {
    sock_.close();  // the next record reconnects
    count_dropped_peer_down();
  }
}

void SocketHandler::emit(LogRecord& record) {
  try {
    send(make_pickle(record));
  } catch (...) {
    // Python's SocketHandler.handleError.
    if (close_on_error && sock_) {
      sock_.close();
      count_dropped_peer_down();
      return;
    }
    throw;
  }
}

void SocketHandler::at_fork_reinit() {
  sock_.close();
  retry_time_.reset();
  Handler::at_fork_reinit();
}

void SocketHandler::close() {
  {
    std::lock_guard lock(this->lock());
    sock_.close();
  }
  Handler::close();
}

DatagramHandler::DatagramHandler(std::string host, std::optional<std::string> port)
    : SocketHandler(std::move(host), std::move(port)) {}

detail::Socket DatagramHandler::make_socket() {
  return detail::make_socket(port_ ? AF_INET : AF_UNIX, SOCK_DGRAM);
}

void DatagramHandler::send(std::string_view bytes) {
  if (!sock_) create_socket();
  if (!sock_) throw AttributeError("'NoneType' object has no attribute 'sendto'");
  // Python's sendto((host, port)) resolves the address for every datagram.
  const detail::SockAddr to =
      port_ ? detail::get_addr_info(host_, *port_, AF_INET, SOCK_DGRAM).front()
            : detail::unix_address(host_, SOCK_DGRAM);
  detail::send_to(sock_, bytes, to);
}

}  // namespace dictlog
