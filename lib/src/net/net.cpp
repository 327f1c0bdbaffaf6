// Socket helpers for SocketHandler, DatagramHandler and SysLogHandler (detail/net.hpp).
#include "dictlog/detail/net.hpp"

#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "core/system_calls.hpp"
#include "dictlog/errors.hpp"

namespace dictlog::detail {

Socket& Socket::operator=(Socket&& o) noexcept {
  if (this != &o) {
    close();
    fd_ = o.fd_;
    o.fd_ = -1;
  }
  return *this;
}

void Socket::close() {
  if (fd_ >= 0) sys().close(fd_);  // the descriptor is gone even when close reports EINTR
  fd_ = -1;
}

void throw_socket_error(int err) {
  throw OSError("[Errno " + std::to_string(err) + "] " + std::strerror(err));
}

std::vector<SockAddr> get_addr_info(const std::string& host, const std::string& port, int family,
                                    int socktype) {
  addrinfo hints{};
  hints.ai_family = family;
  hints.ai_socktype = socktype;
  addrinfo* res = nullptr;
  int rc = ::getaddrinfo(host.c_str(), port.c_str(), &hints, &res);
  if (rc != 0) {
    if (rc == EAI_SYSTEM) throw_socket_error(errno);
    throw OSError("[Errno " + std::to_string(rc) + "] " + ::gai_strerror(rc));
  }
  std::vector<SockAddr> out;
  for (addrinfo* p = res; p; p = p->ai_next) {
    SockAddr a;
    a.family = p->ai_family;
    a.socktype = p->ai_socktype;
    a.protocol = p->ai_protocol;
    std::memcpy(&a.addr, p->ai_addr, p->ai_addrlen);
    a.len = p->ai_addrlen;
    out.push_back(a);
  }
  ::freeaddrinfo(res);
  if (out.empty()) throw OSError("getaddrinfo returns an empty list");
  return out;
}

SockAddr unix_address(const std::string& path, int socktype) {
  SockAddr a;
  a.family = AF_UNIX;
  a.socktype = socktype;
  sockaddr_un un{};
  un.sun_family = AF_UNIX;
  if (path.size() >= sizeof un.sun_path) throw OSError("AF_UNIX path too long");
  std::memcpy(un.sun_path, path.data(), path.size());
  std::memcpy(&a.addr, &un, sizeof un);
  a.len = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + path.size() + 1);
  return a;
}

Socket make_socket(int family, int socktype, int protocol) {
  int fd = ::socket(family, socktype | SOCK_CLOEXEC, protocol);
  if (fd < 0) throw_socket_error(errno);
  return Socket(fd);
}

void connect(const Socket& s, const SockAddr& a, std::optional<double> timeout) {
  const auto* sa = reinterpret_cast<const sockaddr*>(&a.addr);
  if (!timeout) {
    while (::connect(s.fd(), sa, a.len) != 0) {
      if (errno != EINTR) throw_socket_error(errno);
    }
    return;
  }
  const int flags = ::fcntl(s.fd(), F_GETFL);
  ::fcntl(s.fd(), F_SETFL, flags | O_NONBLOCK);
  if (::connect(s.fd(), sa, a.len) != 0) {
    if (errno != EINPROGRESS && errno != EINTR) throw_socket_error(errno);
    pollfd p{s.fd(), POLLOUT, 0};
    int rc;
    do rc = ::poll(&p, 1, static_cast<int>(*timeout * 1000));
    while (rc < 0 && errno == EINTR);
    if (rc < 0) throw_socket_error(errno);
    if (rc == 0) throw OSError("timed out");
    int err = 0;
    socklen_t len = sizeof err;
    ::getsockopt(s.fd(), SOL_SOCKET, SO_ERROR, &err, &len);
    if (err != 0) throw_socket_error(err);
  }
  ::fcntl(s.fd(), F_SETFL, flags);
  // Python keeps the timeout on the socket: a send that cannot proceed fails after it.
  timeval tv{};
  tv.tv_sec = static_cast<time_t>(*timeout);
  tv.tv_usec = static_cast<suseconds_t>((*timeout - static_cast<double>(tv.tv_sec)) * 1e6);
  ::setsockopt(s.fd(), SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
}

Socket create_connection(const std::string& host, const std::string& port,
                         std::optional<double> timeout) {
  std::string last_error;
  for (const SockAddr& a : get_addr_info(host, port, AF_UNSPEC, SOCK_STREAM)) {
    try {
      Socket s = make_socket(a.family, a.socktype, a.protocol);
      connect(s, a, timeout);
      return s;
    } catch (const OSError& e) {
      last_error = e.what();
    }
  }
  throw OSError(last_error);  // get_addr_info never returns an empty list
}

namespace {
ssize_t send_some(const Socket& s, std::string_view bytes) {
  for (;;) {
    ssize_t n = sys().send(s.fd(), bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n >= 0) return n;
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) throw OSError("timed out");
    throw_socket_error(errno);
  }
}
}  // namespace

void send_all(const Socket& s, std::string_view bytes) {
  if (!s) throw_socket_error(EBADF);
  while (!bytes.empty()) bytes.remove_prefix(static_cast<std::size_t>(send_some(s, bytes)));
}

void send_once(const Socket& s, std::string_view bytes) {
  if (!s) throw_socket_error(EBADF);
  send_some(s, bytes);
}

void send_to(const Socket& s, std::string_view bytes, const SockAddr& a) {
  if (!s) throw_socket_error(EBADF);
  for (;;) {
    ssize_t n = sys().sendto(s.fd(), bytes.data(), bytes.size(), MSG_NOSIGNAL,
                             reinterpret_cast<const sockaddr*>(&a.addr), a.len);
    if (n >= 0) return;
    if (errno != EINTR) throw_socket_error(errno);
  }
}

}  // namespace dictlog::detail
