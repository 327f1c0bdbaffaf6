// Shared pieces of the dictlog command-line tool (tools/dictlog.cpp): exit codes and the
// three commands. Everything here uses dictlog's public API only.
#pragma once

#include <exception>
#include <iosfwd>
#include <string>

#include <dictlog/handler.hpp>

namespace dictlog::cli {

// Exit codes, documented in `dictlog --help`.
enum Exit : int {
  ok = 0,
  problem = 1,   // configuration rejected, or a bad event line
  usage = 2,     // bad command line
  io_error = 3,  // CONFIG or EVENTS cannot be read
  internal = 4,  // an unexpected exception (a dictlog bug)
};

// What load_config does with CONFIG once it is read and parsed.
enum class Load {
  check,       // validate only; every problem on stderr, "CONFIG: /json/pointer: what"
  check_json,  // the same, each problem a JSON object on stdout (file, pointer, message)
  apply,       // dict_config; a rejection is one line on stderr
};
// Reads CONFIG (io_error if it cannot be read), parses it ("CONFIG: invalid JSON: line L,
// column C: detail") and checks or applies it. Returns ok or the exit status.
int load_config(const std::string& config_path, Load how);

// An exception as the CLI shows it: a dictlog::Error with its Python type ("KeyError: ...").
std::string describe(const std::exception& e);

int check_command(const std::string& config_path, bool json = false);
int tree_command(const std::string& config_path);
int convert_command(const std::string& config_path);
// events_path empty or "-": standard input. `watch`: re-apply CONFIG when it changes.
// `show_stats`: at the end, one line on stderr per named handler with its counts.
int run_command(const std::string& config_path, const std::string& events_path, bool watch = false,
                bool show_stats = false);

// "emitted=N filtered=N dropped_queue_full=N dropped_peer_down=N dropped_write_failed=N
// errors=N".
std::string format_stats(const HandlerStats& s);

// Prints the logger tree (root first, children indented) to `out`.
void print_tree(std::ostream& out);

}  // namespace dictlog::cli
