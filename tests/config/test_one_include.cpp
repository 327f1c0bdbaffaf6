// One include for users: a translation unit that includes only <dictlog/dictlog.hpp> loads
// a JSON file, registers a class and logs, and never sees nlohmann/json (config_json.hpp
// is the header that brings it in).
#include <doctest/doctest.h>

#include <fstream>
#include <string>
#include <vector>

#include <dictlog/dictlog.hpp>

#include "support/temp_dir.hpp"

#ifdef NLOHMANN_JSON_VERSION_MAJOR
#error "dictlog/dictlog.hpp includes nlohmann/json: only config_json.hpp may"
#endif

using namespace dictlog;
using dictlog::test::slurp;
using dictlog::test::TempDir;

namespace {

void write(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
}

}  // namespace

TEST_CASE("dict_config_file through dictlog.hpp alone: a file handler writes the bytes") {
  TempDir dir;
  write("logging.json", R"({
    "version": 1,
    "formatters": {"plain": {"format": "%(levelname)s:%(name)s:%(message)s"}},
    "handlers": {"file": {"class": "logging.FileHandler", "filename": "out.log",
                          "formatter": "plain"}},
    "root": {"level": "INFO", "handlers": ["file"]}
  })");
  CHECK(config::check_file("logging.json").empty());
  config::dict_config_file("logging.json");
  get_logger("app.db").info("connected in {} ms", 12);
  get_logger("app").debug("below the root's level");
  root().handlers().front()->flush();
  CHECK(slurp("out.log") == "INFO:app.db:connected in 12 ms\n");
}

TEST_CASE("dict_config_string and check_string report the file's problems") {
  const std::string text = R"({"version": 1, "handlers": {"h": {
    "class": "logging.StreamHandler", "formatter": "brief"}}})";
  auto problems = config::check_string(text);
  REQUIRE(problems.size() == 1);
  CHECK(problems[0].pointer == "/handlers/h/formatter");
  CHECK(problems[0].message == "no formatter named 'brief'");
  try {
    config::dict_config_string(text, "inline.json");
    FAIL("accepted");
  } catch (const config::ConfigError& e) {
    CHECK(std::string(e.what()) ==
          "inline.json: /handlers/h/formatter: no formatter named 'brief'");
  }
  CHECK(config::check_string("{\"version\": 1,")[0].message.starts_with("invalid JSON: line 1"));
  auto missing = config::check_file("missing.json");
  REQUIRE(missing.size() == 1);
  CHECK(missing[0].message == "cannot open file");
}

TEST_CASE("a registered class reads its arguments without JSON types") {
  TempDir dir;
  std::vector<std::string> seen;
  config::register_handler("tests.Probe", [&](config::Args& a) -> std::shared_ptr<Handler> {
    auto ratio = a.get_float("ratio");
    auto tag = a.get_value("tag");
    seen.push_back(std::to_string(ratio.value_or(-1)) + " " + repr(tag.value_or(Value("absent"))));
    if (a.dry()) return nullptr;
    return std::make_shared<NullHandler>();
  });
  config::dict_config_string(R"({"version": 1, "handlers": {
    "p": {"class": "tests.Probe", "ratio": 2, "tag": true},
    "q": {"class": "tests.Probe", "ratio": 0.5}}})");
  // A dry pass, then the real one, each building p then q.
  CHECK(seen == std::vector<std::string>{"2.000000 True", "0.500000 'absent'", "2.000000 True",
                                         "0.500000 'absent'"});
  CHECK(config::check_string(R"({"version": 1, "handlers": {
    "p": {"class": "tests.Probe", "tag": [1]}}})")[0]
            .message == "tests.Probe: 'tag' must be None, a bool, a number or a string, not [1]");
}
