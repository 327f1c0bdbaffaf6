// parse_ini: the dictConfig document an INI file means, where its values are, and what it
// refuses. ini_vs_cpython.py holds the same reader against CPython's fileConfig end to end;
// here the documents and messages are pinned, including the cases CPython would eval.
#include <doctest/doctest.h>

#include <filesystem>
#include <string>

#include "config/ini_config.hpp"
#include "dictlog/dictlog.hpp"
#include "support/files.hpp"
#include "support/temp_dir.hpp"

using dictlog::config::FileConfigOptions;
using dictlog::config::ParsedConfig;
using dictlog::config::detail::parse_ini;
using dictlog::test::TempDir;
using dictlog::test::write_file;

namespace {

std::string refusal(const std::string& text, const FileConfigOptions& options = {}) {
  std::string why;
  const auto parsed = parse_ini(text, options, why);
  return parsed ? "accepted: " + parsed->config.dump() : why;
}

ParsedConfig accepted(const std::string& text, const FileConfigOptions& options = {}) {
  std::string why;
  auto parsed = parse_ini(text, options, why);
  INFO(why);
  REQUIRE(parsed);
  return *parsed;
}

// One console handler and one formatter; tests change a line of it.
const std::string kConsole = R"([loggers]
keys=root

[handlers]
keys=console

[formatters]
keys=plain

[logger_root]
level=INFO
handlers=console

[handler_console]
class=StreamHandler
formatter=plain
args=(sys.stdout,)

[formatter_plain]
format=%(levelname)s %(message)s
)";

std::string with(const std::string& from, const std::string& to) {
  std::string t = kConsole;
  t.replace(t.find(from), from.size(), to);
  return t;
}

}  // namespace

TEST_CASE("a representative file is the dictConfig document fileConfig's steps amount to") {
  const auto p = accepted(R"([DEFAULT]
logdir = /var/log/app

[loggers]
keys = root, app , app.db

[handlers]
keys=console,file,mem

[formatters]
keys=plain,brace

[logger_root]
handlers=console

[logger_app]
level=INFO
handlers=mem
propagate=0
qualname=app

[logger_app.db]
Level: DEBUG
handlers=
qualname=app.db

[handler_console]
class=logging.StreamHandler
level=NOTSET
formatter=plain
args=(sys.stderr,)

[handler_file]
class=handlers.RotatingFileHandler
formatter=brace
args=('%(logdir)s/app.log', 'a', 1_000_000, 3)
kwargs={"encoding": 'utf-8', "delay": True}

[handler_mem]
class=handlers.MemoryHandler
args=(100, ERROR)
target=file

[formatter_plain]
format=%(asctime)s %(levelname)s %(message)s
datefmt=%H:%M

[formatter_brace]
format={levelname} {user} {message}
style={
defaults={'user': None}
class=logging.Formatter
)");
  CHECK(p.config.dump() ==
        R"({"version":1,"disable_existing_loggers":true,"formatters":{"plain":)"
        R"({"format":"%(asctime)s %(levelname)s %(message)s","datefmt":"%H:%M"},"brace":)"
        R"({"format":"{levelname} {user} {message}","style":"{","defaults":{"user":null},)"
        R"("class":"logging.Formatter"}},"handlers":{"console":{"class":)"
        R"("logging.StreamHandler","stream":"ext://sys.stderr","level":"NOTSET","formatter":)"
        R"("plain"},"file":{"class":"logging.handlers.RotatingFileHandler","filename":)"
        R"("/var/log/app/app.log","mode":"a","maxBytes":1000000,"backupCount":3,"encoding":)"
        R"("utf-8","delay":true,"formatter":"brace"},"mem":{"class":)"
        R"("logging.handlers.MemoryHandler","capacity":100,"flushLevel":40,"target":"file"}},)"
        R"("loggers":{"app":{"level":"INFO","handlers":["mem"],"propagate":0},"app.db":)"
        R"({"level":"DEBUG","handlers":[],"propagate":1}},"root":{"handlers":["console"]}})");
}

TEST_CASE("defaults interpolate every section but the raw format and datefmt") {
  const auto p =
      accepted(with("args=(sys.stdout,)", "class=FileHandler\nargs=('%(Here)s/100%%.log',)")
                   .replace(kConsole.find("class=StreamHandler"), 20, "")
                   .replace(kConsole.find("level=INFO"), 10, "level=%(root_level)s"),
               {.defaults = {{"HERE", "/srv"}, {"root_level", "WARNING"}},
                .disable_existing_loggers = false});
  CHECK(p.config["disable_existing_loggers"] == false);
  CHECK(p.config["root"]["level"] == "WARNING");
  CHECK(p.config["handlers"]["console"]["filename"] == "/srv/100%.log");
  CHECK(p.config["formatters"]["plain"]["format"] == "%(levelname)s %(message)s");
  CHECK(refusal(kConsole, {.defaults = {{"bad", "100%"}}}) ==
        "invalid INI: invalid interpolation syntax in the default 'bad'");
}

TEST_CASE("each value's position is that of its option, keyed by the value's pointer") {
  const auto p = accepted(with("args=(sys.stdout,)", "args = (sys.stdout,)"));
  CHECK(p.positions.at("/handlers/console/stream") == std::pair{17, 8});
  CHECK(p.positions.at("/handlers/console/class") == std::pair{15, 7});
  CHECK(p.positions.at("/handlers/console") == std::pair{14, 1});
  CHECK(p.positions.at("/root/level") == std::pair{11, 7});
  CHECK(p.positions.at("/formatters/plain/format") == std::pair{20, 8});
}

TEST_CASE("a logger whose qualname is root reconfigures the root logger, after [logger_root]") {
  const auto p = accepted(with("keys=root\n", "keys=root,r2\n") +
                          "\n[logger_r2]\nqualname=root\nlevel=DEBUG\nhandlers=\n");
  CHECK(p.config["root"].dump() == R"({"level":"DEBUG","handlers":[]})");
  CHECK(p.config["loggers"].empty());
}

TEST_CASE("a second section for a qualname keeps the first one's level unless it sets one") {
  const auto p = accepted(with("keys=root\n", "keys=root,a,b\n") +
                          "[logger_a]\nqualname=x\nlevel=ERROR\nhandlers=console\n"
                          "[logger_b]\nqualname=x\nhandlers=\npropagate=1_0\n");
  CHECK(p.config["loggers"].dump() == R"({"x":{"handlers":[],"propagate":10,"level":"ERROR"}})");
  CHECK(p.positions.at("/loggers/x/level") == std::pair{23, 7});
  CHECK(p.positions.at("/loggers/x/propagate") == std::pair{28, 11});
}

TEST_CASE("names CPython's eval finds in vars(logging) and empty constructors are literals") {
  const auto p = accepted(with("args=(sys.stdout,)",
                               "class=handlers.SysLogHandler\nargs=(('localhost', "
                               "handlers.SYSLOG_UDP_PORT), handlers.SysLogHandler.LOG_USER)")
                              .replace(kConsole.find("class=StreamHandler"), 20, ""));
  CHECK(p.config["handlers"]["console"].dump() ==
        R"({"class":"logging.handlers.SysLogHandler","address":["localhost",514],)"
        R"("facility":)"
        R"("ext://logging.handlers.SysLogHandler.LOG_USER","formatter":"plain"})");
  // CPython's eval has no name `logging` here (a NameError), so neither has dictlog; DEBUG is
  // how a file names the level.
  CHECK(refusal(with("args=(sys.stdout,)", "args=()\nkwargs={'level': logging.DEBUG}")
                    .replace(kConsole.find("StreamHandler"), 13, "NullHandler"))
            .find("NameError: name 'logging' is not defined") != std::string::npos);
  CHECK(accepted(with("args=(sys.stdout,)", "args=()\nkwargs={'level': DEBUG}")
                     .replace(kConsole.find("StreamHandler"), 13, "NullHandler"))
            .config["handlers"]["console"]["level"] == 10);
  CHECK(accepted(with("args=(sys.stdout,)", "args=tuple()")).config["handlers"]["console"].dump() ==
        R"({"class":"logging.StreamHandler","formatter":"plain"})");
}

TEST_CASE("code where fileConfig evals is refused with where and why, and never run") {
  TempDir dir;  // the working directory, where `touch PWNED` would write
  const std::string hostile =
      with("args=(sys.stdout,)", "args=(__import__('os').system('touch PWNED'),)");
  write_file(dir.file("logging.ini"), hostile);
  CHECK(refusal(hostile) ==
        "invalid INI: line 17, column 7: [handler_console] args: a call is not allowed: "
        "__import__(...) (dictlog reads Python literals here, never code)");
  CHECK_THROWS_AS(dictlog::config::dict_config_file(dir.file("logging.ini")),
                  dictlog::config::ConfigError);
  CHECK_FALSE(std::filesystem::exists(dir / "PWNED"));

  CHECK(refusal(with("(sys.stdout,)", "(sys.stdout.write('x'),)")) ==
        "invalid INI: line 17, column 7: [handler_console] args: a call is not allowed: "
        "sys.stdout.write(...) (dictlog reads Python literals here, never code)");
  CHECK(refusal(with("(sys.stdout,)", "(tuple('ab'),)")) ==
        "invalid INI: line 17, column 7: [handler_console] args: a call is not allowed: "
        "tuple(...) (dictlog reads Python literals here, never code)");
  CHECK(refusal(with("(sys.stdout,)", "(stdout,)")) ==
        "invalid INI: line 17, column 7: [handler_console] args: the name 'stdout' is not one "
        "dictlog knows (level names, sys.stdout, sys.stderr, handlers.*, or a registered "
        "dotted name) (dictlog reads Python literals here, never code)");
  CHECK(refusal(with("(sys.stdout,)", "('app'.upper,)")) ==
        "invalid INI: line 17, column 12: [handler_console] args: attribute access is not "
        "allowed (dictlog reads Python literals here, never code)");
  CHECK(refusal(with("(sys.stdout,)", "(sys.argv[0],)")) ==
        "invalid INI: line 17, column 15: [handler_console] args: a subscript is not allowed "
        "(dictlog reads Python literals here, never code)");
  CHECK(refusal(with("(sys.stdout,)", "(1 + 1,)")) ==
        "invalid INI: line 17, column 9: [handler_console] args: an operator is not allowed "
        "(dictlog reads Python literals here, never code)");
  CHECK(refusal(with("(sys.stdout,)", "('ext://sys.stdout',)")) ==
        "invalid INI: line 17, column 7: [handler_console] args: a string starting with cfg:// "
        "or ext:// (fileConfig keeps it as text; write the name itself, e.g. sys.stdout) "
        "(dictlog reads Python literals here, never code)");
  CHECK(refusal(with("class=StreamHandler", "class=__import__('os').system('id')")) ==
        "invalid INI: line 15, column 7: [handler_console] class: "
        "'__import__('os').system('id')' is not a dotted class name (dictlog reads names "
        "here, never code)");
  CHECK(refusal(with("format=%(levelname)s %(message)s", "defaults={'a': open('x')}")) ==
        "invalid INI: line 20, column 16: [formatter_plain] defaults: a call is not allowed: "
        "open(...) (dictlog reads Python literals here, never code)");
}

TEST_CASE("positional args need the class's parameter names, which only the built-ins have") {
  // Registered, so the class is not the problem: only its positional arguments are.
  dictlog::config::register_handler(
      "myapp.Handler", [](dictlog::config::Args&) { return std::shared_ptr<dictlog::Handler>(); });
  CHECK(refusal(with("class=StreamHandler", "class=myapp.Handler")) ==
        "invalid INI: line 17, column 6: [handler_console] args: dictlog knows the parameter "
        "names of Python's own handler classes only; give myapp.Handler's arguments in kwargs");
  CHECK(accepted(with("class=StreamHandler", "class=myapp.Handler")
                     .replace(kConsole.find("args=(sys.stdout,)"), 18, "kwargs={'x': 1}"))
            .config["handlers"]["console"]
            .dump() == R"({"class":"myapp.Handler","x":1,"formatter":"plain"})");
  CHECK(refusal(with("(sys.stdout,)", "(sys.stdout, 1)")) ==
        "invalid INI: line 17, column 6: [handler_console] args: logging.StreamHandler takes 1 "
        "positional arguments, 2 given");
}

TEST_CASE("positional args for a class the registry cannot build: the class is named") {
  // Not "give os.system's arguments in kwargs": no spelling of its arguments would do.
  CHECK(refusal(with("class=StreamHandler", "class=os.system")) ==
        "invalid INI: line 15, column 7: [handler_console] class: 'os.system' is not a "
        "registered handler class (dictlog resolves class names only through its registry: "
        "see dictlog::config::register_handler)");
  CHECK(refusal(with("class=StreamHandler", "class=logging.Formatter")) ==
        "invalid INI: line 15, column 7: [handler_console] class: 'logging.Formatter' is a "
        "formatter class, not a handler class");
}

TEST_CASE("a value past the interpolation cap is refused naming its section and key") {
  // 64 bytes, 16 times on each of 4 levels: 4 MiB, past the 1 MiB cap.
  std::string bomb = "[DEFAULT]\nl0=" + std::string(64, 'x') + "\n";
  for (int i = 1; i <= 4; ++i) {
    bomb += "l" + std::to_string(i) + "=";
    for (int j = 0; j < 16; ++j) bomb += "%(l" + std::to_string(i - 1) + ")s";
    bomb += "\n";
  }
  CHECK(refusal(bomb + with("args=(sys.stdout,)", "args=('%(l4)s',)")) ==
        "invalid INI: line 23, column 6: [handler_console] args: a value longer than 1 MiB "
        "once interpolated");
}

TEST_CASE("what fileConfig's own reading refuses, dictlog refuses") {
  CHECK(refusal("") == "invalid INI: an empty file (fileConfig refuses it)");
  CHECK(refusal(with("[formatters]\nkeys=plain\n", "")) ==
        "invalid INI: there is no section [formatters]");
  CHECK(refusal(with("keys=root\n", "keys=app\n")) ==
        "invalid INI: line 1, column 1: [loggers] keys does not name root");
  CHECK(refusal(with("handlers=console\n", "")) ==
        "invalid INI: line 10, column 1: [logger_root] has no 'handlers'");
  CHECK(refusal(kConsole + "prince\n") == "invalid INI: line 21, column 1: not an option line");
}

TEST_CASE("CPython's ConfigFileTest config4 names a formatter class dictlog has not registered") {
  TempDir dir;
  write_file(dir.file("config4.ini"), with("[formatter_plain]\n",
                                           "[formatter_plain]\nclass=test.test_logging."
                                           "ExceptionFormatter\ndatefmt=\n"));
  const auto problems = dictlog::config::check_file(dir.file("config4.ini"));
  REQUIRE(problems.size() == 1);
  CHECK(dictlog::config::problem_line("config4.ini", problems[0]) ==
        "config4.ini:20:7: /formatters/plain/class: 'test.test_logging.ExceptionFormatter' is "
        "not a registered formatter class (dictlog resolves class names only through its "
        "registry: see dictlog::config::register_formatter)");
}
