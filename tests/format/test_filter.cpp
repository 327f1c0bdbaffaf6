#include <doctest/doctest.h>

#include "dictlog/filter.hpp"

using namespace dictlog;

namespace {
bool passes(const std::string& filter_name, const char* logger_name) {
  LogRecord r;
  r.name = logger_name;
  return Filter(filter_name).filter(r);
}
}  // namespace

TEST_CASE("Filter passes its logger and descendants only, as Python's") {
  CHECK(passes("", "anything"));
  CHECK(passes("a.b", "a.b"));
  CHECK(passes("a.b", "a.b.c"));
  CHECK_FALSE(passes("a.b", "a"));
  CHECK_FALSE(passes("a.b", "a.bc"));
  CHECK_FALSE(passes("a.b", "a."));
  CHECK_FALSE(passes("a.b", "a..b"));
  CHECK(passes("a", "a.bc"));
  CHECK(passes("a", "a."));
  CHECK(passes("a", "a..b"));
  CHECK_FALSE(passes("a", "ab"));
  CHECK_FALSE(passes("a", "b.a.b"));
  CHECK(passes("a.", "a."));
  CHECK(passes("a.", "a..b"));
  CHECK_FALSE(passes("a.", "a.b"));
}

TEST_CASE("Filterer runs filters in order and stops at the first false") {
  Filterer f;
  std::vector<int> calls;
  f.add_filter([&](LogRecord&) {
    calls.push_back(1);
    return true;
  });
  f.add_filter([&](LogRecord&) {
    calls.push_back(2);
    return false;
  });
  f.add_filter([&](LogRecord&) {
    calls.push_back(3);
    return true;
  });
  LogRecord r;
  CHECK_FALSE(f.filter(r));
  CHECK(calls == std::vector<int>{1, 2});
}

TEST_CASE("a filter may change the record for later filters and handlers") {
  Filterer f;
  f.add_filter([](LogRecord& r) {
    r.extra.emplace_back("user", "alice");
    return true;
  });
  f.add_filter([](LogRecord& r) { return r.find_extra("user") != nullptr; });
  LogRecord r;
  CHECK(f.filter(r));
  CHECK(str(*r.find_extra("user")) == "alice");
}

TEST_CASE("adding the same filter twice keeps one, removing drops it") {
  Filterer f;
  auto flt = std::make_shared<const Filter>("a");
  f.add_filter(flt);
  f.add_filter(flt);
  CHECK(f.filters().size() == 1);
  f.remove_filter(flt);
  CHECK(f.filters().empty());
  LogRecord r;
  r.name = "zzz";
  CHECK(f.filter(r));
}
