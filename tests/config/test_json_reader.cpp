// The configuration's JSON reader (config/json_reader.*) reads every text as nlohmann's own
// parser does, key order and repeated keys included, in time that grows with the text rather
// than with the square of an object's size (bench_config --loggers shows the time).
#include <doctest/doctest.h>

#include <random>
#include <string>

#include "dictlog/config_json.hpp"

using nlohmann::ordered_json;

namespace {

ordered_json read(const std::string& text) {
  std::string why;
  auto j = dictlog::config::parse_config(text, why);
  REQUIRE_MESSAGE(j, why);
  return *j;
}

// An object of n keys k0..k(n-1), then k1 again.
std::string repeated_key(int n) {
  std::string t = "{";
  for (int i = 0; i < n; ++i) t += "\"k" + std::to_string(i) + "\": " + std::to_string(i) + ", ";
  return t + "\"k1\": \"last\"}";
}

// A random document: nested objects (some with many keys, some repeated), arrays, numbers of
// every JSON kind, strings with escapes.
void random_value(std::mt19937& rng, std::string& out, int depth) {
  auto pick = [&](int n) { return static_cast<int>(rng() % static_cast<unsigned>(n)); };
  const int kind = depth > 3 ? pick(6) : pick(8);
  switch (kind) {
    case 0:
      out += "null";
      break;
    case 1:
      out += pick(2) ? "true" : "false";
      break;
    case 2:
      out += std::to_string(static_cast<long long>(rng() % 2000000001u) - 1000000000);
      break;
    case 3:
      out += "18446744073709551615";
      break;
    case 4:
      out += std::to_string(pick(100000)) + ".25e-3";
      break;
    case 5:
      out += "\"s\\\"\\u00e9\\n" + std::to_string(pick(50)) + "\"";
      break;
    case 6: {
      out += "[";
      for (int i = 0, n = pick(5); i < n; ++i) {
        if (i) out += ",";
        random_value(rng, out, depth + 1);
      }
      out += "]";
      break;
    }
    default: {
      out += "{";
      const int n = pick(3) == 0 ? 20 + pick(40) : pick(6);
      for (int i = 0; i < n; ++i) {
        if (i) out += ", ";
        out += "\"k" + std::to_string(pick(n + 1)) + "\": ";  // repeats, at every size
        random_value(rng, out, depth + 1);
      }
      out += "}";
    }
  }
}

}  // namespace

TEST_CASE("a repeated key keeps its first place and takes its last value, at every object size") {
  for (int n : {3, 8, 9, 10, 100, 5000}) {
    CAPTURE(n);
    const std::string text = repeated_key(n);
    const ordered_json j = read(text);
    REQUIRE(j.size() == static_cast<std::size_t>(n));
    auto it = j.begin();
    ++it;
    CHECK(it.key() == "k1");
    CHECK(*it == "last");
    CHECK(j.back() == n - 1);
    CHECK(j.dump() == ordered_json::parse(text).dump());
  }
}

TEST_CASE("five hundred random documents read as nlohmann's own parser reads them") {
  std::mt19937 rng(20261205);
  for (int d = 0; d < 500; ++d) {
    std::string text;
    random_value(rng, text, 0);
    CAPTURE(text);
    CHECK(read(text).dump() == ordered_json::parse(text).dump());
  }
}

TEST_CASE("a malformed document is refused with its line and column, as before") {
  std::string why;
  CHECK_FALSE(dictlog::config::parse_config("{\n  \"a\": 1,\n  \"b\": }\n", why));
  CHECK(why.starts_with("invalid JSON: line 3, column 8: "));
  CHECK_FALSE(dictlog::config::parse_config("{\"a\": 1e400}", why));
  CHECK(why.find("number overflow") != std::string::npos);
  CHECK_FALSE(dictlog::config::parse_config("{\"a\": [1, 2}", why));
  CHECK(why.starts_with("invalid JSON: line 1, column 12: "));
}
