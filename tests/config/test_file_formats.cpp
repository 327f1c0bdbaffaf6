// Configuration files in their three forms through the C++ API: which form a file is,
// fileConfig's options (configparser defaults, disable_existing_loggers), and problems that
// carry the line and column of their value. tests/config/yaml_vs_pyyaml.py and
// ini_vs_cpython.py hold these readers against CPython; this is the API around them.
#include <doctest/doctest.h>

#include <string>

#include "dictlog/dictlog.hpp"
#include "support/files.hpp"
#include "support/temp_dir.hpp"

using namespace dictlog;
using dictlog::config::ConfigError;
using dictlog::config::FileFormat;
using dictlog::test::slurp;
using dictlog::test::TempDir;
using dictlog::test::write_file;

namespace {

const char* kIni = R"([loggers]
keys=root,app

[handlers]
keys=file

[formatters]
keys=plain

[logger_root]
handlers=

[logger_app]
level=%(app_level)s
handlers=file
qualname=app

[handler_file]
class=FileHandler
formatter=plain
args=('%(here)s/app.log', 'w')

[formatter_plain]
format=%(levelname)s %(name)s %(message)s
)";

}  // namespace

TEST_CASE("format_of picks the form by extension, JSON when it knows none") {
  CHECK(config::format_of("logging.yaml") == FileFormat::yaml);
  CHECK(config::format_of("a/b/LOGGING.YML") == FileFormat::yaml);
  CHECK(config::format_of("development.ini") == FileFormat::ini);
  CHECK(config::format_of("alembic.CFG") == FileFormat::ini);
  CHECK(config::format_of("logging.conf") == FileFormat::ini);
  CHECK(config::format_of("logging.json") == FileFormat::json);
  CHECK(config::format_of("logging") == FileFormat::json);
}

TEST_CASE("file_config interpolates the defaults it is given, as fileConfig's defaults do") {
  TempDir dir;
  write_file(dir.file("logging.ini"), kIni);
  auto& before = get_logger("before.fileconfig");  // exists, and is named nowhere
  config::file_config(dir.file("logging.ini"),
                      {.defaults = {{"here", dir.file("")}, {"app_level", "WARNING"}},
                       .disable_existing_loggers = false});
  get_logger("app").info("hidden");
  get_logger("app").warning("shown");
  CHECK_FALSE(before.disabled());
  config::dict_config_string(R"({"version": 1})");  // closes the file
  CHECK(slurp(dir.file("app.log")) == "WARNING app shown\n");
}

TEST_CASE(
    "without the defaults it names, an INI file is refused at the first option that needs one "
    "(handlers are read before loggers, as fileConfig reads them)") {
  TempDir dir;
  write_file(dir.file("logging.ini"), kIni);
  try {
    config::dict_config_file(dir.file("logging.ini"));
    FAIL("accepted");
  } catch (const ConfigError& e) {
    CHECK(std::string(e.what()) ==
          dir.file("logging.ini") +
              ": invalid INI: line 21, column 6: bad value substitution: no option 'here' "
              "in section 'handler_file' or [DEFAULT]");
  }
}

TEST_CASE("a rejected value of an INI file is reported at its line and column") {
  TempDir dir;
  std::string text = kIni;
  text.replace(text.find("%(app_level)s"), 13, "LOUD");
  text.replace(text.find("%(here)s/"), 9, "");
  write_file(dir.file("logging.ini"), text);
  auto problems = config::check_file(dir.file("logging.ini"));
  REQUIRE(problems.size() == 1);
  CHECK(problems[0].pointer == "/loggers/app/level");
  CHECK(problems[0].line == 14);
  CHECK(problems[0].column == 7);
  CHECK(config::problem_line("logging.ini", problems[0])
            .starts_with("logging.ini:14:7: /loggers/app/level: Unknown level: 'LOUD'"));
}

TEST_CASE("an explicit format overrides the extension") {
  TempDir dir;
  write_file(dir.file("settings.txt"), "[loggers]\nkeys=root\n");
  auto problems = config::check_file(dir.file("settings.txt"), FileFormat::ini);
  REQUIRE(problems.size() == 1);
  CHECK(problems[0].message == "invalid INI: there is no section [formatters]");
  problems = config::check_file(dir.file("settings.txt"));  // JSON by default
  REQUIRE(problems.size() == 1);
  CHECK(problems[0].message.starts_with("invalid JSON: line 1, column 2"));
}
