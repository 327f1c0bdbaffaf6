// HTTPHandler: urllib's encoding and http.client's request rules against bytes CPython
// 3.13 produced, the constructor's checks, and a stalled peer behind a QueueHandler.
// The request bytes themselves are compared with CPython's in tests/net/http_peer_test.py.
#include <doctest/doctest.h>

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <string>
#include <thread>

#include "dictlog/errors.hpp"
#include "dictlog/http_handler.hpp"
#include "dictlog/logger.hpp"
#include "dictlog/queue.hpp"
#include "dictlog/queue_handler.hpp"
#include "dictlog/queue_listener.hpp"
#include "net/http_request.hpp"
#include "net/url_encode.hpp"
#include "support/scoped_globals.hpp"

using namespace dictlog;

namespace {

template <class E, class F>
std::string message_of(F f) {
  try {
    f();
  } catch (const E& e) {
    return e.what();
  }
  return "(no exception)";
}

// A peer that lets connections into its backlog and never reads or answers them.
class StalledPeer {
 public:
  StalledPeer() {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t n = sizeof a;
    REQUIRE(::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
    REQUIRE(::listen(fd_, 1) == 0);
    REQUIRE(::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &n) == 0);
    port_ = ntohs(a.sin_port);
  }
  ~StalledPeer() { close(); }
  // From now on connections are refused and those waiting are reset.
  void close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }
  int port() const { return port_; }

 private:
  int fd_ = -1;
  int port_ = 0;
};

// Counts the records emit was given and how each ended.
class CountingHTTPHandler : public HTTPHandler {
 public:
  using HTTPHandler::HTTPHandler;
  void emit(LogRecord& r) override {
    try {
      HTTPHandler::emit(r);
    } catch (const TimeoutError&) {
      ++timeouts;
      ++finished;
      throw;
    } catch (...) {
      ++finished;
      throw;
    }
    ++finished;
  }
  std::atomic<int> finished{0};
  std::atomic<int> timeouts{0};
};

}  // namespace

TEST_CASE("quote_plus is urllib.parse.quote_plus for every ASCII character") {
  std::string all;
  for (int c = 0; c < 128; ++c) all += static_cast<char>(c);
  // PYENV_VERSION=3.13.0 python3 -c "from urllib.parse import quote_plus;
  //   print(quote_plus(''.join(map(chr, range(128)))))"
  CHECK(detail::quote_plus(all) ==
        "%00%01%02%03%04%05%06%07%08%09%0A%0B%0C%0D%0E%0F%10%11%12%13%14%15%16%17%18%19%1A%1B"
        "%1C%1D%1E%1F+%21%22%23%24%25%26%27%28%29%2A%2B%2C-.%2F0123456789%3A%3B%3C%3D%3E%3F%40"
        "ABCDEFGHIJKLMNOPQRSTUVWXYZ%5B%5C%5D%5E_%60abcdefghijklmnopqrstuvwxyz%7B%7C%7D~%7F");
  CHECK(detail::quote_plus("") == "");
}

TEST_CASE("url_encode is urllib.parse.urlencode, UTF-8 text included") {
  // PYENV_VERSION=3.13.0 python3 -c "from urllib.parse import urlencode; print(urlencode(
  //   {'user': 'é ü', 'n': 3, 'a b&c=d': 'x+y/z?%', 'emoji': '\U0001F600', 'f': 0.25,
  //    'none': None, 'args': '()', 't': True}))"
  CHECK(detail::url_encode({{"user", "\u00e9 \u00fc"},
                            {"n", "3"},
                            {"a b&c=d", "x+y/z?%"},
                            {"emoji", "\U0001F600"},
                            {"f", "0.25"},
                            {"none", "None"},
                            {"args", "()"},
                            {"t", "True"}}) ==
        "user=%C3%A9+%C3%BC&n=3&a+b%26c%3Dd=x%2By%2Fz%3F%25&emoji=%F0%9F%98%80&f=0.25&none=None"
        "&args=%28%29&t=True");
  CHECK(detail::url_encode({}) == "");
}

TEST_CASE("the Host header is the one http.client's putrequest writes") {
  // http.client.HTTPConnection(host).putrequest('GET', url); the header CPython 3.13 buffered.
  auto host = [](const char* h, const char* url, long default_port = 80) {
    return detail::host_header(detail::parse_host(h, default_port), url);
  };
  CHECK(host("[::1]:8080", "/x") == "[::1]:8080");
  CHECK(host("example.com:80", "/") == "example.com");
  CHECK(host("example.com:0080", "/") == "example.com");
  CHECK(host("example.com:", "/") == "example.com");
  CHECK(host("example.com:443", "/", 443) == "example.com");
  CHECK(host("example.com:80", "/", 443) == "example.com:80");
  CHECK(host("[fe80::1%eth0]:8080", "/") == "[fe80::1]:8080");
  CHECK(host("h:81", "http://other:9/x") == "other:9");
  CHECK(host("h", "http://[::1%25x]:9/x") == "[::1]");
  CHECK(host("h", "httpx/y") == "h");
  CHECK(message_of<InvalidURL>([] { detail::parse_host("a:b", 80); }) == "nonnumeric port: 'b'");
  CHECK(message_of<InvalidURL>([] { detail::parse_host("a b", 80); }) ==
        "URL can't contain control characters. 'a b' (found at least ' ')");
  CHECK(detail::connection_url(detail::parse_host("[fe80::1%eth0]:8080", 80), true) ==
        "https://[fe80::1%25eth0]:8080/");
}

TEST_CASE("the request line is checked as putrequest checks it") {
  // c.putrequest('GET', url) for each url; str() of the exception CPython 3.13 raised.
  auto fails = [](const char* url) {
    return message_of<UnicodeEncodeError>([&] { detail::check_request_line("GET", url); });
  };
  CHECK(fails("/\u00e9") ==
        "'ascii' codec can't encode character '\\xe9' in position 5: ordinal not in range(128)");
  CHECK(fails("/\u00e9\u20acx") ==
        "'ascii' codec can't encode characters in position 5-6: ordinal not in range(128)");
  CHECK(fails("/a\U0001F600") ==
        "'ascii' codec can't encode character '\\U0001f600' in "
        "position 6: ordinal not in range(128)");
  CHECK(fails("/\u20ac") ==
        "'ascii' codec can't encode character '\\u20ac' in position 5: ordinal not in range(128)");
  CHECK(message_of<InvalidURL>([] { detail::check_request_line("GET", "/a b\x01"); }) ==
        "URL can't contain control characters. '/a b\\x01' (found at least ' ')");
  CHECK_NOTHROW(detail::check_request_line("POST", "/log?a=%C3%A9"));
  // base64.b64encode('logger:päss:word'.encode()) and the padding cases.
  CHECK(detail::base64("logger:p\u00e4ss:word") == "bG9nZ2VyOnDDpHNzOndvcmQ=");
  CHECK(detail::base64("a:") == "YTo=");
  CHECK(detail::base64("ab:") == "YWI6");
  CHECK(detail::base64(":") == "Og==");
}

TEST_CASE("the constructor checks what CPython's __init__ checks") {
  CHECK(message_of<ValueError>([] { HTTPHandler("h", "/", "PUT"); }) ==
        "method must be GET or POST");
  CHECK(message_of<ValueError>([] {
          HTTPHandler("h", "/", "GET", false, std::nullopt, HTTPHandler::TLSOptions{});
        }) == "context parameter only makes sense with secure=True");
  HTTPHandler h("h:1", "/", "post", true, HTTPHandler::Credentials{"u", "p"});
  CHECK(h.method() == "POST");
  CHECK(h.timeout == 10.0);
}

TEST_CASE("a stalled peer behind a QueueHandler does not hold up the producers") {
  test::ScopedGlobals globals;
  set_raise_exceptions(false);  // 200 "--- Logging error ---" blocks would say nothing new
  StalledPeer peer;
  auto http = std::make_shared<CountingHTTPHandler>("127.0.0.1:" + std::to_string(peer.port()),
                                                    "/log", "POST");
  http->timeout = 0.2;  // each record waits this long while the peer is stalled
  auto q = std::make_shared<Queue>();
  auto qh = std::make_shared<QueueHandler>(q);
  QueueListener listener(q, {http});
  Logger& lg = get_logger("http.stall");
  lg.set_level(DEBUG);
  lg.set_propagate(false);
  lg.add_handler(qh);
  listener.start();

  constexpr int n = 200;
  int returned = 0;
  for (int i = 0; i < n; ++i) {
    lg.info("record {}", i);
    ++returned;
  }
  // Had a producer waited for the peer, the handler would have finished n - 1 records by
  // now (n x 0.2 s of timeouts); behind the queue it has finished few or none.
  const int finished_when_produced = http->finished.load();
  CHECK(returned == n);
  CHECK(finished_when_produced < n / 2);

  // The first record ends when its timeout passes: the peer really stalls.
  for (int i = 0; i < 3000 && http->finished.load() == 0; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  CHECK(http->timeouts.load() >= 1);

  peer.close();  // the remaining records are refused at once: stop() ends soon
  listener.stop();
  lg.remove_handler(qh);
  CHECK(http->finished.load() == n);  // the queue took every record and handed it on
  http->close();
}
