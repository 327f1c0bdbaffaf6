// JsonFormatter: python-json-logger 4.x's bytes for one record, key by key. The expected
// lines are what CPython 3.13 prints for the same record and options (the compat suite's
// json_* cases check the same through dictConfig against python-json-logger itself).
#include <doctest/doctest.h>

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

// GCC 12 warns that a std::optional<std::string> member assigned here may be used
// uninitialized (a known false positive of its -Wmaybe-uninitialized with optional<string>).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif

#include "dictlog/errors.hpp"
#include "dictlog/json_formatter.hpp"
#include "dictlog/record.hpp"
#include "support/reference_record.hpp"

using namespace dictlog;

using dictlog::test::reference_record;

namespace {

std::string render(const JsonFormatterOptions& o, const LogRecord& r = reference_record()) {
  JsonFormatter f(o);
  f.set_utc(true);
  return f.format(r);
}

std::string error_of(const JsonFormatterOptions& o) {
  try {
    JsonFormatter f(o);
  } catch (const ValueError& e) {
    return e.what();
  }
  return "(no exception)";
}

}  // namespace

TEST_CASE("default format: the message, then the record's extras") {
  LogRecord r = reference_record();
  r.extra = {{"user", "alice"}, {"n", 3}, {"_private", 1}};
  CHECK(render({}, r) == R"({"message": "hello w", "user": "alice", "n": 3})");
}

TEST_CASE("field order: defaults, format fields, static, exception, extras, timestamp") {
  LogRecord r = reference_record();
  r.exc_text = "ValueError: bad";
  r.extra = {{"user", "u"}};
  JsonFormatterOptions o;
  o.defaults = {{"env", "prod"}, {"levelname", "X"}};
  o.fmt.emplace("%(levelname)s %(message)s");
  o.static_fields = {{"svc", "api"}};
  o.timestamp.emplace("timestamp");
  // A default named by the format keeps its first place and takes the record's value.
  CHECK(render(o, r) ==
        R"({"env": "prod", "levelname": "INFO", "message": "hello w", "svc": "api", )"
        R"("exc_info": "ValueError: bad", "user": "u", )"
        R"("timestamp": "2023-11-14T22:13:20.500000+00:00"})");
}

TEST_CASE(
    "a key given by defaults, the format and static_fields keeps its first place and its "
    "last value; a field the record lacks is null, an extra it names is taken") {
  LogRecord r = reference_record();
  r.extra = {{"zz", 7}, {"user", "u"}};
  JsonFormatterOptions o;
  o.defaults = {{"name", "d"}, {"a", 1}, {"b", 2}};
  o.fmt.emplace("%(message)s %(name)s %(zz)s %(absent)s %(b)s");
  o.static_fields = {{"a", 3}, {"zz", 4}};
  o.rename_fields = {{"zz", "z"}};
  CHECK(render(o, r) ==
        R"({"name": "app.mod", "a": 3, "b": null, "message": "hello w", "z": 4, "absent": null, )"
        R"("user": "u"})");
  o.static_fields = {};
  CHECK(render(o, r) ==
        R"({"name": "app.mod", "a": 1, "b": null, "message": "hello w", "z": 7, "absent": null, )"
        R"("user": "u"})");
}

TEST_CASE("rename applies to every key (4.x; 2.0.1 renamed format fields only)") {
  LogRecord r = reference_record();
  r.extra = {{"user", "u"}};
  JsonFormatterOptions o;
  o.fmt.emplace("%(levelname)s %(message)s");
  o.static_fields = {{"svc", "api"}};
  o.rename_fields = {
      {"levelname", "level"}, {"user", "who"}, {"svc", "service"}, {"absent", "gone"}};
  CHECK(render(o, r) == R"({"level": "INFO", "message": "hello w", "service": "api", "who": "u"})");
  o.rename_fields_keep_missing = true;
  CHECK(render(o, r) ==
        R"({"level": "INFO", "message": "hello w", "service": "api", "who": "u", "gone": null})");
}

TEST_CASE("format fields the record lacks are null; typed attributes keep their JSON type") {
  JsonFormatterOptions o;
  o.fmt.emplace("%(nothere)s %(levelno)d %(lineno)d %(created)f %(process)d %(taskName)s %(args)s");
  CHECK(render(o) == R"({"nothere": null, "levelno": 20, "lineno": 42, "created": 1700000000.5, )"
                     R"j("process": 4242, "taskName": null, "args": "('w',)"})j");
}

TEST_CASE("timestamp: UTC isoformat, microseconds rounded as CPython rounds, none when zero") {
  JsonFormatterOptions o;
  o.timestamp.emplace("ts");
  LogRecord r = reference_record();
  auto ts = [&](std::int64_t ns) {
    r.created_ns = ns;
    std::string line = render(o, r);
    return line.substr(line.find("\"ts\""));
  };
  CHECK(ts(1700000000'000000000) == R"("ts": "2023-11-14T22:13:20+00:00"})");
  CHECK(ts(1700000000'000000500) == R"("ts": "2023-11-14T22:13:20+00:00"})");
  CHECK(ts(1700000000'999999600) == R"("ts": "2023-11-14T22:13:21+00:00"})");
  CHECK(ts(1700000000'123456789) == R"("ts": "2023-11-14T22:13:20.123457+00:00"})");
}

TEST_CASE("json.dumps escaping: ensure_ascii on and off, controls, DEL, astral, bad UTF-8") {
  LogRecord r = reference_record();
  r.set_msg("\x7f\x01\xc3\xa9\xe2\x98\x83\xf0\x9f\x98\x80 q\"b\\ \xff");
  r.args() = dictlog::detail::ArgPack{};
  JsonFormatterOptions o;
  CHECK(render(o, r) == R"({"message": "\u007f\u0001\u00e9\u2603\ud83d\ude00 q\"b\\ \udcff"})");
  o.json_ensure_ascii = false;
  CHECK(render(o, r) ==
        "{\"message\": \"\x7f\\u0001\xc3\xa9\xe2\x98\x83\xf0\x9f\x98\x80 q\\\"b\\\\ \\udcff\"}");
}

TEST_CASE(
    "json.dumps escaping of every length: a special byte at every place, alone or with "
    "another at the end, is escaped, and the bytes around it copied") {
  // (bytes, escape) pairs; ensure_ascii is on.
  const std::vector<std::pair<std::string, std::string>> specials = {
      {"\"", "\\\""},          {"\\", "\\\\"},      {"\n", "\\n"},
      {"\x01", "\\u0001"},     {"\x1f", "\\u001f"}, {"\x7f", "\\u007f"},
      {"\xc3\xa9", "\\u00e9"}, {"\xff", "\\udcff"}, {"\t", "\\t"}};
  JsonFormatter f;
  auto line_of = [&f](const std::string& msg) {
    LogRecord r = reference_record();
    r.set_msg(msg);
    r.args() = dictlog::detail::ArgPack{};
    return f.format(r);
  };
  int checked = 0;
  for (std::size_t len = 0; len <= 40; ++len) {
    // Printable ASCII from ' ' to '~' but '"' and '\', copied as it is.
    std::string plain;
    for (std::size_t i = 0; i < len; ++i) {
      char c = static_cast<char>(' ' + (i * 7) % 95);
      plain += c == '"' || c == '\\' ? 'q' : c;
    }
    REQUIRE(line_of(plain) == "{\"message\": \"" + plain + "\"}");
    for (std::size_t at = 0; at < len; ++at)
      for (const auto& [bytes, escape] : specials)
        for (bool tail : {false, true}) {
          std::string head = plain.substr(0, at);
          std::string rest = plain.substr(at + 1);
          std::string msg = head + bytes + rest + (tail ? "\x02" : "");
          std::string want = head + escape + rest + (tail ? "\\u0002" : "");
          REQUIRE(line_of(msg) == "{\"message\": \"" + want + "\"}");
          ++checked;
        }
  }
  CHECK(checked == 820 * 9 * 2);
}

TEST_CASE("json_indent: newlines, the indent per level, ',' at line ends, empty containers") {
  LogRecord r = reference_record();
  r.extra = {{"a", Value::list({1, Value::dict({{"b", Value::list({})}}), Value::dict({})})},
             {"c", "x"}};
  JsonFormatterOptions o;
  o.json_indent.emplace("  ");
  CHECK(render(o, r) ==
        "{\n  \"message\": \"hello w\",\n  \"a\": [\n    1,\n    {\n      "
        "\"b\": []\n    },\n    {}\n  ],\n  \"c\": \"x\"\n}");
  o.json_indent.emplace("");  // json_indent 0: newlines, no indent
  CHECK(render(o, r).substr(0, 27) == "{\n\"message\": \"hello w\",\n\"a\"");
}

TEST_CASE("values: floats as Python's repr, NaN and Infinity, big ints, nested structures") {
  LogRecord r = reference_record();
  r.extra = {{"f", Value::list({1e16, 0.1, -0.0, 100.0, 1e-7})},
             {"s", Value::list({std::numeric_limits<double>::quiet_NaN(),
                                std::numeric_limits<double>::infinity(),
                                -std::numeric_limits<double>::infinity()})},
             {"i", Value::list({INT64_MIN, INT64_MAX})},
             {"d", Value::dict({{"k", nullptr}, {"t", true}})}};
  CHECK(render({}, r) == R"({"message": "hello w", "f": [1e+16, 0.1, -0.0, 100.0, 1e-07], )"
                         R"("s": [NaN, Infinity, -Infinity], )"
                         R"("i": [-9223372036854775808, 9223372036854775807], )"
                         R"("d": {"k": null, "t": true}})");
}

TEST_CASE("styles pick fields as 4.x's regexes do") {
  JsonFormatterOptions o;
  o.style = "{";
  o.fmt.emplace("{levelname:<8} {message}");  // the spec stays in the name, as in 4.x
  CHECK(JsonFormatter(o).required_fields() == std::vector<std::string>{"levelname:<8", "message"});
  CHECK(render(o) == R"({"levelname:<8": null, "message": "hello w"})");
  o.style = "$";
  o.fmt.emplace("$levelname ${message} $$notafield");
  CHECK(JsonFormatter(o).required_fields() == std::vector<std::string>{"levelname", "message"});
  o.style = ",";
  o.fmt.emplace(" levelname, message,, name ");
  CHECK(render(o) == R"({"levelname": "INFO", "message": "hello w", "name": "app.mod"})");
  o.fmt.reset();
  CHECK(render(o) == "{}");
  o = {};
  o.fields = std::vector<std::string>{"name", "message"};
  o.style = "ignored with a list";
  CHECK(render(o) == R"({"name": "app.mod", "message": "hello w"})");
}

TEST_CASE("construction errors are 4.x's and logging.Formatter's") {
  JsonFormatterOptions o;
  o.style = "#";
  CHECK(error_of(o) == "Style must be one of: '%{$,'");
  o.validate = false;
  CHECK(error_of(o) == "Style '#' is not supported");
  o = {};
  o.fmt.emplace("no fields");
  CHECK(error_of(o) == "Invalid format 'no fields' for '%' style");
  o.validate = false;
  CHECK(error_of(o) == "(no exception)");
}

TEST_CASE("exception and stack: as text, or as lists of lines (str.splitlines)") {
  LogRecord r = reference_record();
  r.exc_text = "Traceback\r\nValueError: bad";
  r.stack_info = "Stack (most recent call last):\n  a\n  b";
  JsonFormatterOptions o;
  CHECK(render(o, r) == R"({"message": "hello w", "exc_info": "Traceback\r\nValueError: bad", )"
                        R"("stack_info": "Stack (most recent call last):\n  a\n  b"})");
  o.exc_info_as_array = o.stack_info_as_array = true;
  CHECK(render(o, r) == R"({"message": "hello w", "exc_info": ["Traceback", "ValueError: bad"], )"
                        R"("stack_info": ["Stack (most recent call last):", "  a", "  b"]})");
}

TEST_CASE("bound context: its keys are extras, before the call's, which win on a clash") {
  LogRecord r = reference_record();
  r.context = std::make_shared<const dictlog::extra>(dictlog::extra{{"rid", "r-1"}, {"user", "c"}});
  r.extra = {{"user", "call"}, {"n", 1}};
  CHECK(render({}, r) == R"({"message": "hello w", "rid": "r-1", "user": "call", "n": 1})");
}

TEST_CASE(
    "reserved_attrs: taskName is reserved by default (4.x on 3.12+, not 2.0.1); [] "
    "writes every attribute in record.__dict__ order") {
  JsonFormatterOptions o;
  CHECK(render(o).find("taskName") == std::string::npos);
  o.reserved_attrs = std::vector<std::string>{};
  o.fmt.emplace("%(asctime)s");
  std::string line = render(o);
  std::vector<std::string> keys;
  for (std::size_t p = 0; (p = line.find("\": ", p)) != std::string::npos; ++p)
    keys.push_back(line.substr(line.rfind('"', p - 1) + 1, p - line.rfind('"', p - 1) - 1));
  CHECK(keys == std::vector<std::string>{"asctime",         "name",     "msg",        "args",
                                         "levelname",       "levelno",  "pathname",   "filename",
                                         "module",          "exc_info", "exc_text",   "stack_info",
                                         "lineno",          "funcName", "created",    "msecs",
                                         "relativeCreated", "thread",   "threadName", "processName",
                                         "process",         "taskName", "message"});
  CHECK(line.find(R"("asctime": "2023-11-14 22:13:20,500")") != std::string::npos);
  CHECK(line.find(R"j("msg": "hello {}", "args": "('w',)")j") != std::string::npos);
}

TEST_CASE("prefix goes before the object") {
  JsonFormatterOptions o;
  o.prefix = "@cee: ";
  CHECK(render(o) == R"(@cee: {"message": "hello w"})");
}

TEST_CASE("a character json.dumps escapes is found at every place of texts of every length") {
  // The escaper tests many bytes at once (a word, or 16 with SSE2), the last ones by a load
  // that overlaps those before: each place of each length meets a different load.
  const std::pair<std::string, std::string> specials[] = {
      {"\"", "\\\""},      {"\\", "\\\\"},      {"\n", "\\n"},           {"\x01", "\\u0001"},
      {"\x7f", "\\u007f"}, {"\x1f", "\\u001f"}, {"\xc3\xa9", "\\u00e9"}, {"\xff", "\\udcff"}};
  JsonFormatter f;
  for (std::size_t len = 1; len <= 40; ++len) {
    for (std::size_t at = 0; at < len; ++at) {
      for (const auto& special : specials) {
        const std::string& raw = special.first;  // not a structured binding: CAPTURE below
        const std::string& escaped = special.second;
        std::string text(len, 'a'), expected(len, 'a');
        for (std::size_t i = 0; i < len; ++i)
          text[i] = expected[i] = static_cast<char>('a' + i % 26);
        text.replace(at, 1, raw);
        expected.replace(at, 1, escaped);
        LogRecord r = reference_record();
        r.set_msg(text);
        r.args().clear();
        CAPTURE(len);
        CAPTURE(at);
        CAPTURE(escaped);
        REQUIRE(f.format(r) == R"({"message": ")" + expected + R"("})");
      }
    }
    std::string plain(len, 'z');
    LogRecord r = reference_record();
    r.set_msg(plain);
    r.args().clear();
    REQUIRE(f.format(r) == R"({"message": ")" + plain + R"("})");
  }
}
