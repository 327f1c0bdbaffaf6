// Value, ValueView and the Python text renderings behind them (detail/pystr.hpp): every
// expected string below is what CPython 3.13 prints for the same value.
#include <doctest/doctest.h>

#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <random>
#include <string>

#include "dictlog/detail/pystr.hpp"
#include "dictlog/value.hpp"
#include "record/py_unicode.hpp"

namespace {

std::string float_repr(double d) {
  std::string s;
  dictlog::detail::append_float_repr(d, s);
  return s;
}

std::string str_repr(std::string_view v, bool ascii = false) {
  std::string s;
  dictlog::detail::append_str_repr(v, s, ascii);
  return s;
}

}  // namespace

TEST_CASE("float repr is the shortest round-trip text laid out as Python lays it out") {
  CHECK(float_repr(1.5) == "1.5");
  CHECK(float_repr(100.0) == "100.0");
  CHECK(float_repr(1e20) == "1e+20");
  CHECK(float_repr(1e-5) == "1e-05");
  CHECK(float_repr(0.0001) == "0.0001");
  CHECK(float_repr(1e16) == "1e+16");
  CHECK(float_repr(1e15) == "1000000000000000.0");
  CHECK(float_repr(123456789012345678.0) == "1.2345678901234568e+17");
  CHECK(float_repr(0.1 + 0.2) == "0.30000000000000004");
  CHECK(float_repr(1.0 / 3) == "0.3333333333333333");
  CHECK(float_repr(5e-324) == "5e-324");
  CHECK(float_repr(1.7976931348623157e308) == "1.7976931348623157e+308");
  CHECK(float_repr(1700000000.5) == "1700000000.5");
}

TEST_CASE(
    "shortest digits of floats with few decimals (found without to_chars) are to_chars' "
    "shortest round-trip digits") {
  // to_chars' scientific shortest form, split as shortest_digits splits it.
  auto reference = [](double d) {
    char buf[64];
    const auto end = std::to_chars(buf, buf + sizeof buf, d, std::chars_format::scientific).ptr;
    std::string text(buf, end);
    const auto e = text.find('e');
    std::string digits;
    for (char c : text.substr(0, e))
      if (c != '.' && c != '-') digits += c;
    return digits + "e" + std::to_string(std::stoi(text.substr(e + 1))) +
           (std::signbit(d) ? "-" : "+");
  };
  auto got = [](double d) {
    const auto sd = dictlog::detail::shortest_digits(d);
    return std::string(sd.digits, static_cast<std::size_t>(sd.ndigits)) + "e" +
           std::to_string(sd.exp10) + (sd.negative ? "-" : "+");
  };
  std::mt19937_64 rng(20261206);
  static constexpr double kPow10[] = {1e0, 1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,
                                      1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17};
  long checked = 0;
  for (int k = 0; k < 18; ++k)
    for (int i = 0; i < 20000; ++i) {
      // n / 10^k: the values the short path is for, of every width up to past its limits.
      const auto n = static_cast<std::int64_t>(rng() % 10'000'000'000'000'000ULL) >>
                     static_cast<int>(rng() % 60);
      const double d = (i % 2 ? -1.0 : 1.0) * static_cast<double>(n) / kPow10[k];
      REQUIRE(got(d) == reference(d));
      ++checked;
    }
  for (int i = 0; i < 200000; ++i) {  // any bits: mostly 17 digits, where to_chars decides
    const std::uint64_t bits = rng();
    double d;
    std::memcpy(&d, &bits, sizeof d);
    if (!std::isfinite(d)) continue;
    REQUIRE(got(d) == reference(d));
  }
  for (double d : {0.1,
                   0.2,
                   0.3,
                   0.7,
                   1.1,
                   2.675,
                   12.5,
                   99.99,
                   1e-5,
                   1.5e-5,
                   9.999e-6,
                   1e15,
                   999999999999999.9,
                   999999999999999.0,
                   123456789012345.6,
                   4503599627370495.5,
                   9007199254740993.0,
                   0.1 + 0.2,
                   1.0 / 3,
                   2.0 / 3,
                   1e14,
                   5e14,
                   100.0})
    CHECK(got(d) == reference(d));
  CHECK(checked == 18 * 20000);
  CHECK(float_repr(12.5) == "12.5");
  CHECK(float_repr(-0.25) == "-0.25");
  CHECK(float_repr(1.1) == "1.1");
  CHECK(float_repr(1e14) == "100000000000000.0");
  CHECK(float_repr(1.5e-5) == "1.5e-05");
}

TEST_CASE("float repr of zero, infinities and nan") {
  CHECK(float_repr(0.0) == "0.0");
  CHECK(float_repr(-0.0) == "-0.0");
  CHECK(float_repr(std::numeric_limits<double>::infinity()) == "inf");
  CHECK(float_repr(-std::numeric_limits<double>::infinity()) == "-inf");
  CHECK(float_repr(std::nan("")) == "nan");
}

TEST_CASE("str repr picks double quotes only for a single quote without double quotes") {
  CHECK(str_repr("abc") == "'abc'");
  CHECK(str_repr("it's") == "\"it's\"");
  CHECK(str_repr("say \"hi\"") == "'say \"hi\"'");
  CHECK(str_repr("both ' and \"") == "'both \\' and \"'");
  CHECK(str_repr("") == "''");
}

TEST_CASE("str repr escapes backslash, whitespace controls and non-printable code points") {
  CHECK(str_repr("tab\t nl\n cr\r bs\\") == "'tab\\t nl\\n cr\\r bs\\\\'");
  CHECK(str_repr("\x01\x7f") == "'\\x01\\x7f'");
  CHECK(str_repr("\xc2\x80\xc2\x9f\xc2\xa0\xc2\xad") == "'\\x80\\x9f\\xa0\\xad'");
  CHECK(str_repr("\xe2\x80\xa8\xef\xbb\xbf\xee\x80\x80") == "'\\u2028\\ufeff\\ue000'");
  CHECK(str_repr(std::string_view("nul\0", 4)) == "'nul\\x00'");
}

TEST_CASE("str repr keeps printable non-ASCII; ascii() escapes it") {
  const char* s = "h\xc3\xa9llo \xe2\x9c\x93 \xf0\x9f\x98\x80";
  CHECK(str_repr(s) == std::string("'") + s + "'");
  CHECK(str_repr(s, true) == "'h\\xe9llo \\u2713 \\U0001f600'");
}

TEST_CASE("invalid UTF-8 shows as Python's surrogate escapes") {
  CHECK(str_repr("a\xff"
                 "b") == "'a\\udcffb'");
  CHECK(str_repr("\xc3") == "'\\udcc3'");
}

TEST_CASE("Value holds Python's scalar kinds and views them without copying") {
  dictlog::Value s("text");
  auto v = s.view();
  REQUIRE(std::holds_alternative<std::string_view>(v));
  CHECK(std::get<std::string_view>(v).data() == std::get<std::string>(s.get()).data());
  CHECK(std::holds_alternative<std::monostate>(dictlog::Value().view()));
  CHECK(std::holds_alternative<bool>(dictlog::Value(true).view()));
  CHECK(std::get<std::int64_t>(dictlog::Value(7u).view()) == 7);
  CHECK(std::get<double>(dictlog::Value(1.5f).view()) == 1.5);
}

TEST_CASE("str() and repr() of values match Python's") {
  using dictlog::Value;
  CHECK(dictlog::str(Value()) == "None");
  CHECK(dictlog::repr(Value(nullptr)) == "None");
  CHECK(dictlog::str(Value(true)) == "True");
  CHECK(dictlog::repr(Value(false)) == "False");
  CHECK(dictlog::str(Value(-1234567)) == "-1234567");
  CHECK(dictlog::str(Value(std::numeric_limits<std::int64_t>::min())) == "-9223372036854775808");
  CHECK(dictlog::str(Value(1e20)) == "1e+20");
  CHECK(dictlog::repr(Value(0.1 + 0.2)) == "0.30000000000000004");
  CHECK(dictlog::str(Value("it's")) == "it's");
  CHECK(dictlog::repr(Value("it's")) == "\"it's\"");
  CHECK(dictlog::repr(Value(std::string("a\nb"))) == "'a\\nb'");
}

// Expected text from CPython 3.13.0: str(v), repr(v) for the same lists and dicts.
TEST_CASE("lists and dicts render as Python's str() and repr(), nested, in insertion order") {
  using dictlog::Value;
  const Value ids = Value::list({1, 2, 3});
  CHECK(dictlog::str(ids) == "[1, 2, 3]");
  CHECK(dictlog::repr(ids) == "[1, 2, 3]");
  const Value ctx = Value::dict({{"k", "v"}, {"n", Value::list({true, nullptr, 1.5})}});
  CHECK(dictlog::str(ctx) == "{'k': 'v', 'n': [True, None, 1.5]}");
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double inf = std::numeric_limits<double>::infinity();
  CHECK(dictlog::str(Value::list({1e16, nan, -0.0, inf})) == "[1e+16, nan, -0.0, inf]");
  CHECK(dictlog::str(
            Value::dict({{"\xd0\xba\xd0\xbb\xd1\x8e\xd1\x87", "v\xc3\xa4rde \xe2\x9c\x93"}})) ==
        "{'\xd0\xba\xd0\xbb\xd1\x8e\xd1\x87': 'v\xc3\xa4rde \xe2\x9c\x93'}");
  CHECK(dictlog::str(Value::list({})) == "[]");
  CHECK(dictlog::str(Value::dict({})) == "{}");
  CHECK(dictlog::str(Value::list({"x", "it's"})) == "['x', \"it's\"]");
  CHECK(dictlog::str(Value::list({Value::list({Value::dict({{"a", Value::list({})}})})})) ==
        "[[{'a': []}]]");
}

TEST_CASE("a dict keeps a repeated key's first place and its last value, as a dict display") {
  using dictlog::Value;
  const Value d = Value::dict({{"a", 1}, {"b", 2}, {"a", 3}});
  CHECK(dictlog::str(d) == "{'a': 3, 'b': 2}");
  REQUIRE(d.as_dict() != nullptr);
  CHECK(d.as_dict()->find("a")->view() == dictlog::ValueView(std::int64_t{3}));
  CHECK(d.as_dict()->find("z") == nullptr);
  CHECK(d.as_list() == nullptr);
}

TEST_CASE("structured values compare by content and copies share one immutable container") {
  using dictlog::Value;
  const Value a = Value::list({1, Value::dict({{"k", "v"}})});
  const Value b = Value::list({1, Value::dict({{"k", "v"}})});
  CHECK(a == b);
  CHECK_FALSE(a == Value::list({1, Value::dict({{"k", "w"}})}));
  CHECK_FALSE(a == Value::list({1}));
  CHECK_FALSE(Value::list({}) == Value::dict({}));
  const Value copy = a;
  CHECK(copy.as_list() == a.as_list());  // the same container, not a deep copy
}
