#include <doctest/doctest.h>

#include "dictlog/errors.hpp"
#include "dictlog/level.hpp"

using namespace dictlog;

TEST_CASE("built-in levels have Python's numbers and names") {
  CHECK(get_level_name(NOTSET) == "NOTSET");
  CHECK(get_level_name(DEBUG) == "DEBUG");
  CHECK(get_level_name(INFO) == "INFO");
  CHECK(get_level_name(30) == "WARNING");
  CHECK(get_level_name(ERROR) == "ERROR");
  CHECK(get_level_name(50) == "CRITICAL");
  CHECK(WARN == WARNING);
  CHECK(FATAL == CRITICAL);
}

TEST_CASE("unknown numbers are named 'Level n'") {
  CHECK(get_level_name(5) == "Level 5");
  CHECK(get_level_name(-3) == "Level -3");
}

TEST_CASE("name to level has the aliases, level to name does not") {
  CHECK(get_level_by_name("WARN") == 30);
  CHECK(get_level_by_name("FATAL") == 50);
  CHECK(get_level_by_name("warning") == std::nullopt);
  auto m = get_level_names_mapping();
  CHECK(m.size() == 8);
  CHECK(m.at("NOTSET") == 0);
}

TEST_CASE("check_level accepts exactly the registered names") {
  CHECK(check_level("INFO") == 20);
  CHECK(check_level(-7) == -7);
  CHECK(check_level(1234) == 1234);
  CHECK_THROWS_WITH_AS(check_level("warning"), "Unknown level: 'warning'", ValueError);
  CHECK_THROWS_WITH_AS(check_level(" INFO"), "Unknown level: ' INFO'", ValueError);
  CHECK_THROWS_WITH_AS(check_level("10"), "Unknown level: '10'", ValueError);
}

TEST_CASE("add_level_name renames a level but keeps the old name's mapping") {
  add_level_name(30, "WARN2");
  CHECK(get_level_name(30) == "WARN2");
  CHECK(get_level_by_name("WARNING") == 30);
  CHECK(get_level_by_name("WARN2") == 30);
  add_level_name(30, "WARNING");
  add_level_name(25, "NOTICE");
  CHECK(get_level_name(25) == "NOTICE");
  CHECK(check_level("NOTICE") == 25);
}
