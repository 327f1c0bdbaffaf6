// logging.handlers.HTTPHandler in a configuration: what it builds and what it rejects
// (exact pointers and messages); in a build without libcurl, that the name is rejected
// with the reason. Built in both: DICTLOG_TEST_HAVE_CURL says which one this is.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "dictlog/config_json.hpp"
#include "dictlog/dictlog.hpp"
#ifdef DICTLOG_TEST_HAVE_CURL
#include "dictlog/http_handler.hpp"
#endif

using namespace dictlog;
using nlohmann::ordered_json;

namespace {

// A configuration whose handler "h" is an HTTPHandler with `args` added.
ordered_json with_handler(const std::string& args) {
  auto h = ordered_json::parse(R"({"class": "logging.handlers.HTTPHandler"})");
  const auto extra = ordered_json::parse(args);
  for (const auto& [k, v] : extra.items()) h[k] = v;
  ordered_json cfg = {{"version", 1}, {"handlers", {{"h", h}}}};
  return cfg;
}

// The problems check() finds, as "pointer: message" lines.
std::vector<std::string> problems(const std::string& args) {
  std::vector<std::string> out;
  for (const auto& p : config::check(with_handler(args)))
    out.push_back(p.pointer + ": " + p.message);
  return out;
}

}  // namespace

#ifdef DICTLOG_TEST_HAVE_CURL

TEST_CASE("an HTTPHandler configuration builds the handler; \".\" sets its timeout") {
  const char* args =
      R"({"host": "127.0.0.1:8080", "url": "/log", "method": "post", "secure": 1,
          "credentials": ["user", "secret"], "context": null, ".": {"timeout": 2.5}})";
  CHECK(problems(args).empty());
  config::dict_config(with_handler(args));
  auto h = get_handler_by_name<HTTPHandler>("h");
  REQUIRE(h);
  CHECK(h->host() == "127.0.0.1:8080");
  CHECK(h->url() == "/log");
  CHECK(h->method() == "POST");
  CHECK(h->secure());
  CHECK(h->credentials() == HTTPHandler::Credentials{"user", "secret"});
  CHECK(!h->context());
  CHECK(h->timeout == 2.5);
  // An empty list is falsy in CPython's `if self.credentials`: no Authorization header.
  config::dict_config(with_handler(R"({"host": "h", "url": "/", "credentials": []})"));
  h = get_handler_by_name<HTTPHandler>("h");
  REQUIRE(h);
  CHECK(!h->credentials());
  CHECK(h->timeout == 10.0);
}

TEST_CASE("an HTTPHandler configuration CPython rejects is rejected with its pointer") {
  using V = std::vector<std::string>;
  CHECK(problems(R"({"host": "h", "url": "/", "method": "PUT"})") ==
        V{"/handlers/h/method: method must be GET or POST (not 'PUT')"});
  CHECK(problems(R"({"host": "h", "url": "/", "method": 5})") ==
        V{"/handlers/h/method: HTTPHandler: 'method' must be \"GET\" or \"POST\", not 5"});
  CHECK(problems(R"({"host": "h", "url": "/", "context": {}})") ==
        V{"/handlers/h/context: context parameter only makes sense with secure=True"});
  CHECK(problems(R"({"url": "/"})") ==
        V{"/handlers/h: logging.handlers.HTTPHandler needs 'host' (missing required argument)"});
  CHECK(problems(R"({"host": "h"})") ==
        V{"/handlers/h: logging.handlers.HTTPHandler needs 'url' (missing required argument)"});
  // A constructor keyword CPython does not have (timeout is an attribute: the "." key).
  auto p = problems(R"({"host": "h", "url": "/", "timeout": 3})");
  REQUIRE(p.size() == 1);
  CHECK(p[0].starts_with("/handlers/h/timeout: "));
  CHECK(p[0].find("unexpected keyword argument 'timeout'") != std::string::npos);
}

TEST_CASE("values CPython accepts but fails on at every record are rejected up front") {
  using V = std::vector<std::string>;
  auto p = problems(R"({"host": "h", "url": "/", "secure": true, "context": "x"})");
  REQUIRE(p.size() == 1);
  CHECK(
      p[0].starts_with("/handlers/h/context: HTTPHandler: 'context' must be null: a Python "
                       "ssl.SSLContext cannot come from JSON."));
  CHECK(problems(R"({"host": "h", "url": "/", "credentials": "user:pw"})") ==
        V{"/handlers/h/credentials: HTTPHandler: 'credentials' must be a [user, password] list "
          "of two strings, not 'user:pw'"});
  CHECK(problems(R"({"host": "h", "url": "/", ".": {"timeout": "2"}})") ==
        V{"/handlers/h/./timeout: timeout must be a number of seconds (0 or null: no "
          "timeout), not '2'"});
  CHECK(problems(R"({"host": "h", "url": "/", ".": {"timeout": -1}})").size() == 1);
}

#else

TEST_CASE("without libcurl, naming HTTPHandler is an error that says why") {
  CHECK(problems(R"({"host": "h", "url": "/"})") ==
        std::vector<std::string>{
            "/handlers/h/class: logging.handlers.HTTPHandler: this build of dictlog lacks "
            "libcurl (install libcurl's development files and configure with meson's "
            "-Dcurl=enabled)"});
}

#endif
