// JsonFormatter::format_call_to: the line a queued call's record would get from format_to,
// written from the call's fields and encoded extras (QueueListener's direct path). Each
// case builds one call and the record the queue would build from it, at the same time, and
// compares the two lines byte for byte; the cases the call path cannot give decline and
// leave the output as it was.
#include <doctest/doctest.h>

#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"  // see test_json_formatter.cpp
#endif

#include "dictlog/detail/call_extras.hpp"
#include "dictlog/detail/clock.hpp"
#include "dictlog/json_formatter.hpp"
#include "dictlog/record.hpp"

// An argument whose formatting runs a hook: a message formatted while another is.
struct Reentrant {
  int id;
};
template <>
struct dictlog::copy_safe<Reentrant> : std::true_type {};
namespace {
std::function<void()> g_while_formatting;
}  // namespace
template <>
struct fmt::formatter<Reentrant> : fmt::formatter<int> {
  auto format(const Reentrant& r, format_context& ctx) const {
    if (g_while_formatting) g_while_formatting();
    return fmt::formatter<int>::format(r.id, ctx);
  }
};

using namespace dictlog;

namespace {

// 2023-11-14 22:13:20.250 UTC; as Python's time_ns() / 1e9, "created" is 1700000000.2499998.
constexpr std::int64_t kCreated = 1700000000'250000000;

// A call "order {} placed" with `arg` (or `msg` alone with no argument), and its record.
struct Call {
  std::string msg = "order {} placed";
  bool with_arg = true;
  std::string arg = "7";
  dictlog::extra extra;
};

LogRecord record_of(const Call& call) {
  LogRecord r;
  r.name = "app.orders";
  r.levelno = WARNING;
  r.levelname = "WARNING";
  r.pathname = "/srv/app/orders.cpp";
  r.func = "void app::place(int)";
  r.lineno = 88;
  r.created_ns = kCreated;
  r.relative_created = static_cast<double>(kCreated - detail::start_time_ns()) / 1e6;
  r.set_msg(call.msg);
  if (call.with_arg) r.capture_args(call.arg);
  r.extra = call.extra;
  return r;
}

// What format_call_to writes for the call ("(declined)" when it returns false, after
// checking that it left `out` as it was), and what format_to writes for its record.
struct Lines {
  std::string call, record;
};

Lines lines_of(const JsonFormatter& f, const Call& call) {
  const LogRecord r = record_of(call);
  Lines l;
  try {
    f.format_to(r, l.record);
  } catch (const std::exception& e) {
    l.record = std::string("(throws) ") + e.what();
  }
  std::vector<std::uint64_t> block(8 + detail::call_extras_size(call.extra) / 8);
  detail::CallFields c;
  if (!call.extra.empty()) {
    const std::size_t n = detail::call_extras_size(call.extra);
    REQUIRE(n > 0);
    detail::encode_call_extras(reinterpret_cast<std::byte*>(block.data()), call.extra, n);
    c.extras = reinterpret_cast<const std::byte*>(block.data());
  }
  std::vector<std::uint64_t> args(1 + detail::ArgPack::encoded_size_of(call.arg) / 8);
  if (call.with_arg) {
    c.vt = detail::ArgPack::encode_to(reinterpret_cast<std::byte*>(args.data()), call.arg);
    c.args = reinterpret_cast<const std::byte*>(args.data());
  }
  c.name = r.name;
  c.levelname = r.levelname;
  c.pathname = r.pathname;
  c.func = r.func;
  c.msg = call.msg;
  c.levelno = r.levelno;
  c.lineno = r.lineno;
  c.created_ns = r.created_ns;
  std::string out = "before|";
  if (f.format_call_to(c, out)) {
    REQUIRE(out.starts_with("before|"));
    l.call = out.substr(7);
  } else {
    CHECK(out == "before|");
    l.call = "(declined)";
  }
  return l;
}

std::unique_ptr<JsonFormatter> utc_formatter(const JsonFormatterOptions& o) {
  auto f = std::make_unique<JsonFormatter>(o);
  f->set_utc(true);
  return f;
}

}  // namespace

TEST_CASE("a call's line is its record's: the default format, extras of every type") {
  JsonFormatter f;
  Call call;
  call.extra = {{"user", "alice"},
                {"amount", 12.5},
                {"n", -3},
                {"ok", true},
                {"gone", false},
                {"none", nullptr},
                {"_private", "hidden"},
                {"q", "a \"quote\", \\ and\nnew line, caf\xc3\xa9"}};
  const Lines l = lines_of(f, call);
  CHECK(l.call == l.record);
  CHECK(l.call ==
        R"({"message": "order 7 placed", "user": "alice", "amount": 12.5, "n": -3, "ok": true, )"
        R"("gone": false, "none": null, "q": "a \"quote\", \\ and\nnew line, caf\u00e9"})");
}

TEST_CASE("a call's line is its record's: every attribute a call carries, named by the format") {
  JsonFormatterOptions o;
  o.fmt.emplace(
      "%(asctime)s %(name)s %(levelname)s %(levelno)s %(pathname)s %(filename)s %(module)s "
      "%(lineno)d %(funcName)s %(created)f %(msecs)d %(relativeCreated)d %(message)s "
      "%(exc_info)s %(exc_text)s %(stack_info)s %(taskName)s %(user)s %(absent)s");
  const auto f = utc_formatter(o);
  Call call;
  call.extra = {{"user", "bob"}, {"rows", 12}};
  const Lines l = lines_of(*f, call);
  CHECK(l.call == l.record);
  CHECK(l.call.starts_with(
      R"({"asctime": "2023-11-14 22:13:20,250", "name": "app.orders", "levelname": "WARNING", )"
      R"("levelno": 30, "pathname": "/srv/app/orders.cpp", "filename": "orders.cpp", )"
      R"("module": "orders", "lineno": 88, "funcName": "place", "created": 1700000000.2499998, )"
      R"("msecs": 250.0, "relativeCreated": )"));
  CHECK(l.call.ends_with(
      R"("message": "order 7 placed", "exc_info": null, "exc_text": null, "stack_info": null, )"
      R"("taskName": null, "user": "bob", "absent": null, "rows": 12})"));
}

TEST_CASE("a call's line is its record's: renames, defaults, static fields, timestamp, layout") {
  Call call;
  call.extra = {{"user", "carol"}, {"k", 1}, {"k", 2}, {"svc", "from-call"}};
  SUBCASE("rename_fields with keep_missing, static and default keys overlapping") {
    JsonFormatterOptions o;
    o.fmt.emplace("%(levelname)s %(message)s %(k)s");
    o.rename_fields = {{"levelname", "level"}, {"user", "who"}, {"missing", "m"}};
    o.rename_fields_keep_missing = true;
    o.static_fields = {{"svc", "api"}, {"ver", 2}};
    o.defaults = {{"env", "prod"}, {"levelname", "X"}};
    const Lines l = lines_of(*utc_formatter(o), call);
    CHECK(l.call == l.record);
    CHECK(l.call == R"({"env": "prod", "level": "WARNING", "message": "order 7 placed", "k": 1, )"
                    R"("svc": "from-call", "ver": 2, "who": "carol", "m": null})");
  }
  SUBCASE("timestamp, prefix, indent and ensure_ascii false") {
    JsonFormatterOptions o;
    o.timestamp.emplace("ts");
    o.prefix = "json: ";
    o.json_indent.emplace("  ");
    o.json_ensure_ascii = false;
    call.extra.emplace_back("city",
                            "K\xc3\xb8"
                            "benhavn");
    const Lines l = lines_of(*utc_formatter(o), call);
    CHECK(l.call == l.record);
    CHECK(l.call ==
          "json: {\n  \"message\": \"order 7 placed\",\n  \"user\": \"carol\",\n  \"k\": 2,\n"
          "  \"svc\": \"from-call\",\n  \"city\": \"K\xc3\xb8"
          "benhavn\",\n"
          "  \"ts\": \"2023-11-14T22:13:20.250000+00:00\"\n}");
  }
}

TEST_CASE("a call's line is its record's: extras that repeat a key of the format or each other") {
  JsonFormatterOptions o;
  o.fmt.emplace("%(message)s %(user)s");
  o.static_fields = {{"svc", "api"}};
  o.rename_fields = {{"who", "user"}};
  const auto f = utc_formatter(o);
  SUBCASE("a key of a field, a static field, an earlier extra, and one renamed onto a field") {
    Call call;
    call.extra = {{"k", 1}, {"svc", "mine"}, {"k", 2}, {"user", "erin"}, {"who", "frank"}};
    const Lines l = lines_of(*f, call);
    CHECK(l.call == l.record);
    CHECK(l.call == R"({"message": "order 7 placed", "user": "frank", "svc": "mine", "k": 2})");
  }
  SUBCASE("more extras than the one-line path compares, the last a repeat") {
    Call call;
    std::string expected = R"({"message": "order 7 placed", "user": null, "svc": "api")";
    for (int i = 0; i < 20; ++i) {
      call.extra.emplace_back("x" + std::to_string(i), i);
      expected += ", \"x" + std::to_string(i) + "\": " + std::to_string(i == 3 ? 99 : i);
    }
    call.extra.emplace_back("x3", 99);
    const Lines l = lines_of(*f, call);
    CHECK(l.call == l.record);
    CHECK(l.call == expected + "}");
  }
  SUBCASE("no repeat: each key once, in order") {
    Call call;
    call.extra = {{"a", 1}, {"_skip", 2}, {"b", "two"}, {"levelname_like", true}};
    const Lines l = lines_of(*f, call);
    CHECK(l.call == l.record);
    CHECK(l.call == R"({"message": "order 7 placed", "user": null, "svc": "api", "a": 1, )"
                    R"("b": "two", "levelname_like": true})");
  }
}

TEST_CASE("a call's message: msg as it is without arguments, formatted past the stack buffer") {
  JsonFormatter f;
  Call bare;
  bare.msg = "no arguments: {} stays";
  bare.with_arg = false;
  Lines l = lines_of(f, bare);
  CHECK(l.call == l.record);
  CHECK(l.call == R"({"message": "no arguments: {} stays"})");
  Call big;
  big.arg = std::string(5000, 'x') + "\t";
  l = lines_of(f, big);
  CHECK(l.call == l.record);
  CHECK(l.call == R"({"message": "order )" + std::string(5000, 'x') + R"(\t placed"})");
}

TEST_CASE("a long message formatted while another long one is: each line keeps its own text") {
  // The outer message is past the stack buffer (in the thread's scratch) when its second
  // argument's formatter formats a second call, also past the stack buffer.
  JsonFormatter f;
  const std::string outer_text(9000, 'o'), inner_text(3000, 'i');
  auto fields = [](std::string_view msg, const detail::ArgVTable* vt, const std::byte* args) {
    detail::CallFields c;
    c.name = "app";
    c.levelname = "INFO";
    c.levelno = INFO;
    c.created_ns = kCreated;
    c.msg = msg;
    c.vt = vt;
    c.args = args;
    return c;
  };
  std::vector<std::uint64_t> inner_args(2 + detail::ArgPack::encoded_size_of(inner_text) / 8);
  const detail::ArgVTable* inner_vt =
      detail::ArgPack::encode_to(reinterpret_cast<std::byte*>(inner_args.data()), inner_text);
  std::string inner_line;
  g_while_formatting = [&] {
    CHECK(f.format_call_to(
        fields("inner {}", inner_vt, reinterpret_cast<const std::byte*>(inner_args.data())),
        inner_line));
  };
  std::vector<std::uint64_t> outer_args(
      2 + detail::ArgPack::encoded_size_of(outer_text, Reentrant{7}) / 8);
  const detail::ArgVTable* outer_vt = detail::ArgPack::encode_to(
      reinterpret_cast<std::byte*>(outer_args.data()), outer_text, Reentrant{7});
  std::string outer_line;
  CHECK(f.format_call_to(
      fields("outer {} {}", outer_vt, reinterpret_cast<const std::byte*>(outer_args.data())),
      outer_line));
  g_while_formatting = nullptr;
  CHECK(inner_line == R"({"message": "inner )" + inner_text + R"("})");
  CHECK(outer_line == R"({"message": "outer )" + outer_text + R"( 7"})");
}

TEST_CASE("format_call_to declines what a call cannot give, and leaves the line to format_to") {
  Call call;
  call.extra = {{"user", "dave"}};
  SUBCASE("record attributes copied as extras (reserved_attrs without them)") {
    JsonFormatterOptions o;
    o.reserved_attrs = std::vector<std::string>{"message", "msg", "args"};
    CHECK(lines_of(*utc_formatter(o), call).call == "(declined)");
  }
  for (const char* field :
       {"%(msg)s", "%(args)s", "%(thread)d", "%(threadName)s", "%(process)d", "%(processName)s"}) {
    CAPTURE(field);
    JsonFormatterOptions o;
    o.fmt.emplace(field);
    CHECK(lines_of(*utc_formatter(o), call).call == "(declined)");
  }
  SUBCASE("a class derived from JsonFormatter, which may override format()") {
    struct Derived : JsonFormatter {};
    const Derived d;
    CHECK(lines_of(d, call).call == "(declined)");
  }
  SUBCASE("a message that does not format") {
    Call bad;
    bad.msg = "order {:d} placed";  // a string argument under an integer spec
    const Lines l = lines_of(JsonFormatter(), bad);
    CHECK(l.call == "(declined)");
    CHECK(l.record == "(throws) invalid type specifier");
  }
}
