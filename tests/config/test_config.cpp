// dict_config: what a configuration builds, what it rejects (exact pointers and messages),
// and that a rejected one changes nothing.
#include <doctest/doctest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "dictlog/config_json.hpp"
#include "dictlog/dictlog.hpp"
#include "support/capture.hpp"
#include "support/temp_dir.hpp"

using namespace dictlog;
using dictlog::test::slurp;
using dictlog::test::TempDir;
using nlohmann::ordered_json;
namespace fs = std::filesystem;

namespace {

ordered_json parse(const std::string& text) {
  return ordered_json::parse(text);
}

// The problems check() finds, as "pointer: message" lines.
std::vector<std::string> problems(const std::string& text) {
  std::vector<std::string> out;
  for (const auto& p : config::check(parse(text))) out.push_back(p.pointer + ": " + p.message);
  return out;
}

std::string rejection(const std::string& text) {
  try {
    config::dict_config(parse(text), "logging.json");
  } catch (const config::ConfigError& e) {
    return e.what();
  }
  return "(accepted)";
}

const char* kFileConfig = R"J({
  "version": 1,
  "formatters": {"plain": {"format": "%(levelname)s %(name)s %(message)s"},
                 "brace": {"format": "{levelname}|{message}", "style": "{"}},
  "handlers": {
    "file": {"class": "logging.FileHandler", "filename": "app.log", "formatter": "plain"},
    "brace": {"class": "logging.FileHandler", "filename": "brace.log", "formatter": "brace",
              "level": "WARNING"}
  },
  "loggers": {"app": {"level": "DEBUG", "handlers": ["file", "brace"], "propagate": false}},
  "root": {"level": "ERROR"}
})J";

}  // namespace

TEST_CASE("a configuration builds handlers, formatters and loggers by name") {
  TempDir d;
  config::dict_config(parse(kFileConfig));
  auto file = get_handler_by_name<FileHandler>("file");
  REQUIRE(file);
  CHECK(file->name() == "file");
  CHECK(get_handler_by_name("brace")->level() == WARNING);
  Logger& app = get_logger("app");
  CHECK(app.level() == DEBUG);
  CHECK_FALSE(app.propagate());
  CHECK(root().level() == ERROR);
  app.debug("one");
  app.warning("two {}", 2);
  shutdown();
  CHECK(slurp("app.log") == "DEBUG app one\nWARNING app two 2\n");
  CHECK(slurp("brace.log") == "WARNING|two 2\n");
}

TEST_CASE("every problem is reported with its JSON Pointer") {
  const std::string bad = R"J({
    "version": 1,
    "formatters": {"f": {"format": "%(nosuch"}},
    "handlers": {
      "console": {"class": "logging.StreamHandler", "formatter": "brief"},
      "m": {"class": "logging.handlers.MemoryHandler", "capacity": "10"},
      "x": {"class": "logging.NoSuchHandler"},
      "y": {"class": "logging.StreamHandler", "my-key": 1}
    },
    "loggers": {"app": {"level": "info"}},
    "root": {"handlers": ["nope"]}
  })J";
  CHECK(
      problems(bad) ==
      std::vector<std::string>{
          "/formatters/f/format: Invalid format '%(nosuch' for '%' style",
          "/handlers/console/formatter: no formatter named 'brief'",
          "/handlers/m/capacity: logging.handlers.MemoryHandler: 'capacity' must be an integer, "
          "not '10'",
          "/handlers/x/class: 'logging.NoSuchHandler' is not a registered handler class (dictlog "
          "resolves class names only through its registry: see dictlog::config::register_handler)",
          "/handlers/y/my-key: Not a valid Python identifier: 'my-key'",
          "/loggers/app/level: Unknown level: 'info' (a level is an integer or exactly a "
          "registered "
          "name such as 'DEBUG', 'INFO', 'WARNING', 'ERROR', 'CRITICAL')",
          "/root/handlers/0: no handler named 'nope'",
      });
  CHECK(rejection(bad) ==
        "logging.json: /formatters/f/format: Invalid format '%(nosuch' for '%' style");
}

TEST_CASE("version and top-level errors") {
  CHECK(problems("{}") ==
        std::vector<std::string>{
            "/version: dictionary doesn't specify a version (add \"version\": 1)"});
  CHECK(problems(R"J({"version": "1"})J") ==
        std::vector<std::string>{"/version: Unsupported version: 1 (the only version is 1)"});
  CHECK(problems(R"J({"version": 2})J") ==
        std::vector<std::string>{"/version: Unsupported version: 2 (the only version is 1)"});
  CHECK(problems(R"J({"version": 1.0})J").empty());
  CHECK(problems(R"J({"version": true})J").empty());
  CHECK(problems("[1]") ==
        std::vector<std::string>{": a configuration must be a JSON object, not [1]"});
  CHECK(problems(R"J({"version": 1, "handlers": 5})J") ==
        std::vector<std::string>{
            "/handlers: handlers must be an object of name: configuration, not 5"});
  CHECK(problems(R"J({"version": 1, "handlers": []})J").empty());
}

TEST_CASE("a rejected configuration leaves the running one untouched") {
  TempDir d;
  config::dict_config(parse(kFileConfig));
  auto before = get_handler_by_name("file");
  const std::string bad = R"J({"version": 1,
    "handlers": {"new": {"class": "logging.FileHandler", "filename": "new.log"},
                 "zz": {"class": "logging.StreamHandler", "level": "LOUD"}},
    "root": {"handlers": ["new"]}})J";
  CHECK(rejection(bad) ==
        "logging.json: /handlers/zz/level: Unknown level: 'LOUD' (a level is an "
        "integer or exactly a registered name such as 'DEBUG', 'INFO', "
        "'WARNING', 'ERROR', 'CRITICAL')");
  CHECK_FALSE(fs::exists("new.log"));  // validated before anything was built
  CHECK(get_handler_by_name("file") == before);
  CHECK_FALSE(before->closed());
  CHECK(get_logger("app").handlers().size() == 2);
  get_logger("app").info("still here");
  shutdown();
  CHECK(slurp("app.log") == "INFO app still here\n");
}

TEST_CASE("a constructor that fails while building closes what was built and changes nothing") {
  TempDir d;
  int built = 0;
  config::register_handler("tests.FailsWhenBuilt",
                           [&](config::Args& a) -> std::shared_ptr<Handler> {
                             if (a.dry()) return nullptr;
                             ++built;
                             throw OSError("[Errno 28] No space left on device");
                           });
  config::dict_config(parse(kFileConfig));
  auto before = get_handler_by_name("file");
  const std::string bad = R"J({"version": 1,
    "handlers": {"a": {"class": "logging.FileHandler", "filename": "a.log"},
                 "b": {"class": "tests.FailsWhenBuilt"}},
    "root": {"handlers": ["a", "b"]}})J";
  CHECK(rejection(bad) == "logging.json: /handlers/b: OSError: [Errno 28] No space left on device");
  CHECK(built == 1);
  CHECK(get_handler_by_name("file") == before);
  CHECK_FALSE(before->closed());
  CHECK(get_handler_by_name("a") == nullptr);
  CHECK(root().handlers().empty());
}

TEST_CASE("check touches nothing: no file is created, no handler replaced") {
  TempDir d;
  config::dict_config(parse(kFileConfig));
  auto before = get_handler_by_name("file");
  CHECK(problems(R"J({"version": 1,
    "handlers": {"f": {"class": "logging.FileHandler", "filename": "checked.log"},
                 "r": {"class": "logging.handlers.RotatingFileHandler", "filename": "r.log",
                       "maxBytes": 10, "backupCount": 2}},
    "root": {"handlers": ["f", "r"]}})J")
            .empty());
  CHECK_FALSE(fs::exists("checked.log"));
  CHECK_FALSE(fs::exists("r.log"));
  CHECK(get_handler_by_name("file") == before);
  CHECK(get_handler_names() == std::vector<std::string>{"brace", "file"});
}

TEST_CASE("check finds what the constructors would reject") {
  TempDir d;
  CHECK(problems(R"J({"version": 1, "handlers": {
      "t": {"class": "logging.handlers.TimedRotatingFileHandler", "filename": "t.log", "when": "X"},
      "e": {"class": "logging.FileHandler", "filename": "e.log", "encoding": "klingon"},
      "n": {"class": "logging.FileHandler", "filename": "no/such/dir/x.log"},
      "u": {"class": "logging.FileHandler", "filename": "x.log", "colour": "red"},
      "m": {"class": "logging.FileHandler"}}})J") ==
        std::vector<std::string>{
            "/handlers/e: LookupError: unknown encoding: klingon",
            "/handlers/m: logging.FileHandler needs 'filename' (missing required argument)",
            "/handlers/n/filename: FileNotFoundError: [Errno 2] No such file or directory: '" +
                (d.path() / "no/such/dir/x.log").string() + "' (its directory does not exist)",
            "/handlers/t: ValueError: Invalid rollover interval specified: X",
            "/handlers/u/colour: logging.FileHandler() got an unexpected keyword argument 'colour'",
        });
  CHECK(fs::is_empty(d.path()));
}

TEST_CASE("handlers are built in name order with one retry, as CPython does") {
  TempDir d;
  // a_mem names z_out, built after it: deferred once, then built.
  config::dict_config(parse(R"J({"version": 1, "handlers": {
      "a_mem": {"class": "logging.handlers.MemoryHandler", "capacity": 2, "target": "z_out"},
      "z_out": {"class": "logging.FileHandler", "filename": "out.log"}},
    "root": {"handlers": ["a_mem"], "level": "INFO"}})J"));
  auto mem = get_handler_by_name<MemoryHandler>("a_mem");
  REQUIRE(mem);
  CHECK(mem->target() == get_handler_by_name("z_out"));
  // a -> b -> c: b is still waiting when a is retried.
  CHECK(problems(R"J({"version": 1, "handlers": {
      "a": {"class": "logging.handlers.MemoryHandler", "capacity": 2, "target": "b"},
      "b": {"class": "logging.handlers.MemoryHandler", "capacity": 2, "target": "c"},
      "c": {"class": "logging.StreamHandler"}}})J") ==
        std::vector<std::string>{
            "/handlers/a/target: handler 'b' is not configured yet (CPython builds handlers in "
            "name order and retries a waiting handler once: rename them so that each is built "
            "after the handlers it names)"});
  CHECK(problems(R"J({"version": 1, "handlers": {
      "a": {"class": "logging.handlers.MemoryHandler", "capacity": 2, "target": "nope"}}})J") ==
        std::vector<std::string>{"/handlers/a/target: no handler named 'nope'"});
}

TEST_CASE("cfg:// and ext:// conversion") {
  TempDir d;
  config::dict_config(parse(R"J({"version": 1,
    "levels": {"main": "WARNING", "list": [10, 20]},
    "fname": "conv.log",
    "handlers": {"h": {"class": "logging.FileHandler", "filename": "cfg://fname",
                       "level": "cfg://levels.list[1]"},
                 "o": {"class": "logging.StreamHandler", "stream": "ext://sys.stdout"}},
    "root": {"level": "cfg://levels[main]", "handlers": ["h"]}})J"));
  CHECK(root().level() == WARNING);
  CHECK(get_handler_by_name("h")->level() == INFO);
  CHECK(get_handler_by_name<StreamHandler>("o")->stream() == stdout_stream());
  root().error("converted");
  shutdown();
  CHECK(slurp("conv.log") == "converted\n");

  CHECK(problems(R"J({"version": 1, "root": {"level": "cfg://nosuch"}})J") ==
        std::vector<std::string>{"/root/level: cfg://nosuch: KeyError: 'nosuch'"});
  CHECK(problems(R"J({"version": 1, "v": {"a": 1}, "root": {"level": "cfg://v.a!"}})J") ==
        std::vector<std::string>{"/root/level: Unable to convert 'v.a!' at '!'"});
  CHECK(problems(R"J({"version": 1, "v": [1], "root": {"level": "cfg://v[ 0 ]"}})J") ==
        std::vector<std::string>{"/root/level: cfg://v[ 0 ]: TypeError: list indices must be "
                                 "integers or slices, not str"});
  CHECK(problems(R"J({"version": 1, "handlers": {"o": {"class": "logging.StreamHandler",
      "stream": "ext://sys.nonexistent"}}})J") ==
        std::vector<std::string>{
            "/handlers/o/stream: Cannot resolve 'sys.nonexistent': not a registered name "
            "(dictlog resolves ext:// only through its registry; see "
            "dictlog::config::register_object)"});
  // Name lists are not converted.
  CHECK(problems(R"J({"version": 1, "handlers": {"h": {"class": "logging.NullHandler"}},
      "root": {"handlers": ["cfg://handlers.h"]}})J") ==
        std::vector<std::string>{"/root/handlers/0: no handler named 'cfg://handlers.h' (handler "
                                 "lists take names; CPython does not convert cfg:// here)"});
  CHECK(problems(R"J({"version": 1, "a": "cfg://a", "root": {"level": "cfg://a"}})J") ==
        std::vector<std::string>{"/a: cfg:// references nest too deeply (a loop?)"});
}

TEST_CASE("application classes and objects come from the registry") {
  TempDir d;
  auto captured = std::make_shared<test::CaptureHandler>();
  config::register_handler("tests.Capture", [&](config::Args& a) -> std::shared_ptr<Handler> {
    auto prefix = a.get_string("prefix").value_or("");
    if (a.dry()) return nullptr;
    captured->set_name(prefix);
    return captured;
  });
  config::register_filter("tests.NoDebug", [](config::Args&) -> std::shared_ptr<const Filter> {
    struct NoDebug : Filter {
      bool filter(LogRecord& r) const override { return r.levelno != DEBUG; }
    };
    return std::make_shared<NoDebug>();
  });
  config::register_object("tests.LEVEL", ordered_json(INFO));
  config::dict_config(parse(R"J({"version": 1,
    "filters": {"nd": {"()": "tests.NoDebug"}},
    "handlers": {"cap": {"class": "tests.Capture", "prefix": "p", "filters": ["nd"],
                         "level": "ext://tests.LEVEL"}},
    "root": {"level": "DEBUG", "handlers": ["cap"]}})J"));
  CHECK(get_handler_by_name("cap") == captured);
  CHECK(captured->level() == INFO);
  root().debug("dropped by level");
  root().info("kept");
  CHECK(captured->lines() == std::vector<std::string>{"kept"});
  CHECK(problems(R"J({"version": 1, "filters": {"x": {"()": "logging.StreamHandler"}}})J") ==
        std::vector<std::string>{
            "/filters/x/(): 'logging.StreamHandler' is a handler class, not a filter class"});
  const auto names = config::registered_names();
  CHECK(std::find(names.begin(), names.end(), "logging.handlers.QueueHandler") != names.end());
}

TEST_CASE("disable_existing_loggers: old loggers disabled, children of configured ones reset") {
  get_logger("old").set_level(DEBUG);
  get_logger("kept.child").set_level(DEBUG);
  get_logger("kept.child").set_disabled(true);
  get_logger("keptx");
  config::dict_config(parse(R"J({"version": 1, "loggers": {"kept": {"level": "INFO"}}})J"));
  CHECK(get_logger("old").disabled());
  CHECK(get_logger("keptx").disabled());  // no child of "kept"
  CHECK(get_logger("kept.child").level() == NOTSET);
  CHECK(get_logger("kept.child").disabled());  // reset, not re-enabled (CPython)
  CHECK_FALSE(get_logger("kept").disabled());
  // A falsy value re-enables the others.
  config::dict_config(parse(R"J({"version": 1, "disable_existing_loggers": 0})J"));
  CHECK_FALSE(get_logger("old").disabled());
  // "false" is a non-empty string: true to Python.
  config::dict_config(parse(R"J({"version": 1, "disable_existing_loggers": "false"})J"));
  CHECK(get_logger("old").disabled());
}

TEST_CASE("incremental: levels only, handlers must exist") {
  TempDir d;
  config::dict_config(parse(kFileConfig));
  auto file = get_handler_by_name("file");
  config::dict_config(parse(R"J({"version": 1, "incremental": true,
    "handlers": {"file": {"level": "ERROR", "class": "ignored"}, "brace": {"level": 0}},
    "loggers": {"app": {"level": "WARNING", "handlers": ["ignored too"]}}})J"));
  CHECK(get_handler_by_name("file") == file);
  CHECK(file->level() == ERROR);
  CHECK(get_handler_by_name("brace")->level() == WARNING);  // 0 is falsy: ignored
  CHECK(get_logger("app").level() == WARNING);
  CHECK(get_logger("app").handlers().size() == 2);
  CHECK(problems(R"J({"version": 1, "incremental": true, "handlers": {"nope": {"level": 10}}})J") ==
        std::vector<std::string>{"/handlers/nope: No handler found with name 'nope' (incremental "
                                 "configurations change handlers the running configuration has)"});
}

TEST_CASE("a new configuration closes the old handlers, even those it does not replace") {
  TempDir d;
  config::dict_config(parse(kFileConfig));
  auto file = get_handler_by_name("file");
  config::dict_config(
      parse(R"J({"version": 1, "handlers": {"n": {"class": "logging.NullHandler"}}})J"));
  CHECK(file->closed());
  CHECK(get_handler_by_name("file") == nullptr);
  CHECK(get_handler_names() == std::vector<std::string>{"n"});
}

TEST_CASE("formatter keys: only CPython's count, () takes keyword arguments") {
  TempDir d;
  config::dict_config(parse(R"J({"version": 1,
    "formatters": {"a": {"format": "A %(message)s", "fmt": "ignored"},
                   "b": {"()": "logging.Formatter", "format": "B %(message)s"},
                   "c": {"()": "logging.Formatter", "fmt": "C ${message}", "style": "$",
                         ".": {"default_msec_format": "%s.%03d"}},
                   "d": {"format": "D %(message)s %(user)s", "defaults": {"user": "-"}}},
    "handlers": {"a": {"class": "logging.FileHandler", "filename": "out.log", "formatter": "a"},
                 "b": {"class": "logging.FileHandler", "filename": "out.log", "formatter": "b"},
                 "c": {"class": "logging.FileHandler", "filename": "out.log", "formatter": "c"},
                 "d": {"class": "logging.FileHandler", "filename": "out.log", "formatter": "d"}},
    "root": {"level": "INFO", "handlers": ["a", "b", "c", "d"]}})J"));
  CHECK(get_handler_by_name("c")->formatter()->default_msec_format == "%s.%03d");
  root().info("m");
  shutdown();
  CHECK(slurp("out.log") == "A m\nB m\nC m\nD m -\n");
  CHECK(problems(R"J({"version": 1, "formatters": {"s": {"format": "x", "style": "#"}}})J") ==
        std::vector<std::string>{"/formatters/s/style: Style must be one of: %,{,$ (not '#')"});
  CHECK(
      problems(R"J({"version": 1, "formatters": {"s": {"class": "ext://logging.Formatter"}}})J") ==
      std::vector<std::string>{"/formatters/s/class: a formatter's \"class\" takes a class name, "
                               "not an ext:// reference (CPython resolves it without conversion)"});
}

TEST_CASE("dict_config_file names the file in errors, with line and column for bad JSON") {
  TempDir d;
  {
    std::ofstream("bad.json") << "{\"version\": 1,\n  \"handlers\": {,}}";
    std::ofstream("ref.json") << R"J({"version": 1, "root": {"handlers": ["x"]}})J";
  }
  try {
    config::dict_config_file("bad.json");
    FAIL("accepted");
  } catch (const config::ConfigError& e) {
    CHECK(std::string(e.what()).starts_with("bad.json: invalid JSON: line 2, column 16: "));
  }
  try {
    config::dict_config_file("ref.json");
    FAIL("accepted");
  } catch (const config::ConfigError& e) {
    CHECK(std::string(e.what()) == "ref.json: /root/handlers/0: no handler named 'x'");
    CHECK(e.source() == "ref.json");
    REQUIRE(e.problems().size() == 1);
    CHECK(e.problems()[0].pointer == "/root/handlers/0");
  }
}

TEST_CASE(
    "to_value: JSON as the objects json.loads makes, order kept; what does not fit is refused") {
  const Value v = config::to_value(parse(
      R"J({"ids": [1, 2.0, 1e16, -0.0], "ctx": {"z": null, "a": [true, "\u00e9"]}, "e": {}})J"));
  CHECK(str(v) ==
        "{'ids': [1, 2.0, 1e+16, -0.0], 'ctx': {'z': None, 'a': [True, '\xc3\xa9']}, "
        "'e': {}}");
  CHECK(str(config::to_value(nlohmann::json::parse(R"J({"b": 1, "a": 2})J"))) ==
        "{'a': 2, 'b': 1}");  // a plain json is sorted by key
  CHECK_THROWS_WITH_AS(config::to_value(parse("[18446744073709551615]")),
                       "integer 18446744073709551615 does not fit dictlog's 64-bit int",
                       ValueError);
  ordered_json deep = ordered_json::array();
  for (int i = 0; i < 300; ++i) deep = ordered_json::array({deep});
  CHECK_THROWS_AS(config::to_value(deep), ValueError);
}

TEST_CASE("formatter defaults may be lists and dicts; an integer past 64 bits is refused there") {
  CHECK(problems(R"J({"version": 1, "formatters": {"f": {"format": "%(ctx)s",
                     "defaults": {"ctx": {"d": [1, {"e": null}]}}}}})J")
            .empty());
  CHECK(problems(R"J({"version": 1, "formatters": {"f": {"format": "%(n)s",
                     "defaults": {"n": 18446744073709551615}}}})J") ==
        std::vector<std::string>{"/formatters/f/defaults: defaults: 'n': integer "
                                 "18446744073709551615 does not fit dictlog's 64-bit int"});
}

TEST_CASE("hostile values: a huge string is quoted in part, 10,000 fields and cfg:// loops work") {
  // A 10 MB format that is not a valid %-format: the report keeps its start and its end.
  ordered_json big = {{"version", 1},
                      {"formatters", {{"f", {{"format", std::string(10'000'000, 'x')}}}}}};
  try {
    config::dict_config(big, "big.json");
    FAIL("accepted");
  } catch (const config::ConfigError& e) {
    const std::string what = e.what();
    CHECK(what.size() < 2400);
    CHECK(what.starts_with("big.json: /formatters/f/format: Invalid format 'xxxx"));
    CHECK(what.find("xxx... (") != std::string::npos);
    CHECK(what.find(" bytes left out) ...xxx") != std::string::npos);
    CHECK(what.ends_with("xxx' for '%' style"));
  }
  // A NUL byte ends nothing: Python's json says "Extra data", nlohmann alone would accept
  // what comes before it. Bytes that are not UTF-8 are quoted as \xNN in the message.
  std::string why;
  CHECK_FALSE(config::parse_config(std::string("{\"version\": 1}\0{", 16), why));
  CHECK(why == "invalid JSON: line 1, column 15: a NUL byte");
  CHECK_FALSE(config::parse_config("{\"version\": \"caf\xe9\"}", why));
  CHECK(why.find("caf\\xe9") != std::string::npos);
  // Ten thousand fields are no problem: each is formatted.
  std::string fields;
  for (int i = 0; i < 10'000; ++i) fields += i ? " %(levelname)s" : "%(levelname)s";
  Formatter f(fields);
  LogRecord r = make_log_record({{"msg", "m"}, {"levelno", 20}, {"levelname", "INFO"}});
  CHECK(f.format(r).size() == 10'000 * 5 - 1);
  // cfg:// references that refer to each other end in one error, not a stack overflow.
  try {
    config::dict_config(parse(R"J({"version": 1, "a": "cfg://b", "b": "cfg://a",
      "handlers": {"h": {"class": "logging.StreamHandler", "level": "cfg://a"}}})J"),
                        "loop.json");
    FAIL("accepted");
  } catch (const config::ConfigError& e) {
    CHECK(std::string(e.what()).find("cfg:// references nest too deeply (a loop?)") !=
          std::string::npos);
  }
}
