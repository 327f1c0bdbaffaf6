// OTLPHandler's pieces: severity numbers, the JSON mapping's exact bytes, the OTEL_*
// environment and its precedence, the configuration's checks (pointers and messages), and
// fork(): the child's records sent once by a thread of its own.
// Delivery, retries and a stalled receiver are proven in tests/net/otlp_test.py.
#include <doctest/doctest.h>

#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "dictlog/config_json.hpp"
#include "dictlog/dictlog.hpp"
#include "dictlog/otlp_handler.hpp"
#include "net/otlp_json.hpp"
#include "support/fork_sanitizers.hpp"
#include "support/sockets.hpp"

using namespace dictlog;

// ThreadSanitizer ends a child that starts threads after a multi-threaded fork unless told
// not to; the fork case starts one.
extern "C" const char* __tsan_default_options() {
  return "die_after_fork=0";
}

namespace {

std::string any(const Value& v) {
  std::string out;
  detail::append_otlp_any_value(v.view(), out);
  return out;
}

// Sets (or, for nullptr, unsets) environment variables, restoring them when it ends.
class ScopedEnv {
 public:
  explicit ScopedEnv(std::vector<std::pair<const char*, const char*>> vars) {
    for (const auto& [k, v] : vars) {
      const char* old = std::getenv(k);
      saved_.emplace_back(k, old ? std::optional<std::string>(old) : std::nullopt);
      v ? ::setenv(k, v, 1) : ::unsetenv(k);
    }
  }
  ~ScopedEnv() {
    for (const auto& [k, v] : saved_)
      v ? ::setenv(k.c_str(), v->c_str(), 1) : ::unsetenv(k.c_str());
  }

 private:
  std::vector<std::pair<std::string, std::optional<std::string>>> saved_;
};

const std::vector<std::pair<const char*, const char*>> kNoOtelEnv = {
    {"OTEL_EXPORTER_OTLP_ENDPOINT", nullptr}, {"OTEL_EXPORTER_OTLP_LOGS_ENDPOINT", nullptr},
    {"OTEL_EXPORTER_OTLP_HEADERS", nullptr},  {"OTEL_EXPORTER_OTLP_LOGS_HEADERS", nullptr},
    {"OTEL_SERVICE_NAME", nullptr},           {"OTEL_RESOURCE_ATTRIBUTES", nullptr},
    {"OTEL_EXPORTER_OTLP_TIMEOUT", nullptr},  {"OTEL_EXPORTER_OTLP_COMPRESSION", nullptr}};

std::string resource_of(const OTLPHandler& h) {
  return detail::otlp_attributes(h.options().resource);
}

}  // namespace

TEST_CASE("Python levels map to OpenTelemetry's severity numbers by range") {
  const std::vector<std::pair<int, int>> table = {
      {0, 0},   {1, 1},   {3, 3},   {4, 4},   {9, 4},   {10, 5},  {11, 6},
      {12, 7},  {13, 8},  {19, 8},  {20, 9},  {25, 12}, {30, 13}, {39, 16},
      {40, 17}, {45, 20}, {50, 21}, {51, 22}, {52, 23}, {53, 24}, {99, 24}};
  for (const auto& row : table) {
    const int level = row.first;  // not a structured binding: clang 14's CAPTURE cannot
    CAPTURE(level);
    CHECK(otlp_severity_number(level) == row.second);
  }
}

TEST_CASE("values become AnyValue objects in OTLP's JSON mapping, byte for byte") {
  CHECK(any(Value()) == "{}");
  CHECK(any(true) == R"({"boolValue":true})");
  CHECK(any(-9007199254740993LL) == R"({"intValue":"-9007199254740993"})");
  CHECK(any(0.1) == R"({"doubleValue":0.1})");
  CHECK(any(std::nan("")) == R"({"doubleValue":"NaN"})");
  CHECK(any(-HUGE_VAL) == R"({"doubleValue":"-Infinity"})");
  CHECK(any("a\"b\\c\n\x01") == R"({"stringValue":"a\"b\\c\n\u0001"})");
  // A byte that is not UTF-8 becomes U+FFFD: a receiver rejects invalid UTF-8 outright.
  CHECK(any(std::string("caf\xc3\xa9 \xff")) == "{\"stringValue\":\"caf\xc3\xa9 \xef\xbf\xbd\"}");
  CHECK(any(Value::list({1, "x"})) ==
        R"({"arrayValue":{"values":[{"intValue":"1"},{"stringValue":"x"}]}})");
  CHECK(
      any(Value::dict({{"k", Value::dict({{"n", Value()}})}})) ==
      R"({"kvlistValue":{"values":[{"key":"k","value":{"kvlistValue":{"values":[{"key":"n","value":{}}]}}}]}})");
}

TEST_CASE("a batch groups records by scope, in the order each scope first appears") {
  std::vector<detail::OTLPEncoded> batch = {{"b", "{1}"}, {"a", "{2}"}, {"b", "{3}"}, {"c", "{4}"}};
  CHECK(detail::otlp_request_body("[]", batch, 3) ==
        R"({"resourceLogs":[{"resource":{"attributes":[]},"scopeLogs":[)"
        R"({"scope":{"name":"b"},"logRecords":[{1},{3}]},)"
        R"({"scope":{"name":"a"},"logRecords":[{2}]}]}]})");
}

TEST_CASE("a record carries its ids, code location, thread and exception as OTLP names them") {
  LogRecord r = make_log_record({{"name", "web"},
                                 {"levelno", 30},
                                 {"levelname", "WARNING"},
                                 {"pathname", "/src/app.cpp"},
                                 {"lineno", 7},
                                 {"trace_id", "5B8EFFF798038103D269B633813FC60C"},
                                 {"span_id", "0000000000000000"},
                                 {"n", 1}});
  r.created_ns = 1700000000123456789;
  r.exc_text = "std::runtime_error: disk full";
  std::string out;
  detail::append_otlp_log_record(r, "text", 1700000000200000000, out);
  CHECK(out.starts_with(
      R"({"timeUnixNano":"1700000000123456789","observedTimeUnixNano":"1700000000200000000",)"
      R"("severityNumber":13,"severityText":"WARNING","body":{"stringValue":"text"},)"
      R"("attributes":[{"key":"code.file.path","value":{"stringValue":"/src/app.cpp"}},)"));
  CHECK(out.find(R"({"key":"code.line.number","value":{"intValue":"7"}})") != out.npos);
  CHECK(out.find(R"({"key":"exception.type","value":{"stringValue":"std::runtime_error"}},)"
                 R"({"key":"exception.message","value":{"stringValue":"disk full"}})") != out.npos);
  CHECK(out.find(R"({"key":"n","value":{"intValue":"1"}})") != out.npos);
  // The trace id leaves the attributes for its field; an all-zero span id is "no id".
  CHECK(out.ends_with(R"(],"traceId":"5B8EFFF798038103D269B633813FC60C"})"));
  CHECK(out.find("span_id") == out.npos);
}

TEST_CASE("OTEL_* lists: trimmed, %-decoded, items without '=' skipped") {
  using KV = std::vector<std::pair<std::string, std::string>>;
  CHECK(detail::parse_otel_list(" a = 1 ,b=x%3Dy%2Cz,bad,,=v,c=") ==
        KV{{"a", "1"}, {"b", "x=y,z"}, {"c", ""}});
  CHECK(detail::otlp_rejected_records(R"({"partialSuccess":{"rejectedLogRecords":"12"}})") == 12);
  CHECK(detail::otlp_rejected_records("{}") == 0);
}

TEST_CASE(
    "the endpoint, headers, resource, timeout and gzip come from the environment when unset") {
  {
    ScopedEnv env(kNoOtelEnv);
    OTLPHandler h;
    CHECK(*h.options().endpoint == "http://localhost:4318/v1/logs");
    CHECK(*h.options().timeout == 10.0);
    CHECK(!*h.options().gzip);
    CHECK(resource_of(h) == R"([{"key":"service.name","value":{"stringValue":"unknown_service"}},)"
                            R"({"key":"telemetry.sdk.name","value":{"stringValue":"dictlog"}},)"
                            R"({"key":"telemetry.sdk.language","value":{"stringValue":"cpp"}}])");
  }
  ScopedEnv env(kNoOtelEnv);
  ScopedEnv set({{"OTEL_EXPORTER_OTLP_ENDPOINT", "https://collector:4318/"},
                 {"OTEL_EXPORTER_OTLP_HEADERS", "api-key=1,x-tenant=acme"},
                 {"OTEL_SERVICE_NAME", "billing"},
                 {"OTEL_RESOURCE_ATTRIBUTES", "service.name=other,region=eu"},
                 {"OTEL_EXPORTER_OTLP_TIMEOUT", "2500"},
                 {"OTEL_EXPORTER_OTLP_COMPRESSION", "gzip"}});
  OTLPOptions o;
  o.headers = {{"API-Key", "2"}};
  OTLPHandler h(o);
  CHECK(*h.options().endpoint == "https://collector:4318/v1/logs");
  CHECK(*h.options().timeout == 2.5);
  CHECK(*h.options().gzip);
  using KV = std::vector<std::pair<std::string, std::string>>;
  CHECK(h.options().headers == KV{{"x-tenant", "acme"}, {"API-Key", "2"}});
  CHECK(resource_of(h).starts_with(R"([{"key":"service.name","value":{"stringValue":"billing"}},)"
                                   R"({"key":"region","value":{"stringValue":"eu"}},)"));
  // The signal-specific variable is used as it is.
  ScopedEnv logs(std::vector<std::pair<const char*, const char*>>{
      {"OTEL_EXPORTER_OTLP_LOGS_ENDPOINT", "http://logs:9000/ingest"}});
  CHECK(*OTLPHandler().options().endpoint == "http://logs:9000/ingest");
}

TEST_CASE("a configuration builds an OTLPHandler and rejects bad keys at their pointers") {
  ScopedEnv env(kNoOtelEnv);
  auto cfg = [](const std::string& args) {
    auto h = nlohmann::ordered_json::parse(R"({"class": "dictlog.handlers.OTLPHandler"})");
    const auto extra = nlohmann::ordered_json::parse(args);
    for (const auto& [k, v] : extra.items()) h[k] = v;
    nlohmann::ordered_json c = {{"version", 1}, {"handlers", {{"otlp", h}}}};
    return c;
  };
  auto problems = [&](const std::string& args) {
    std::vector<std::string> out;
    for (const auto& p : config::check(cfg(args))) out.push_back(p.pointer + ": " + p.message);
    return out;
  };
  config::dict_config(cfg(R"({"endpoint": "http://127.0.0.1:1/v1/logs", "max_batch": 7,
      "headers": {"a": "b"}, "resource": {"service.name": "s", "n": 2}, "timeout": 0.5})"));
  auto h = get_handler_by_name<OTLPHandler>("otlp");
  REQUIRE(h);
  CHECK(h->options().max_batch == 7);
  CHECK(*h->options().timeout == 0.5);
  using V = std::vector<std::string>;
  CHECK(problems(R"({"max_batch": 0})") ==
        V{"/handlers/otlp/max_batch: OTLPHandler: 'max_batch' must be at least 1"});
  CHECK(problems(R"({"endpoint": "collector:4318"})") ==
        V{"/handlers/otlp/endpoint: OTLPHandler: endpoint must be an http:// or https:// URL, "
          "not 'collector:4318'"});
  CHECK(problems(R"({"headers": {"a": 1}})") ==
        V{"/handlers/otlp/headers: OTLPHandler: the header 'a' must be a string, not 1"});
  CHECK(problems(R"({"timeout": -1})") ==
        V{"/handlers/otlp/timeout: OTLPHandler: 'timeout' must be a number of seconds above 0, "
          "not -1"});
  CHECK(problems(R"({"flush_interval": "1s"})").size() == 1);
  CHECK(problems(R"({"max_que": 5})").size() == 1);
  shutdown();
}

namespace {

// Answers every POST with 200 and keeps the bodies: one thread polling the listener and its
// connections (keep-alive, so a handler's requests may share one).
class OkReceiver {
 public:
  OkReceiver() : listener_(test::sockets::bound_inet(SOCK_STREAM, port_)) {
    REQUIRE(::listen(listener_.fd, 16) == 0);
    thread_ = std::thread([this] { serve(); });
  }
  ~OkReceiver() {
    stop_ = true;
    thread_.join();
  }
  int port() const { return port_; }
  // How many records with this body the requests so far held.
  int count(const std::string& body) {
    const std::string needle = "\"body\":{\"stringValue\":\"" + body + "\"}";
    std::lock_guard lock(m_);
    int n = 0;
    for (const auto& b : bodies_)
      for (auto p = b.find(needle); p != b.npos; p = b.find(needle, p + 1)) ++n;
    return n;
  }

 private:
  void serve() {
    std::vector<std::pair<int, std::string>> conns;  // fd, bytes not yet answered
    while (!stop_) {
      std::vector<pollfd> fds{{listener_.fd, POLLIN, 0}};
      for (const auto& c : conns) fds.push_back({c.first, POLLIN, 0});
      if (::poll(fds.data(), fds.size(), 20) <= 0) continue;
      if (fds[0].revents & POLLIN) conns.emplace_back(::accept(listener_.fd, nullptr, nullptr), "");
      for (std::size_t i = 1; i < fds.size(); ++i) {
        if (!(fds[i].revents & (POLLIN | POLLHUP))) continue;
        auto& [fd, buf] = conns[i - 1];
        char chunk[65536];
        const ssize_t got = ::recv(fd, chunk, sizeof chunk, 0);
        if (got <= 0) {
          ::close(fd);
          fd = -1;
          continue;
        }
        buf.append(chunk, static_cast<std::size_t>(got));
        for (;;) {
          const auto head = buf.find("\r\n\r\n");
          if (head == buf.npos) break;
          const auto cl = buf.find("Content-Length: ");
          const std::size_t len = cl < head ? std::stoul(buf.substr(cl + 16)) : 0;
          if (buf.size() < head + 4 + len) break;
          {
            std::lock_guard lock(m_);
            bodies_.push_back(buf.substr(head + 4, len));
          }
          buf.erase(0, head + 4 + len);
          const std::string answer = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}";
          (void)!::send(fd, answer.data(), answer.size(), MSG_NOSIGNAL);
        }
      }
      std::erase_if(conns, [](const auto& c) { return c.first < 0; });
    }
    for (const auto& c : conns) ::close(c.first);
  }

  int port_ = 0;
  test::sockets::Fd listener_;
  std::atomic<bool> stop_{false};
  std::mutex m_;
  std::vector<std::string> bodies_;
  std::thread thread_;
};

// The child's exit status, or -1 if it has not ended within 30 s (then it is killed).
int wait_for(pid_t pid) {
  for (int i = 0; i < 3000; ++i) {
    int status = 0;
    if (::waitpid(pid, &status, WNOHANG) == pid) return status;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ::kill(pid, SIGKILL);
  ::waitpid(pid, nullptr, 0);
  return -1;
}

}  // namespace

TEST_CASE("after fork() the child sends its own records once, from a thread of its own") {
  ScopedEnv env(kNoOtelEnv);
  OkReceiver receiver;
  OTLPOptions o;
  o.endpoint = "http://127.0.0.1:" + std::to_string(receiver.port()) + "/v1/logs";
  o.max_batch = 1;
  o.flush_interval = 0.01;
  auto h = std::make_shared<OTLPHandler>(o);
  Logger& log = get_logger("otlp.fork");
  log.add_handler(h);
  log.set_level(INFO);
  log.info("p1");
  h->flush();  // the export thread runs and holds a connection when fork() comes
  REQUIRE(h->exported() == 1);
  const pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    log.info("c1");
    log.info("c2");
    h->flush();
    ::_exit(h->exported() == 2 && h->stats().dropped() == 0 ? 0 : 3);
  }
  const int status = wait_for(pid);
  log.info("p2");
  h->flush();
  log.remove_handler(h);
  h->close();
  if (kRuntimeForkSafe) REQUIRE(status != -1);  // the child did not hang
  CHECK(h->exported() == 2);
  CHECK(receiver.count("p1") == 1);  // never sent again by the child
  CHECK(receiver.count("p2") == 1);
  if (kChildThreadsChecked && status != -1) {
    CHECK(status == 0);  // the child's handler counted its two records, and only them
    CHECK(receiver.count("c1") == 1);
    CHECK(receiver.count("c2") == 1);
  } else {
    MESSAGE("the child's side is not checked under this sanitizer (support/fork_sanitizers.hpp)"
            << (status == -1 ? ": the child hung" : ""));
  }
}
