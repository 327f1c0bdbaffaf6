// SocketHandler, DatagramHandler and SysLogHandler against real peers on 127.0.0.1 and
// Unix sockets in a temporary directory; the pickle encoder against CPython's bytes.
#include <doctest/doctest.h>

#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "dictlog/config_json.hpp"
#include "dictlog/errors.hpp"
#include "dictlog/logger.hpp"
#include "dictlog/queue.hpp"
#include "dictlog/queue_handler.hpp"
#include "dictlog/queue_listener.hpp"
#include "dictlog/socket_handler.hpp"
#include "dictlog/syslog_handler.hpp"
#include "net/pickle.hpp"
#include "support/capture.hpp"
#include "support/sockets.hpp"
#include "support/temp_dir.hpp"

using namespace dictlog;
using dictlog::detail::PickleItem;
using namespace dictlog::test::sockets;
using dictlog::test::StderrCapture;
using dictlog::test::TempDir;

namespace {

std::string hex(std::string_view b) {
  static const char* d = "0123456789abcdef";
  std::string out;
  for (unsigned char c : b) out += d[c >> 4], out += d[c & 15];
  return out;
}

std::uint64_t fnv1a(std::string_view b) {
  std::uint64_t h = 0xcbf29ce484222325ULL;
  for (unsigned char c : b) h = (h ^ c) * 0x100000001b3ULL;
  return h;
}

LogRecord rec(const char* msg, int level = INFO, const char* name = "net") {
  return make_log_record({{"msg", msg},
                          {"levelno", level},
                          {"levelname", get_level_name(level)},
                          {"name", name},
                          {"pathname", "/src/net.cpp"},
                          {"lineno", 7}});
}

// The record behind kFixedRecord, CPython's bytes below.
LogRecord fixed_record() {
  LogRecord r;
  r.name = "app.db";
  r.levelno = WARNING;
  r.levelname = "WARNING";
  r.pathname = "/srv/app/db.py";
  r.func = "connect";
  r.lineno = 42;
  r.created_ns = 1700000000123456789;
  r.relative_created = 1234.5;
  r.thread = 140245678901234;
  r.thread_name = "MainThread";
  r.process_name = "MainProcess";
  r.process = 4242;
  r.set_msg("user {} failed");
  r.capture_args(std::string("bob"));
  r.extra = {{"user", "bob"}, {"attempt", 3}, {"ratio", 0.25}, {"ok", true}, {"none", nullptr}};
  return r;
}

}  // namespace

// Expected bytes from CPython 3.13.0:
//   import pickle
//   for d in cases: print(pickle.dumps(d, 1).hex())
TEST_CASE("pickle_dict writes pickle.dumps(d, 1) byte for byte") {
  using V = detail::PickleValue;
  struct Case {
    const char* what;
    std::vector<PickleItem> items;
    const char* expected;
  };
  const std::vector<Case> cases = {
      // {}
      {"empty", {}, "7d71002e"},
      // {"a": 1}: a single item is SETITEM, with no MARK
      {"one", {{"a", std::int64_t{1}}}, "7d710058010000006171014b01732e"},
      // {"i0":0,"i255":255,"i256":256,"i65535":65535,"i65536":65536,"neg":-1,
      //  "min32":-2**31,"max32":2**31-1,"big":2**31,"bigneg":-2**31-1,"huge":2**64-1,
      //  "min64":-2**63}
      {"ints",
       {{"i0", std::int64_t{0}},
        {"i255", std::int64_t{255}},
        {"i256", std::int64_t{256}},
        {"i65535", std::int64_t{65535}},
        {"i65536", std::int64_t{65536}},
        {"neg", std::int64_t{-1}},
        {"min32", std::int64_t{INT32_MIN}},
        {"max32", std::int64_t{INT32_MAX}},
        {"big", std::int64_t{2147483648}},
        {"bigneg", std::int64_t{-2147483649}},
        {"huge", V(std::uint64_t{UINT64_MAX})},
        {"min64", V(std::int64_t{INT64_MIN})}},
       "7d7100285802000000693071014b0058040000006932353571024bff58040000006932353671034d00015806"
       "00000069363535333571044dffff580600000069363535333671054a0000010058030000006e656771064aff"
       "ffffff58050000006d696e333271074a0000008058050000006d6178333271084affffff7f58030000006269"
       "6771094c323134373438333634384c0a58060000006269676e6567710a4c2d323134373438333634394c0a58"
       "0400000068756765710b4c31383434363734343037333730393535313631354c0a58050000006d696e363471"
       "0c4c2d393232333337323033363835343737353830384c0a752e"},
      // {"t":True,"f":False,"n":None,"x":1.5,"y":-0.0,"z":1e300,"inf":float("inf")}
      {"scalars",
       {{"t", true},
        {"f", false},
        {"n", std::monostate{}},
        {"x", 1.5},
        {"y", -0.0},
        {"z", 1e300},
        {"inf", HUGE_VAL}},
       "7d71002858010000007471014930310a58010000006671024930300a58010000006e71034e58010000007871"
       "04473ff8000000000000580100000079710547800000000000000058010000007a7106477e37e43c8800759c"
       "5803000000696e667107477ff0000000000000752e"},
      // {"s":"café","e":"","e2":"","c":"x","c2":"x","emoji":"😀","bad":"\udcff","x":"é"}:
      // "" and one-character Latin-1 strings are shared objects, so repeats are BINGET
      // (the key "x" too); a byte that is not UTF-8 is a surrogate escape.
      {"strings",
       {{"s", std::string_view("caf\xc3\xa9")},
        {"e", std::string_view("")},
        {"e2", std::string_view("")},
        {"c", std::string_view("x")},
        {"c2", std::string_view("x")},
        {"emoji", std::string_view("\xf0\x9f\x98\x80")},
        {"bad", std::string_view("\xff")},
        {"x", std::string_view("\xc3\xa9")}},
       "7d71002858010000007371015805000000636166c3a971025801000000657103580000000071045802000000"
       "6532710568045801000000637106580100000078710758020000006332710868075805000000656d6f6a6971"
       "095804000000f09f9880710a5803000000626164710b5803000000edb3bf710c68075802000000c3a9710d75"
       "2e"},
  };
  for (const auto& c : cases) {
    CAPTURE(c.what);
    CHECK(hex(detail::pickle_dict(c.items)) == c.expected);
  }
}

// b = pickle.dumps({f"k{i}": i for i in range(1001)}, 1)
// len(b), fnv1a64(b), b[:16].hex(), b[-24:].hex()
//   -> 15895 0x9ebbcd7015c80b6e 7d71002858020000006b3071014b0058
//      e703752858050000006b3130303072e90300004de803752e
TEST_CASE("pickle_dict: batches of 1000 and LONG_BINPUT past 255 memo entries") {
  std::vector<std::string> keys;
  for (int i = 0; i < 1001; ++i) keys.push_back("k" + std::to_string(i));
  std::vector<PickleItem> items;
  for (int i = 0; i < 1001; ++i) items.emplace_back(keys[i], std::int64_t{i});
  std::string b = detail::pickle_dict(items);
  CHECK(b.size() == 15895);
  CHECK(fnv1a(b) == 0x9ebbcd7015c80b6eULL);
  CHECK(hex(b.substr(0, 16)) == "7d71002858020000006b3071014b0058");
  CHECK(hex(b.substr(b.size() - 24)) == "e703752858050000006b3130303072e90300004de803752e");
  // Exactly 1000 items: CPython then writes an empty MARK SETITEMS batch.
  items.pop_back();
  b = detail::pickle_dict(items);
  CHECK(hex(b.substr(b.size() - 4)) == "7528752e");
}

// r = logging.LogRecord("app.db", logging.WARNING, "/srv/app/db.py", 42,
//                       "user %s failed", ("bob",), None, "connect")
// r.created = 1700000000123456789/1e9; r.msecs = 123.0; r.relativeCreated = 1234.5
// r.thread = 140245678901234; r.process = 4242   (threadName, processName as usual)
// for k, v in {"user":"bob","attempt":3,"ratio":0.25,"ok":True,"none":None}.items():
//     setattr(r, k, v)
// logging.handlers.SocketHandler("127.0.0.1", 9).makePickle(r).hex()
constexpr const char* kFixedRecord =
    "0000024f7d71002858040000006e616d65710158060000006170702e6462710258030000006d73677103580f"
    "0000007573657220626f62206661696c6564710458040000006172677371054e58090000006c6576656c6e61"
    "6d65710658070000005741524e494e47710758070000006c6576656c6e6f71084b1e5808000000706174686e"
    "616d657109580e0000002f7372762f6170702f64622e7079710a580800000066696c656e616d65710b580500"
    "000064622e7079710c58060000006d6f64756c65710d58020000006462710e58080000006578635f696e666f"
    "710f4e58080000006578635f7465787471104e580a000000737461636b5f696e666f71114e58060000006c69"
    "6e656e6f71124b2a580800000066756e634e616d6571135807000000636f6e6e656374711458070000006372"
    "656174656471154741d954fc4007e6b758050000006d73656373711647405ec00000000000580f0000007265"
    "6c61746976654372656174656471174740934a0000000000580600000074687265616471184c313430323435"
    "3637383930313233344c0a580a0000007468726561644e616d657119580a0000004d61696e54687265616471"
    "1a580b00000070726f636573734e616d65711b580b0000004d61696e50726f63657373711c58070000007072"
    "6f63657373711d4d921058080000007461736b4e616d65711e4e580400000075736572711f5803000000626f"
    "6271205807000000617474656d707471214b035805000000726174696f7122473fd000000000000058020000"
    "006f6b71234930310a58040000006e6f6e6571244e752e";
// The same after r.exc_text = "ValueError: boom" (exc_info stays None in the dict).
constexpr const char* kFixedRecordExc =
    "000002657d71002858040000006e616d65710158060000006170702e6462710258030000006d73677103580f"
    "0000007573657220626f62206661696c6564710458040000006172677371054e58090000006c6576656c6e61"
    "6d65710658070000005741524e494e47710758070000006c6576656c6e6f71084b1e5808000000706174686e"
    "616d657109580e0000002f7372762f6170702f64622e7079710a580800000066696c656e616d65710b580500"
    "000064622e7079710c58060000006d6f64756c65710d58020000006462710e58080000006578635f696e666f"
    "710f4e58080000006578635f746578747110581000000056616c75654572726f723a20626f6f6d7111580a00"
    "0000737461636b5f696e666f71124e58060000006c696e656e6f71134b2a580800000066756e634e616d6571"
    "145807000000636f6e6e656374711558070000006372656174656471164741d954fc4007e6b758050000006d"
    "73656373711747405ec00000000000580f00000072656c61746976654372656174656471184740934a000000"
    "0000580600000074687265616471194c3134303234353637383930313233344c0a580a000000746872656164"
    "4e616d65711a580a0000004d61696e546872656164711b580b00000070726f636573734e616d65711c580b00"
    "00004d61696e50726f63657373711d580700000070726f63657373711e4d921058080000007461736b4e616d"
    "65711f4e58040000007573657271205803000000626f6271215807000000617474656d707471224b03580500"
    "0000726174696f7123473fd000000000000058020000006f6b71244930310a58040000006e6f6e6571254e75"
    "2e";

TEST_CASE("make_pickle: CPython's makePickle bytes for the same record") {
  SocketHandler h("127.0.0.1", 9);
  LogRecord r = fixed_record();
  CHECK(hex(h.make_pickle(r)) == kFixedRecord);
  // With an exception the record is formatted first, which fills exc_text.
  r.exc_text = "ValueError: boom";
  CHECK(hex(h.make_pickle(r)) == kFixedRecordExc);
  CHECK_FALSE(h.connected());  // making the bytes opens nothing
}

TEST_CASE("SocketHandler: connects at the first record and sends length-prefixed frames") {
  int port = 0;
  Fd server = bound_inet(SOCK_STREAM, port);
  REQUIRE(::listen(server.fd, 4) == 0);
  auto h = std::make_shared<SocketHandler>("127.0.0.1", port);
  CHECK_FALSE(pending(server.fd));  // nothing before the first record
  LogRecord a = rec("first");
  LogRecord b = rec("second", ERROR);
  const std::string fa = h->make_pickle(a), fb = h->make_pickle(b);
  h->handle(a);
  Fd conn = accept_one(server.fd);
  h->handle(b);
  CHECK(read_frame(conn.fd) == fa);
  CHECK(read_frame(conn.fd) == fb);  // the same connection, kept open
  CHECK_FALSE(pending(server.fd));
  h->close();
  CHECK_FALSE(h->connected());
}

TEST_CASE("SocketHandler: a Unix stream socket when port is null") {
  TempDir dir;
  const std::string path = (dir.path() / "log.sock").string();
  Fd server = bound_unix(SOCK_STREAM, path);
  REQUIRE(::listen(server.fd, 4) == 0);
  auto h = std::make_shared<SocketHandler>(path, std::nullopt);
  LogRecord r = rec("over unix");
  const std::string expected = h->make_pickle(r);
  h->handle(r);
  Fd conn = accept_one(server.fd);
  CHECK(read_frame(conn.fd) == expected);
}

TEST_CASE("SocketHandler: a refused connect drops the record silently and backs off") {
  int port = 0;
  Fd server = bound_inet(SOCK_STREAM, port);  // bound, not listening: connects are refused
  auto h = std::make_shared<SocketHandler>("127.0.0.1", port);
  double now = 1000.0;
  h->clock = [&] { return now; };
  StderrCapture err;
  LogRecord r = rec("lost");
  h->handle(r);
  CHECK_FALSE(h->connected());
  REQUIRE(h->retry_time());
  CHECK(*h->retry_time() == 1001.0);
  CHECK(h->retry_period() == 1.0);

  // Listening now, but before retryTime the handler does not even try.
  REQUIRE(::listen(server.fd, 4) == 0);
  now = 1000.5;
  LogRecord early = rec("too early");
  h->handle(early);
  CHECK_FALSE(pending(server.fd));
  CHECK_FALSE(h->connected());
  CHECK(*h->retry_time() == 1001.0);

  now = 1001.0;
  LogRecord on_time = rec("on time");
  const std::string expected = h->make_pickle(on_time);
  h->handle(on_time);
  CHECK(h->connected());
  CHECK_FALSE(h->retry_time());  // a success resets the back-off
  Fd conn = accept_one(server.fd);
  CHECK(read_frame(conn.fd) == expected);  // the dropped records never arrive
  err.restore();
  CHECK(err.text() == "");
  // Python says nothing of them; the counts do.
  CHECK(h->stats() == HandlerStats{.emitted = 3, .dropped_peer_down = 2});
}

TEST_CASE("SocketHandler: the back-off doubles up to retryMax") {
  int port = 0;
  Fd server = bound_inet(SOCK_STREAM, port);  // never listening
  auto h = std::make_shared<SocketHandler>("127.0.0.1", port);
  double now = 0;
  h->clock = [&] { return now; };
  StderrCapture err;
  std::vector<double> periods, times;
  for (int i = 0; i < 8; ++i) {
    LogRecord r = rec("x");
    h->handle(r);
    periods.push_back(h->retry_period());
    times.push_back(*h->retry_time());
    now = *h->retry_time();
  }
  CHECK(periods == std::vector<double>{1, 2, 4, 8, 16, 30, 30, 30});
  CHECK(times == std::vector<double>{1, 3, 7, 15, 31, 61, 91, 121});
  // Past retryTime: one more failed attempt, the next one retryMax after now; before
  // that, nothing moves.
  now = 121.5;
  LogRecord r = rec("x");
  h->handle(r);
  CHECK(*h->retry_time() == 151.5);
  now = 151.4;
  h->handle(r);
  CHECK(*h->retry_time() == 151.5);
  err.restore();
  CHECK(err.text() == "");
}

TEST_CASE("SocketHandler: a failed send closes the socket silently; the next record reconnects") {
  int port = 0;
  Fd server = bound_inet(SOCK_STREAM, port);
  REQUIRE(::listen(server.fd, 4) == 0);
  auto h = std::make_shared<SocketHandler>("127.0.0.1", port);
  StderrCapture err;
  LogRecord r = rec("one");
  h->handle(r);
  { Fd gone = accept_one(server.fd); }  // the peer hangs up
  // The first sends after the hang-up may still succeed; one fails once the reset is back.
  for (int i = 0; i < 1000 && h->connected(); ++i) h->handle(r);
  CHECK_FALSE(h->connected());
  CHECK_FALSE(h->retry_time());              // a send failure is no connect failure: no back-off
  CHECK(h->stats().dropped_peer_down == 1);  // the send that failed
  LogRecord again = rec("again");
  const std::string expected = h->make_pickle(again);
  h->handle(again);
  Fd conn = accept_one(server.fd);
  CHECK(read_frame(conn.fd) == expected);
  err.restore();
  CHECK(err.text() == "");
}

TEST_CASE("SocketHandler: a peer that never reads holds up the listener, never the producers") {
  int port = 0;
  Fd server = bound_inet(SOCK_STREAM, port);
  const int small = 4096;  // accepted connections inherit it: the peer's window stays small
  ::setsockopt(server.fd, SOL_SOCKET, SO_RCVBUF, &small, sizeof small);
  REQUIRE(::listen(server.fd, 16) == 0);  // the kernel completes connects; nobody reads
  auto h = std::make_shared<SocketHandler>("127.0.0.1", port);
  auto q = std::make_shared<Queue>();
  auto qh = std::make_shared<QueueHandler>(q);
  Logger& lg = get_logger("net.stuck");
  lg.set_propagate(false);
  lg.add_handler(qh);
  QueueListener listener(q, {h});
  listener.start();
  constexpr int kRecords = 5000;  // 2 KiB each: 10 MB, more than the socket buffers hold
  const std::string text(2048, 'r');
  StderrCapture err;
  for (int i = 0; i < kRecords; ++i) lg.warning("{} {}", i, text);
  // Every call has returned while the listener is still in its first blocked send (each
  // send gives up after CPython's 1 s socket timeout).
  const HandlerStats during = h->stats();
  listener.stop();  // drains: each time the buffers fill, a 1 s timeout, a new connection
  err.restore();
  lg.remove_handler(qh);
  const HandlerStats after = h->stats();
  MESSAGE("records taken by the listener when the producer was done: " << during.emitted << " of "
                                                                       << kRecords
                                                                       << "; dropped (peer "
                                                                          "down) at the end: "
                                                                       << after.dropped_peer_down);
  CHECK(during.emitted < kRecords);
  CHECK(after.emitted == kRecords);
  CHECK(after.dropped_peer_down >= 1);  // the sends that timed out, and the back-off's
  CHECK(after.errors == 0);             // silently, as CPython
  CHECK(err.text() == "");
}

TEST_CASE("SocketHandler: a record that cannot be pickled goes to handle_error") {
  auto h = std::make_shared<SocketHandler>("127.0.0.1", 9);
  LogRecord r = rec("x");
  r.set_msg("{} and {}");
  r.capture_args(1);  // one argument for two fields: getMessage fails
  StderrCapture err;
  h->handle(r);
  err.restore();
  CHECK(err.text().starts_with("--- Logging error ---\nValueError: "));
  CHECK_FALSE(h->retry_time());  // failed before any connect
}

TEST_CASE("DatagramHandler: one datagram per record, length prefix included") {
  int port = 0;
  Fd server = bound_inet(SOCK_DGRAM, port);
  auto h = std::make_shared<DatagramHandler>("127.0.0.1", port);
  LogRecord a = rec("udp one");
  LogRecord b = fixed_record();
  h->handle(a);
  h->handle(b);
  CHECK(recv_datagram(server.fd) == h->make_pickle(a));
  CHECK(hex(recv_datagram(server.fd)) == kFixedRecord);
  CHECK(h->class_name() == "DatagramHandler");
}

TEST_CASE("DatagramHandler: a Unix datagram socket; a missing one reaches handle_error") {
  TempDir dir;
  const std::string path = (dir.path() / "dgram.sock").string();
  Fd server = bound_unix(SOCK_DGRAM, path);
  auto h = std::make_shared<DatagramHandler>(path, std::nullopt);
  LogRecord r = rec("unix dgram");
  h->handle(r);
  CHECK(recv_datagram(server.fd) == h->make_pickle(r));

  auto missing =
      std::make_shared<DatagramHandler>((dir.path() / "none.sock").string(), std::nullopt);
  StderrCapture err;
  missing->handle(r);
  err.restore();
  CHECK(err.text().starts_with(
      "--- Logging error ---\nOSError: [Errno 2] No such file or directory\n"));
}

TEST_CASE("SysLogHandler over UDP: <PRI> + ident + message + NUL, UTF-8") {
  int port = 0;
  Fd server = bound_inet(SOCK_DGRAM, port);
  auto h = std::make_shared<SysLogHandler>(SysLogHandler::Address("127.0.0.1", port));
  CHECK(h->socktype() == SOCK_DGRAM);
  LogRecord r = rec("m20 caf\xc3\xa9");
  h->handle(r);
  CHECK(recv_datagram(server.fd) == std::string("<14>m20 caf\xc3\xa9\0", 14));

  auto local0 = std::make_shared<SysLogHandler>(SysLogHandler::Address("127.0.0.1", port),
                                                std::string("local0"));
  local0->ident = "app: ";
  local0->append_nul = false;
  LogRecord e = rec("x", ERROR);
  local0->handle(e);
  CHECK(recv_datagram(server.fd) == "<131>app: x");
  // Levels map to priorities by name; an unknown name is "warning".
  for (auto [level, pri] : {std::pair{DEBUG, "<135>"},
                            {INFO, "<134>"},
                            {WARNING, "<132>"},
                            {CRITICAL, "<130>"},
                            {25, "<132>"}}) {
    LogRecord l = rec("p", level);
    local0->handle(l);
    CHECK(recv_datagram(server.fd) == std::string(pri) + "app: p");
  }
}

TEST_CASE("SysLogHandler: an unknown facility name fails each record through handle_error") {
  int port = 0;
  Fd server = bound_inet(SOCK_DGRAM, port);
  auto h = std::make_shared<SysLogHandler>(SysLogHandler::Address("127.0.0.1", port),
                                           std::string("bogus"));
  StderrCapture err;
  LogRecord r = rec("x");
  h->handle(r);
  err.restore();
  INFO(err.text());
  CHECK(err.text().starts_with("--- Logging error ---\nKeyError: 'bogus'\n"));
  CHECK_FALSE(pending(server.fd));
  CHECK(SysLogHandler::encode_priority(std::string("local7"), std::string("emerg")) == 184);
  CHECK(SysLogHandler::encode_priority(std::int64_t{3}, std::int64_t{5}) == 29);
}

TEST_CASE("SysLogHandler over TCP: connected at construction, no framing; refused throws") {
  int port = 0;
  Fd server = bound_inet(SOCK_STREAM, port);
  CHECK_THROWS_WITH_AS(
      SysLogHandler(SysLogHandler::Address("127.0.0.1", port), std::int64_t{1}, SOCK_STREAM),
      "[Errno 111] Connection refused", OSError);
  REQUIRE(::listen(server.fd, 4) == 0);
  auto h = std::make_shared<SysLogHandler>(SysLogHandler::Address("127.0.0.1", port),
                                           std::int64_t{1}, SOCK_STREAM);
  Fd conn = accept_one(server.fd);  // before any record
  LogRecord a = rec("one");
  LogRecord b = rec("two", WARNING);
  h->handle(a);
  h->handle(b);
  CHECK(read_exactly(conn.fd, 16) == std::string("<14>one\0<12>two\0", 16));
}

TEST_CASE("SysLogHandler on a Unix datagram socket; a missing socket fails at emit") {
  TempDir dir;
  const std::string path = (dir.path() / "log").string();
  Fd server = bound_unix(SOCK_DGRAM, path);
  auto h = std::make_shared<SysLogHandler>(SysLogHandler::Address(path));
  CHECK(h->unixsocket());
  CHECK(h->socktype() == SOCK_DGRAM);
  LogRecord r = rec("m20 caf\xc3\xa9");
  h->handle(r);
  CHECK(recv_datagram(server.fd) == std::string("<14>m20 caf\xc3\xa9\0", 14));

  // CPython swallows the failed connect at construction and fails every record.
  auto missing = std::make_shared<SysLogHandler>(SysLogHandler::Address(path + ".none"));
  CHECK_FALSE(missing->socktype());
  StderrCapture err;
  missing->handle(r);
  err.restore();
  CHECK(err.text().starts_with(
      "--- Logging error ---\nOSError: [Errno 2] No such file or directory\n"));
}

TEST_CASE("SysLogHandler on a Unix socket that goes away and comes back: reported, then resumed") {
  TempDir dir;
  const std::string path = (dir.path() / "log").string();
  auto server = std::make_unique<Fd>(bound_unix(SOCK_DGRAM, path));
  auto h = std::make_shared<SysLogHandler>(SysLogHandler::Address(path));
  LogRecord a = rec("before");
  h->handle(a);
  CHECK(recv_datagram(server->fd) == std::string("<14>before\0", 11));
  // The daemon stops: its socket is closed and removed (as rsyslogd does on restart).
  server.reset();
  std::filesystem::remove(path);
  StderrCapture err;
  LogRecord lost = rec("while down");
  h->handle(lost);
  err.restore();
  // CPython reconnects once, fails, and reports the record.
  CHECK(err.text().starts_with("--- Logging error ---\n"));
  CHECK(err.text().find("Message: 'while down'") != std::string::npos);
  CHECK(h->stats().errors == 1);
  // The daemon is back at the same path: the next record reconnects and arrives.
  server = std::make_unique<Fd>(bound_unix(SOCK_DGRAM, path));
  LogRecord b = rec("after");
  h->handle(b);
  CHECK(recv_datagram(server->fd) == std::string("<14>after\0", 10));
  h->close();
}

namespace {
nlohmann::ordered_json config_json(const std::string& text) {
  return nlohmann::ordered_json::parse(text);
}
std::vector<std::string> problems(const std::string& text) {
  std::vector<std::string> out;
  for (const auto& p : config::check(config_json(text)))
    out.push_back(p.pointer + ": " + p.message);
  return out;
}
}  // namespace

TEST_CASE("dictConfig: SysLogHandler with an address list, ext:// socktype and facility, and '.'") {
  int port = 0;
  Fd server = bound_inet(SOCK_DGRAM, port);
  config::dict_config(config_json(R"J({"version": 1,
    "formatters": {"f": {"format": "%(name)s %(levelname)s %(message)s"}},
    "handlers": {"sys": {"class": "logging.handlers.SysLogHandler", "formatter": "f",
      "address": ["127.0.0.1", )J" +
                                  std::to_string(port) + R"J(],
      "facility": "ext://logging.handlers.SysLogHandler.LOG_LOCAL0",
      "socktype": "ext://socket.SOCK_DGRAM",
      ".": {"ident": "app: ", "append_nul": 0}}},
    "root": {"level": "DEBUG", "handlers": ["sys"]}})J"));
  auto h = get_handler_by_name<SysLogHandler>("sys");
  REQUIRE(h);
  CHECK(h->ident == "app: ");
  CHECK_FALSE(h->append_nul);
  get_logger("db").warning("slow");
  CHECK(recv_datagram(server.fd) == "<132>app: db WARNING slow");
  config::dict_config(config_json(R"J({"version": 1})J"));
}

TEST_CASE("dictConfig: SocketHandler and DatagramHandler by Python's parameter names") {
  int tcp_port = 0, udp_port = 0;
  Fd tcp = bound_inet(SOCK_STREAM, tcp_port);
  REQUIRE(::listen(tcp.fd, 4) == 0);
  Fd udp = bound_inet(SOCK_DGRAM, udp_port);
  config::dict_config(config_json(R"J({"version": 1,
    "handlers": {
      "tcp": {"class": "logging.handlers.SocketHandler", "host": "127.0.0.1", "port": )J" +
                                  std::to_string(tcp_port) + R"J(},
      "udp": {"class": "logging.handlers.DatagramHandler", "host": "127.0.0.1", "port": ")J" +
                                  std::to_string(udp_port) + R"J("}},
    "root": {"level": "INFO", "handlers": ["tcp", "udp"]}})J"));
  CHECK_FALSE(pending(tcp.fd));  // SocketHandler connects at the first record
  get_logger("svc").info("up", extra{{"port", 80}});
  Fd conn = accept_one(tcp.fd);
  const std::string frame = read_frame(conn.fd);
  CHECK(recv_datagram(udp.fd) == frame);  // the same bytes both ways
  CHECK(frame.find(std::string("X\x04\0\0\0portq", 9)) != std::string::npos);  // extra key
  config::dict_config(config_json(R"J({"version": 1})J"));
}

TEST_CASE("dictConfig: TCP SysLogHandler connects while configuring; check() opens nothing") {
  int port = 0;
  Fd server = bound_inet(SOCK_STREAM, port);
  const std::string text = R"J({"version": 1, "handlers": {"sys": {
      "class": "logging.handlers.SysLogHandler", "address": ["127.0.0.1", )J" +
                           std::to_string(port) +
                           R"J(], "socktype": "ext://socket.SOCK_STREAM"}}})J";
  // Refused: CPython's dictConfig fails ("Unable to configure handler 'sys'").
  CHECK_THROWS_AS(config::dict_config(config_json(text)), config::ConfigError);
  REQUIRE(::listen(server.fd, 4) == 0);
  CHECK(problems(text).empty());
  CHECK_FALSE(pending(server.fd));  // the dry run built no socket
  config::dict_config(config_json(text));
  CHECK(pending(server.fd));
  config::dict_config(config_json(R"J({"version": 1})J"));
}

TEST_CASE("dictConfig: what the network handlers reject") {
  CHECK(problems(R"J({"version": 1, "handlers": {"h": {"class": "logging.handlers.SocketHandler",
        "host": "localhost"}}})J") ==
        std::vector<std::string>{"/handlers/h: logging.handlers.SocketHandler needs 'port' "
                                 "(missing required argument; null for a Unix socket)"});
  CHECK(problems(R"J({"version": 1, "handlers": {"h": {"class": "logging.handlers.DatagramHandler",
        "host": "localhost", "port": 1.5}}})J") ==
        std::vector<std::string>{"/handlers/h/port: logging.handlers.DatagramHandler: 'port' must "
                                 "be a port number, a service name or null, not 1.5"});
  CHECK(problems(R"J({"version": 1, "handlers": {"h": {"class": "logging.handlers.SysLogHandler",
        "address": ["localhost"]}}})J") ==
        std::vector<std::string>{"/handlers/h/address: SysLogHandler: 'address' must be a Unix "
                                 "socket path or a [host, port] list, not ['localhost']"});
  CHECK(problems(R"J({"version": 1, "handlers": {"h": {"class": "logging.handlers.SysLogHandler",
        "socktype": 5}}})J") ==
        std::vector<std::string>{"/handlers/h/socktype: SysLogHandler: 'socktype' must be "
                                 "\"ext://socket.SOCK_STREAM\", \"ext://socket.SOCK_DGRAM\" or "
                                 "null, not 5"});
  CHECK(problems(R"J({"version": 1, "handlers": {"h": {"class": "logging.handlers.SysLogHandler",
        ".": {"ident": 3}}}})J") ==
        std::vector<std::string>{"/handlers/h/./ident: ident must be a string"});
}

// CPython 3.13.0's makePickle of the same record after a Formatter('%(asctime)s') formatted it
// (the dict written out in __dict__ order, then pickle.dumps(d, 1), length prefixed).
const char* const kStructuredRecord =
    "000002777d71002858040000006e616d65710158060000006170702e6462710258030000006d73677103580f"
    "0000007573657220626f62206661696c6564710458040000006172677371054e58090000006c6576656c6e61"
    "6d65710658070000005741524e494e47710758070000006c6576656c6e6f71084b1e5808000000706174686e"
    "616d657109580e0000002f7372762f6170702f64622e7079710a580800000066696c656e616d65710b580500"
    "000064622e7079710c58060000006d6f64756c65710d58020000006462710e58080000006578635f696e666f"
    "710f4e58080000006578635f7465787471104e580a000000737461636b5f696e666f71114e58060000006c69"
    "6e656e6f71124b2a580800000066756e634e616d6571135807000000636f6e6e656374711458070000006372"
    "656174656471154741d954fc4007e6b758050000006d73656373711647405ec00000000000580f0000007265"
    "6c61746976654372656174656471174740934a0000000000580600000074687265616471184c313430323435"
    "3637383930313233344c0a580a0000007468726561644e616d657119580a0000004d61696e54687265616471"
    "1a580b00000070726f636573734e616d65711b580b0000004d61696e50726f63657373711c58070000007072"
    "6f63657373711d4d921058080000007461736b4e616d65711e4e5803000000696473711f5d7120284b014b02"
    "4b0365580300000063747871217d71222858010000006b7123580100000076712458010000006e71255d7126"
    "284930310a4e473ff80000000000006575580700000061736374696d6571275817000000323032332d31312d"
    "31342032323a31333a32302c3132337128752e";

TEST_CASE(
    "make_pickle: structured extras as Python lists and dicts, and the asctime a formatter left") {
  SocketHandler h("127.0.0.1", 9);
  LogRecord r = fixed_record();
  r.extra = {{"ids", Value::list({1, 2, 3})},
             {"ctx", Value::dict({{"k", "v"}, {"n", Value::list({true, nullptr, 1.5})}})}};
  Formatter f("%(asctime)s");
  f.set_utc(true);
  CHECK(f.format(r) == "2023-11-14 22:13:20,123");
  CHECK(hex(h.make_pickle(r)) == kStructuredRecord);
}

// pickle.dumps({"a": [1, [2, {}]], "b": {"k": ["é"]}, "c": []}, 1) in CPython 3.13.0.
TEST_CASE("pickle_dict: nested lists and dicts, one item (APPEND, SETITEM) and several") {
  const Value a = Value::list({1, Value::list({2, Value::dict({})})});
  const Value b = Value::dict({{"k", Value::list({"\xc3\xa9"})}});
  const Value c = Value::list({});
  std::vector<PickleItem> items = {{"a", detail::pickle_value(a.view())},
                                   {"b", detail::pickle_value(b.view())},
                                   {"c", detail::pickle_value(c.view())}};
  CHECK(hex(detail::pickle_dict(items)) ==
        "7d71002858010000006171015d7102284b015d7103284b027d710465655801000000627105"
        "7d71065801000000"
        "6b71075d71085802000000c3a971096173580100000063710a5d710b752e");
}
