// Logging levels: Python's numbers, names and lookup rules.
//
// A level is a plain int. The two tables (level -> name, name -> level) start with
// Python's built-ins and grow through add_level_name; both are safe to use from any thread.
//
//   dictlog::add_level_name(25, "NOTICE");
//   dictlog::get_level_name(25);        // "NOTICE"
//   dictlog::check_level("NOTICE");     // 25; check_level("notice") throws ValueError
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace dictlog {

inline constexpr int NOTSET = 0;
inline constexpr int DEBUG = 10;
inline constexpr int INFO = 20;
inline constexpr int WARNING = 30;
inline constexpr int WARN = WARNING;
inline constexpr int ERROR = 40;
inline constexpr int CRITICAL = 50;
inline constexpr int FATAL = CRITICAL;

// Python's getLevelName for an int: the registered name, else "Level <n>".
std::string get_level_name(int level);

// Python's getLevelName for a string: the level registered under exactly that name.
// Python returns "Level <s>" for an unknown name; this returns nullopt.
std::optional<int> get_level_by_name(std::string_view name);

// Registers `name` for `level` in both tables (Python's addLevelName).
void add_level_name(int level, std::string_view name);

// A copy of the name -> level table, aliases included (getLevelNamesMapping).
std::map<std::string, int> get_level_names_mapping();

// Python's _checkLevel: any int is accepted; a string must be exactly a registered name,
// else ValueError("Unknown level: 'warning'").
inline int check_level(int level) {
  return level;
}
int check_level(std::string_view name);

namespace detail {
// The level name as record.levelname shows it, interned: the view stays valid for the
// life of the process, so records can hold it without copying.
std::string_view interned_level_name(int level);
}  // namespace detail

}  // namespace dictlog
