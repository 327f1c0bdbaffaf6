// dictlog: check, show and run logging configurations (Python's dictConfig format) from the
// command line. See `dictlog --help`; the contract is in DESIGN.md ("The CLI contract").
#include <algorithm>
#include <cstdio>
#include <exception>
#include <fstream>
#include <iostream>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include <dictlog/config_json.hpp>
#include <dictlog/errors.hpp>

#include "cli.hpp"

#ifndef DICTLOG_VERSION
#define DICTLOG_VERSION "unknown"
#endif

namespace dictlog::cli {

namespace {

// The whole file; nullopt (with the reason in `why`) if it cannot be read.
std::optional<std::string> read_file(const std::string& path, std::string& why) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    why = "cannot open file";
    return std::nullopt;
  }
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad()) {
    why = "cannot read file";
    return std::nullopt;
  }
  return ss.str();
}

}  // namespace

namespace {

// `check --format json`: one object a line on stdout, for CI annotations.
void print_json_problem(const std::string& file, const config::Problem& p) {
  nlohmann::ordered_json j{{"file", file}, {"pointer", p.pointer}, {"message", p.message}};
  if (p.line > 0) {
    j["line"] = p.line;
    j["column"] = p.column;
  }
  std::cout << j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
}

}  // namespace

int load_config(const std::string& config_path, Load how) {
  auto report = [&](const config::Problem& p) {
    if (how == Load::check_json)
      print_json_problem(config_path, p);
    else
      std::cerr << config::problem_line(config_path, p) << '\n';
  };
  std::string why;
  auto text = read_file(config_path, why);
  if (!text) {
    report({"", why});
    return io_error;
  }
  // JSON, YAML or INI by the extension; the parsers keep the order of object keys, as
  // Python's dicts do.
  auto parsed = config::parse_config(*text, config::format_of(config_path), why);
  if (!parsed) {
    report({"", why});
    return problem;
  }
  if (how == Load::check || how == Load::check_json) {
    std::vector<config::Problem> problems = config::check(parsed->config);
    config::locate(problems, *parsed);
    for (const auto& p : problems) report(p);
    return problems.empty() ? ok : problem;
  }
  try {
    config::dict_config(parsed->config, config_path);
  } catch (const config::ConfigError& e) {
    std::vector<config::Problem> problems = e.problems();
    config::locate(problems, *parsed);
    std::cerr << (problems.empty() ? std::string(e.what())
                                   : config::problem_line(config_path, problems.front()))
              << '\n';
    return problem;
  } catch (const std::exception& e) {
    std::cerr << config_path << ": " << describe(e) << '\n';
    return problem;
  }
  return ok;
}

int check_command(const std::string& config_path, bool json) {
  return load_config(config_path, json ? Load::check_json : Load::check);
}

// `convert`: the dictConfig JSON a YAML or INI file means (a JSON file: itself, re-indented).
int convert_command(const std::string& config_path) {
  std::string why;
  auto text = read_file(config_path, why);
  if (!text) {
    std::cerr << config::problem_line(config_path, {"", why}) << '\n';
    return io_error;
  }
  auto parsed = config::parse_config(*text, config::format_of(config_path), why);
  if (!parsed) {
    std::cerr << config::problem_line(config_path, {"", why}) << '\n';
    return problem;
  }
  std::cout << parsed->config.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
  return ok;
}

}  // namespace dictlog::cli

namespace {

constexpr std::string_view kUsage = R"(usage: dictlog check [--format text|json] CONFIG
       dictlog tree CONFIG
       dictlog run [--watch] [--stats] CONFIG [EVENTS]
       dictlog convert CONFIG
       dictlog COMMAND --help | dictlog --help | dictlog --version

CONFIG is a logging configuration, by its extension: .yaml/.yml the YAML form of Python's
logging.config.dictConfig (as yaml.safe_load reads it), .ini/.conf/.cfg the INI form of
logging.config.fileConfig, anything else the JSON form of dictConfig.
)";

constexpr std::string_view kConvertHelp =
    R"(  convert Print the dictConfig JSON that CONFIG means (YAML or INI; JSON as it is), for
          moving a configuration to JSON. Does not validate it: see check.
)";

constexpr std::string_view kCheckHelp =
    R"(  check   Validate CONFIG without applying it (no file is touched, no socket opened).
          Every problem is printed on stderr, one a line: CONFIG: /json/pointer: problem
          --format json: each problem on stdout instead, one JSON object a line:
            {"file": "CONFIG", "pointer": "/json/pointer", "message": "problem"}
          (pointer "" when the file cannot be read or is not JSON; the message then
          gives the line and column)
)";

constexpr std::string_view kTreeHelp =
    R"(  tree    Apply CONFIG and print the logger tree: levels, propagate, disabled, filters,
          handlers with class, level and format, and each QueueHandler's listener with
          its handlers.
)";

constexpr std::string_view kRunHelp =
    R"(  run     Apply CONFIG, start every QueueHandler's listener, then log the events read as
          JSON Lines from EVENTS (or standard input if absent or "-"):
            {"logger": "a.b", "level": "INFO" | 20, "msg": "literal text", "extra": {...},
             "context": {...}}
                logs one record ("logger" absent, "" or "root": the root logger; "msg" is
                used literally; "extra" values are any JSON; "context" is bound on the
                thread around the call, as dictlog::context::bind does)
            {"op": "config", "config": {...}}
                applies another configuration and starts the listeners it created
            {"op": "drain"}
                stops every running listener (handling everything queued) and restarts it
            {"op": "add_level_name", "level": 25, "name": "NOTICE"}
                registers a level name
          Blank lines are skipped. At the end of input every listener is stopped, draining
          its queue, then logging is shut down (handlers flushed and closed). A bad line
          is reported, EVENTS:LINE: problem on stderr, and reading goes on (the exit
          status is then 1).
          --watch: while running, re-apply CONFIG whenever the file changes (or the
          process gets SIGHUP) and start the listeners it created; a changed CONFIG that
          is rejected leaves the running configuration as it was and prints every
          problem on stderr, one a line: CONFIG: /json/pointer: problem
          --stats: at the end, once the queues are drained and the handlers flushed, print on
          stderr one line per
          named handler: stats NAME: emitted=N filtered=N dropped_queue_full=N
          dropped_peer_down=N dropped_write_failed=N errors=N
)";

constexpr std::string_view kExitHelp = R"(
exit status:
  0  success
  1  the configuration is rejected (run/tree: one line on stderr; check: every problem),
     or an event line is bad
  2  usage error
  3  CONFIG or EVENTS cannot be read
  4  internal error
)";

void print_help(std::string_view command) {
  std::cout << kUsage << "\ncommands:\n";
  if (command.empty() || command == "check") std::cout << kCheckHelp;
  if (command.empty() || command == "tree") std::cout << kTreeHelp;
  if (command.empty() || command == "run") std::cout << kRunHelp;
  if (command.empty() || command == "convert") std::cout << kConvertHelp;
  std::cout << kExitHelp;
}

int usage_error(std::string_view why) {
  std::cerr << "dictlog: " << why << "\nTry 'dictlog --help'.\n";
  return dictlog::cli::usage;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty()) return usage_error("missing command");
  const std::string& cmd = args[0];
  if (cmd == "--help" || cmd == "-h" || cmd == "help") {
    if (args.size() > 1 && args[1] != "check" && args[1] != "tree" && args[1] != "run" &&
        args[1] != "convert")
      return usage_error("no help for '" + args[1] + "'");
    print_help(args.size() > 1 ? args[1] : "");
    return dictlog::cli::ok;
  }
  if ((cmd == "check" || cmd == "tree" || cmd == "run" || cmd == "convert") &&
      std::find_if(args.begin() + 1, args.end(),
                   [](const std::string& a) { return a == "--help" || a == "-h"; }) != args.end()) {
    print_help(cmd);
    return dictlog::cli::ok;
  }
  if (cmd == "--version") {
    std::cout << "dictlog " << DICTLOG_VERSION << '\n';
    return dictlog::cli::ok;
  }
  try {
    if (cmd == "check") {
      bool json = false;
      if (args.size() > 2 && args[1] == "--format") {
        if (args[2] != "json" && args[2] != "text")
          return usage_error("--format is text or json, not '" + args[2] + "'");
        json = args[2] == "json";
        args.erase(args.begin() + 1, args.begin() + 3);
      } else if (args.size() > 1 && args[1].rfind("--format=", 0) == 0) {
        const std::string f = args[1].substr(9);
        if (f != "json" && f != "text")
          return usage_error("--format is text or json, not '" + f + "'");
        json = f == "json";
        args.erase(args.begin() + 1);
      }
      if (args.size() != 2) return usage_error("check takes [--format text|json] CONFIG");
      return dictlog::cli::check_command(args[1], json);
    }
    if (cmd == "convert") {
      if (args.size() != 2) return usage_error("convert takes exactly one CONFIG");
      return dictlog::cli::convert_command(args[1]);
    }
    if (cmd == "tree") {
      if (args.size() != 2) return usage_error("tree takes exactly one CONFIG");
      return dictlog::cli::tree_command(args[1]);
    }
    if (cmd == "run") {
      bool watch = false, show_stats = false;
      while (args.size() > 1 && (args[1] == "--watch" || args[1] == "--stats")) {
        (args[1] == "--watch" ? watch : show_stats) = true;
        args.erase(args.begin() + 1);
      }
      if (args.size() != 2 && args.size() != 3)
        return usage_error("run takes [--watch] [--stats] CONFIG [EVENTS]");
      return dictlog::cli::run_command(args[1], args.size() == 3 ? args[2] : "", watch, show_stats);
    }
  } catch (const std::exception& e) {
    std::cerr << "dictlog: internal error: " << e.what() << '\n';
    return dictlog::cli::internal;
  }
  return usage_error("unknown command '" + cmd + "'");
}
