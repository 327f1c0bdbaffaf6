// Test support: sockets on 127.0.0.1 and Unix paths for the network handlers' peers, and
// reading what the handlers send (doctest's REQUIRE on every failure; reads wait at most
// 10 s, so a broken handler fails instead of hanging).
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <string>

#include <doctest/doctest.h>

namespace dictlog::test::sockets {

// A socket of ours, closed at the end of the test.
struct Fd {
  int fd = -1;
  explicit Fd(int f = -1) : fd(f) {}
  Fd(Fd&& o) noexcept : fd(o.fd) { o.fd = -1; }
  Fd& operator=(Fd&& o) noexcept {
    if (this != &o) {
      if (fd >= 0) ::close(fd);
      fd = o.fd;
      o.fd = -1;
    }
    return *this;
  }
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

// A TCP or UDP socket bound to 127.0.0.1 on a free port (not listening yet).
inline Fd bound_inet(int type, int& port) {
  Fd s(::socket(AF_INET, type, 0));
  REQUIRE(s.fd >= 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(::bind(s.fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
  socklen_t len = sizeof a;
  ::getsockname(s.fd, reinterpret_cast<sockaddr*>(&a), &len);
  port = ntohs(a.sin_port);
  return s;
}

inline Fd bound_unix(int type, const std::string& path) {
  Fd s(::socket(AF_UNIX, type, 0));
  REQUIRE(s.fd >= 0);
  sockaddr_un a{};
  a.sun_family = AF_UNIX;
  std::strncpy(a.sun_path, path.c_str(), sizeof a.sun_path - 1);
  REQUIRE(::bind(s.fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
  return s;
}

// Whether a connection or datagram is waiting, right now (a loopback connect is queued
// before connect() returns).
inline bool pending(int fd) {
  pollfd p{fd, POLLIN, 0};
  return ::poll(&p, 1, 0) == 1;
}

// Waits (at most a generous 10 s, so a broken handler fails instead of hanging) for input.
inline void wait_readable(int fd) {
  pollfd p{fd, POLLIN, 0};
  REQUIRE(::poll(&p, 1, 10'000) == 1);
}

inline Fd accept_one(int listener) {
  wait_readable(listener);
  Fd c(::accept(listener, nullptr, nullptr));
  REQUIRE(c.fd >= 0);
  return c;
}

inline std::string read_exactly(int fd, std::size_t n) {
  std::string out;
  while (out.size() < n) {
    wait_readable(fd);
    char buf[4096];
    ssize_t got = ::recv(fd, buf, std::min(sizeof buf, n - out.size()), 0);
    REQUIRE(got > 0);
    out.append(buf, static_cast<std::size_t>(got));
  }
  return out;
}

// One SocketHandler frame: the 4-byte big-endian length and what it counts.
inline std::string read_frame(int fd) {
  std::string head = read_exactly(fd, 4);
  std::uint32_t n = 0;
  for (unsigned char c : head) n = (n << 8) | c;
  return head + read_exactly(fd, n);
}

inline std::string recv_datagram(int fd) {
  wait_readable(fd);
  char buf[65536];
  ssize_t got = ::recv(fd, buf, sizeof buf, 0);
  REQUIRE(got >= 0);
  return std::string(buf, static_cast<std::size_t>(got));
}

}  // namespace dictlog::test::sockets
