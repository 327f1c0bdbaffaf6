// SysLogHandler over TCP when its peer goes away and comes back (a relay restarted): records
// logged while it is down wait in the backlog and arrive, in order and once, over the next
// connection; a full backlog drops and counts; the outage is reported once, not per record.
#include <doctest/doctest.h>

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "dictlog/logger.hpp"
#include "dictlog/record.hpp"
#include "dictlog/syslog_handler.hpp"
#include "support/scoped_globals.hpp"
#include "support/sockets.hpp"

using namespace dictlog;
namespace ts = dictlog::test::sockets;

namespace {

// A listener on 127.0.0.1:port that can be closed and made again on the same port (the
// closed connections' TIME_WAIT does not stand in the way).
ts::Fd listen_on(int& port) {
  ts::Fd s(::socket(AF_INET, SOCK_STREAM, 0));
  REQUIRE(s.fd >= 0);
  const int one = 1;
  ::setsockopt(s.fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = htons(static_cast<std::uint16_t>(port));
  REQUIRE(::bind(s.fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
  REQUIRE(::listen(s.fd, 4) == 0);
  socklen_t len = sizeof a;
  ::getsockname(s.fd, reinterpret_cast<sockaddr*>(&a), &len);
  port = ntohs(a.sin_port);
  return s;
}

// One octet-counted frame's message: "LEN <PRI>MSG" -> "MSG".
std::string read_message(int fd) {
  std::string len;
  for (char c = 0; (c = ts::read_exactly(fd, 1)[0]) != ' ';) len += c;
  const std::string frame = ts::read_exactly(fd, std::stoul(len));
  return frame.substr(frame.find('>') + 1);
}

void log(SysLogHandler& h, const std::string& text) {
  LogRecord r = make_log_record({{"levelno", 20}, {"levelname", "INFO"}});
  r.set_prepared(text);
  h.handle(r);
}

// Waits until the peer's end is seen closed by the handler's side (the FIN arrived).
void let_close_arrive() {
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
}

}  // namespace

TEST_CASE("records logged while the TCP peer is down arrive, in order, once it is back") {
  test::ScopedGlobals globals;
  set_raise_exceptions(false);  // handle_error counts; the block on stderr is not the point
  int port = 0;
  auto listener = listen_on(port);
  SysLogHandler h(SysLogHandler::Address("127.0.0.1", port), std::int64_t{SysLogHandler::LOG_USER},
                  SOCK_STREAM);
  h.octet_counting = true;
  h.retry_start = 0.05;
  auto first = ts::accept_one(listener.fd);
  for (int i = 0; i < 3; ++i) log(h, "r" + std::to_string(i));
  for (int i = 0; i < 3; ++i) CHECK(read_message(first.fd) == "r" + std::to_string(i));

  SUBCASE("a backlog large enough: nothing lost") {
    ::close(first.fd), first.fd = -1;
    ::close(listener.fd), listener.fd = -1;
    let_close_arrive();
    for (int i = 3; i < 8; ++i) log(h, "r" + std::to_string(i));
    CHECK(h.waiting() == 5);
    CHECK(h.stats().errors == 1);  // one report for the outage
    listener = listen_on(port);
    std::this_thread::sleep_for(std::chrono::milliseconds(200));  // past the retry time
    log(h, "r8");
    auto second = ts::accept_one(listener.fd);
    for (int i = 3; i < 9; ++i) CHECK(read_message(second.fd) == "r" + std::to_string(i));
    CHECK(h.waiting() == 0);
    CHECK(h.stats().dropped_peer_down == 0);
    log(h, "r9");  // and the connection goes on
    CHECK(read_message(second.fd) == "r9");
    CHECK(!ts::pending(second.fd));
    CHECK(h.stats().errors == 1);
  }
  SUBCASE("a backlog of 2: the first two kept, the rest dropped and counted") {
    h.backlog = 2;
    ::close(first.fd), first.fd = -1;
    ::close(listener.fd), listener.fd = -1;
    let_close_arrive();
    for (int i = 3; i < 8; ++i) log(h, "r" + std::to_string(i));
    CHECK(h.waiting() == 2);
    CHECK(h.stats().dropped_peer_down == 3);
    CHECK(h.stats().errors == 2);  // the outage, then the first drop
    listener = listen_on(port);
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    log(h, "r8");
    auto second = ts::accept_one(listener.fd);
    for (const char* want : {"r3", "r4", "r8"}) CHECK(read_message(second.fd) == want);
  }
  SUBCASE("close() with the peer still down counts what waits") {
    ::close(first.fd), first.fd = -1;
    ::close(listener.fd), listener.fd = -1;
    let_close_arrive();
    for (int i = 3; i < 6; ++i) log(h, "r" + std::to_string(i));
    h.close();
    CHECK(h.waiting() == 0);
    CHECK(h.stats().dropped_peer_down == 3);
  }
}

TEST_CASE("backlog 0 keeps CPython's behaviour: every record to a dead peer fails") {
  test::ScopedGlobals globals;
  set_raise_exceptions(false);
  int port = 0;
  auto listener = listen_on(port);
  SysLogHandler h(SysLogHandler::Address("127.0.0.1", port), std::int64_t{SysLogHandler::LOG_USER},
                  SOCK_STREAM);
  h.backlog = 0;
  auto conn = ts::accept_one(listener.fd);
  ::close(conn.fd), conn.fd = -1;
  ::close(listener.fd), listener.fd = -1;
  let_close_arrive();
  for (int i = 0; i < 4; ++i) log(h, "x");
  // The first send may still be taken by the kernel (then the reset fails the next ones).
  CHECK(h.stats().errors >= 3);
  CHECK(h.waiting() == 0);
}
