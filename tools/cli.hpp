// Shared pieces of the dictlog command-line tool (tools/dictlog.cpp): exit codes and the
// three commands. Everything here uses dictlog's public API only.
#pragma once

#include <iosfwd>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

namespace dictlog::cli {

// Exit codes, documented in `dictlog --help`.
enum Exit : int {
  ok = 0,
  problem = 1,   // configuration rejected, or a bad event line
  usage = 2,     // bad command line
  io_error = 3,  // CONFIG or EVENTS cannot be read
  internal = 4,  // an unexpected exception (a dictlog bug)
};

// Reads a whole file; nullopt (with the reason in `why`) if it cannot be read.
std::optional<std::string> read_file(const std::string& path, std::string& why);

// Parses JSON text, keeping the order of object keys (Python's dicts keep it); on a syntax
// error returns nullopt with "invalid JSON: line L, column C: detail".
std::optional<nlohmann::ordered_json> parse_json(const std::string& text, std::string& why);

int check_command(const std::string& config_path);
int tree_command(const std::string& config_path);
// events_path empty or "-": standard input.
int run_command(const std::string& config_path, const std::string& events_path);

// Prints the logger tree (root first, children indented) to `out`.
void print_tree(std::ostream& out);

}  // namespace dictlog::cli
