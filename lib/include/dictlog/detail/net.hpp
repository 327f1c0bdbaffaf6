// Sockets for the network handlers, with Python's socket-module behaviour where the
// handlers depend on it: create_connection's address loop and timeout, and OSError texts
// ("[Errno 111] Connection refused", "[Errno -2] Name or service not known").
//
//   auto s = dictlog::detail::create_connection("127.0.0.1", "9020", 1.0);
//   dictlog::detail::send_all(s.fd(), bytes);
#pragma once

#include <sys/socket.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace dictlog::detail {

// An owned socket descriptor (closed on destruction).
class Socket {
 public:
  Socket() = default;
  explicit Socket(int fd) : fd_(fd) {}
  Socket(Socket&& o) noexcept : fd_(o.fd_) { o.fd_ = -1; }
  Socket& operator=(Socket&& o) noexcept;
  ~Socket() { close(); }
  int fd() const { return fd_; }
  explicit operator bool() const { return fd_ >= 0; }
  void close();

 private:
  int fd_ = -1;
};

// One getaddrinfo result.
struct SockAddr {
  int family = 0, socktype = 0, protocol = 0;
  sockaddr_storage addr{};
  socklen_t len = 0;
};
// socket.getaddrinfo(host, port, family, socktype); throws OSError with gai_strerror's text.
std::vector<SockAddr> get_addr_info(const std::string& host, const std::string& port, int family,
                                    int socktype);
// An AF_UNIX address; throws OSError("AF_UNIX path too long") as Python does.
SockAddr unix_address(const std::string& path, int socktype);

// socket.socket(family, type); throws OSError.
Socket make_socket(int family, int socktype, int protocol = 0);
// connect(), waiting at most `timeout` seconds when one is given (then sends wait that long
// too, as a Python socket with a timeout does). Throws OSError ("timed out" on expiry).
void connect(const Socket& s, const SockAddr& a, std::optional<double> timeout);
// socket.create_connection((host, port), timeout): each address in turn, the last error
// if none connects.
Socket create_connection(const std::string& host, const std::string& port,
                         std::optional<double> timeout);

// sendall / send / sendto; throw OSError. No SIGPIPE: a closed peer is EPIPE.
void send_all(const Socket& s, std::string_view bytes);
void send_once(const Socket& s, std::string_view bytes);
void send_to(const Socket& s, std::string_view bytes, const SockAddr& a);

// OSError for errno `err`: "[Errno 111] Connection refused".
[[noreturn]] void throw_socket_error(int err);

}  // namespace dictlog::detail
