// configparser's reading and BasicInterpolation, as CPython 3.13's RawConfigParser._read and
// BasicInterpolation._interpolate_some do them (see ini_parser.hpp).
#include "config/ini_parser.hpp"

#include <algorithm>
#include <cctype>
#include <set>
#include <utility>
#include <vector>

namespace dictlog::config::detail {

namespace {

constexpr int kMaxInterpolationDepth = 10;  // configparser's MAX_INTERPOLATION_DEPTH
// Ten levels of several references each grow exponentially; configparser has no bound.
constexpr std::size_t kMaxInterpolated = 1 << 20;

std::string strip(const std::string& s) {
  const auto b = s.find_first_not_of(" \t\r\f\v\n");
  if (b == std::string::npos) return "";
  return s.substr(b, s.find_last_not_of(" \t\r\f\v\n") - b + 1);
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

}  // namespace

IniFile::IniFile(const std::string& text, const std::map<std::string, std::string>& defaults) {
  defaults_.name = "DEFAULT";
  for (const auto& [k, v] : defaults) {
    // ConfigParser's set() checks what BasicInterpolation could not read later.
    std::string rest = v;
    for (std::size_t p = 0; (p = rest.find('%', p)) != std::string::npos;) {
      if (rest.compare(p, 2, "%%") == 0) {
        p += 2;
      } else if (rest.compare(p, 2, "%(") == 0 && rest.find(")s", p) != std::string::npos) {
        p = rest.find(")s", p) + 2;
      } else {
        throw IniError(0, 0, "invalid interpolation syntax in the default '" + k + "'");
      }
    }
    defaults_.options[lower(k)] = {v, 0, 0};
  }
  IniSection* cur = nullptr;
  std::string optname;
  std::set<std::string> sections_seen;
  std::set<std::pair<std::string, std::string>> options_seen;
  std::map<IniOption*, std::vector<std::string>> lines;
  std::size_t indent_level = 0;
  int lineno = 0;
  std::size_t pos = 0;
  while (pos <= text.size()) {
    std::size_t end = text.find('\n', pos);
    if (end == std::string::npos) end = text.size();
    const std::string line = text.substr(pos, end - pos);
    const bool last = end == text.size();
    pos = end + 1;
    ++lineno;
    if (last && line.empty()) break;
    const std::string value = strip(line);
    const bool comment = value.starts_with('#') || value.starts_with(';');
    if (value.empty() || comment) {
      // A blank line may belong to a multi-line value; a comment never does.
      if (!comment && cur && !optname.empty()) lines[&cur->options[optname]].push_back("");
      continue;
    }
    const std::size_t indent = line.find_first_not_of(" \t\r\f\v");
    if (cur && !optname.empty() && indent > indent_level) {
      lines[&cur->options[optname]].push_back(value);
      continue;
    }
    indent_level = indent;
    const auto close = value.rfind(']');
    if (value[0] == '[' && close != std::string::npos && close > 1) {
      const std::string name = value.substr(1, close - 1);
      optname.clear();
      if (name == "DEFAULT") {
        cur = &defaults_;
        continue;
      }
      if (!sections_seen.insert(name).second)
        throw IniError(lineno, 1, "section '" + name + "' already exists");
      sections_.push_back({name, lineno, {}});
      cur = &sections_.back();
      continue;
    }
    if (!cur) throw IniError(lineno, 1, "file contains no section headers: '" + strip(line) + "'");
    const auto delim = value.find_first_of("=:");
    const std::string option = delim == std::string::npos ? "" : strip(value.substr(0, delim));
    if (option.empty()) throw IniError(lineno, static_cast<int>(indent) + 1, "not an option line");
    optname = lower(option);
    if (!options_seen.insert({cur->name, optname}).second)
      throw IniError(lineno, static_cast<int>(indent) + 1,
                     "option '" + optname + "' in section '" + cur->name + "' already exists");
    const std::string rest = value.substr(delim + 1);
    const std::string v = strip(rest);
    const auto col = line.find(v.empty() ? value.substr(delim) : v, indent + delim);
    IniOption& o = cur->options[optname];
    o = {"", lineno, static_cast<int>(col == std::string::npos ? indent : col) + 1};
    lines[&o] = {v};
  }
  for (auto& [o, ls] : lines) {
    std::string joined;
    for (std::size_t i = 0; i < ls.size(); ++i) joined += (i ? "\n" : "") + ls[i];
    o->value = joined.substr(0, joined.find_last_not_of(" \t\r\f\v\n") + 1);
    if (joined.find_first_not_of(" \t\r\f\v\n") == std::string::npos) o->value.clear();
  }
}

const IniSection* IniFile::section(const std::string& name) const {
  for (const IniSection& s : sections_)
    if (s.name == name) return &s;
  return nullptr;
}

const IniOption* IniFile::find(const IniSection& section, const std::string& key) const {
  if (auto it = section.options.find(key); it != section.options.end()) return &it->second;
  if (auto it = defaults_.options.find(key); it != defaults_.options.end()) return &it->second;
  return nullptr;
}

std::string IniFile::get(const IniSection& section, const std::string& key, bool raw) const {
  const IniOption* o = find(section, key);
  if (!o) return "";
  if (raw) return o->value;
  std::string out;
  interpolate(section, key, *o, o->value, out, 1);
  return out;
}

void IniFile::interpolate(const IniSection& section, const std::string& key, const IniOption& where,
                          const std::string& value, std::string& out, int depth) const {
  if (depth > kMaxInterpolationDepth)
    throw IniError(where.line, where.column, "interpolation deeper than 10 levels");
  std::size_t i = 0;
  while (i < value.size()) {
    const auto p = value.find('%', i);
    if (p == std::string::npos) {
      out += value.substr(i);
      return;
    }
    out += value.substr(i, p - i);
    if (value.compare(p, 2, "%%") == 0) {
      out += '%';
      i = p + 2;
    } else if (value.compare(p, 2, "%(") == 0) {
      const auto close = value.find(')', p + 2);
      if (close == std::string::npos || close == p + 2 || close + 1 >= value.size() ||
          value[close + 1] != 's')
        throw IniError(where.line, where.column,
                       "bad interpolation variable reference '" + value.substr(p) + "'");
      const std::string name = lower(value.substr(p + 2, close - p - 2));
      const IniOption* v = find(section, name);
      if (!v)
        throw IniError(where.line, where.column,
                       "bad value substitution: no option '" + name + "' in section '" +
                           section.name + "' or [DEFAULT]");
      if (v->value.find('%') != std::string::npos)
        interpolate(section, key, where, v->value, out, depth + 1);
      else
        out += v->value;
      if (out.size() > kMaxInterpolated)
        throw IniError(
            where.line, where.column,
            "[" + section.name + "] " + key + ": a value longer than 1 MiB once interpolated");
      i = close + 2;
    } else {
      throw IniError(where.line, where.column,
                     "'%' must be followed by '%' or '(', found: '" + value.substr(p) + "'");
    }
  }
}

}  // namespace dictlog::config::detail
