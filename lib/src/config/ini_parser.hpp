// Python's configparser.ConfigParser as logging.config.fileConfig uses it: sections,
// `key = value` / `key: value` options (names lowercased), indented continuation lines,
// full-line # and ; comments, a DEFAULT section and defaults every section sees, and
// BasicInterpolation's %(name)s and %%.
#pragma once

#include <deque>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>

namespace dictlog::config::detail {

// A refusal, with the 1-based line and column it concerns.
struct IniError : std::runtime_error {
  IniError(int l, int c, const std::string& what) : std::runtime_error(what), line(l), column(c) {}
  int line;
  int column;
};

struct IniOption {
  std::string value;  // lines joined with \n, trailing white space removed, not interpolated
  int line = 0;
  int column = 0;
};

struct IniSection {
  std::string name;
  int line = 0;
  std::map<std::string, IniOption> options;
};

class IniFile {
 public:
  // Throws IniError as configparser's read raises ParsingError, MissingSectionHeaderError,
  // DuplicateSectionError or DuplicateOptionError.
  IniFile(const std::string& text, const std::map<std::string, std::string>& defaults);

  const IniSection* section(const std::string& name) const;
  // The option of `section` or else of DEFAULT; nullptr if neither has it.
  const IniOption* find(const IniSection& section, const std::string& key) const;
  // The value interpolated (raw: as written), as configparser's get does.
  std::string get(const IniSection& section, const std::string& key, bool raw = false) const;

 private:
  // `key` and `where`: the option being read, for messages.
  void interpolate(const IniSection& section, const std::string& key, const IniOption& where,
                   const std::string& value, std::string& out, int depth) const;

  IniSection defaults_;
  std::deque<IniSection> sections_;  // a deque: options stay where they are while reading
};

}  // namespace dictlog::config::detail
