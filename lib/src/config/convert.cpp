// Python's value conversion in dictConfig: ext:// through the registry, cfg:// through the
// configuration itself, and the small Python semantics the loader needs (repr, truthiness,
// _checkLevel).
#include <algorithm>
#include <cctype>
#include <climits>
#include <cstdint>
#include <cstring>

#include "config/builder.hpp"
#include "dictlog/detail/pystr.hpp"
#include "dictlog/level.hpp"

namespace dictlog::config::detail {

namespace {

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}
// Python's \w for str patterns: letters, digits, underscore, and (approximately) any
// non-ASCII character.
bool is_word(char c) {
  auto u = static_cast<unsigned char>(c);
  return u >= 0x80 || std::isalnum(u) || c == '_';
}

// CONVERT_PATTERN: ^(?P<prefix>[a-z]+)://(?P<suffix>.*)$ ('.' stops at a newline; '$'
// also matches before a final newline).
bool split_convert(const std::string& s, std::string& prefix, std::string& suffix) {
  std::size_t i = 0;
  while (i < s.size() && s[i] >= 'a' && s[i] <= 'z') ++i;
  if (i == 0 || s.compare(i, 3, "://") != 0) return false;
  std::size_t start = i + 3;
  std::size_t nl = s.find('\n', start);
  if (nl != std::string::npos && nl != s.size() - 1) return false;
  prefix = s.substr(0, i);
  suffix = s.substr(start, (nl == std::string::npos ? s.size() : nl) - start);
  return true;
}

constexpr int max_depth = 32;
thread_local int t_depth = 0;

}  // namespace

std::string py_repr(const Json& v) {
  std::string out;
  switch (v.type()) {
    case Json::value_t::null:
      return "None";
    case Json::value_t::boolean:
      return v.get<bool>() ? "True" : "False";
    case Json::value_t::number_integer:
      return std::to_string(v.get<std::int64_t>());
    case Json::value_t::number_unsigned:
      return std::to_string(v.get<std::uint64_t>());
    case Json::value_t::number_float:
      dictlog::detail::append_float_repr(v.get<double>(), out);
      return out;
    case Json::value_t::string:
      dictlog::detail::append_str_repr(v.get_ref<const std::string&>(), out);
      return out;
    case Json::value_t::array: {
      out = "[";
      bool first = true;
      for (const auto& e : v) {
        if (!first) out += ", ";
        first = false;
        out += py_repr(e);
      }
      return out + "]";
    }
    case Json::value_t::object: {
      out = "{";
      bool first = true;
      for (const auto& [k, e] : v.items()) {
        if (!first) out += ", ";
        first = false;
        dictlog::detail::append_str_repr(k, out);
        out += ": " + py_repr(e);
      }
      return out + "}";
    }
    default:
      return "<binary>";
  }
}

bool truthy(const Json& v) {
  switch (v.type()) {
    case Json::value_t::null:
      return false;
    case Json::value_t::boolean:
      return v.get<bool>();
    case Json::value_t::number_integer:
      return v.get<std::int64_t>() != 0;
    case Json::value_t::number_unsigned:
      return v.get<std::uint64_t>() != 0;
    case Json::value_t::number_float:
      return v.get<double>() != 0.0;
    case Json::value_t::string:
    case Json::value_t::array:
    case Json::value_t::object:
      return !v.empty();
    default:
      return true;
  }
}

std::string pointer_token(std::string_view key) {
  std::string out;
  for (char c : key) {
    if (c == '~')
      out += "~0";
    else if (c == '/')
      out += "~1";
    else
      out += c;
  }
  return out;
}

int check_level_value(const Converted& v) {
  if (v.json) {
    const Json& j = *v.json;
    if (j.is_boolean()) return j.get<bool>() ? 1 : 0;
    if (j.is_number_integer()) {
      if (j.is_number_unsigned()
              ? j.get<std::uint64_t>() > INT32_MAX
              : (j.get<std::int64_t>() > INT32_MAX || j.get<std::int64_t>() < INT32_MIN))
        throw Fail{v.pointer,
                   "level " + py_repr(j) + " is out of range (dictlog levels are 32-bit)"};
      return static_cast<int>(j.get<std::int64_t>());
    }
    if (j.is_string()) {
      if (auto level = get_level_by_name(j.get_ref<const std::string&>())) return *level;
      throw Fail{v.pointer, "Unknown level: " + py_repr(j) +
                                " (a level is an integer or exactly a registered name such as "
                                "'DEBUG', 'INFO', 'WARNING', 'ERROR', 'CRITICAL')"};
    }
    throw Fail{v.pointer, "Level not an integer or a valid string: " + py_repr(j)};
  }
  throw Fail{v.pointer, "Level not an integer or a valid string: " +
                            std::string(v.entry ? "ext://" + v.entry->name : "a handler")};
}

std::vector<NameRef> names_of(const Converted& v, std::string_view what) {
  if (!v.json) throw Fail{v.pointer, std::string(what) + " must be a list of names"};
  const Json& j = *v.json;
  std::vector<NameRef> out;
  if (j.is_array()) {
    for (std::size_t i = 0; i < j.size(); ++i)
      out.push_back({j[i], v.pointer + "/" + std::to_string(i)});
  } else if (j.is_object()) {
    for (const auto& [k, e] : j.items())
      out.push_back({Json(k), v.pointer + "/" + pointer_token(k)});
  } else if (j.is_string()) {
    // "console" names handlers 'c', 'o', 'n', ... in Python.
    for (char c : j.get_ref<const std::string&>())
      out.push_back({Json(std::string(1, c)), v.pointer});
  } else {
    throw Fail{v.pointer, std::string(what) + " must be a list of names, not " + py_repr(j)};
  }
  return out;
}

Converted Builder::convert(const Json& v, std::string pointer) {
  Converted out;
  out.json = &v;
  out.pointer = std::move(pointer);
  if (!v.is_string()) return out;
  std::string prefix, suffix;
  if (!split_convert(v.get_ref<const std::string&>(), prefix, suffix)) return out;
  if (prefix == "ext") {
    auto entry = lookup(suffix);
    if (!entry)
      throw Fail{out.pointer, "Cannot resolve " + py_repr(Json(suffix)) +
                                  ": not a registered name (dictlog resolves ext:// only through "
                                  "its registry; see dictlog::config::register_object)"};
    if (entry->kind == Entry::Kind::constant) {
      out.owned = std::make_shared<const Json>(entry->constant);
      out.json = out.owned.get();
      return out;
    }
    out.json = nullptr;
    out.entry = std::move(entry);
    return out;
  }
  if (prefix == "cfg") {
    if (t_depth >= max_depth)
      throw Fail{out.pointer, "cfg:// references nest too deeply (a loop?)"};
    ++t_depth;
    try {
      Converted c = cfg_convert(suffix, out.pointer);
      --t_depth;
      return c;
    } catch (...) {
      --t_depth;
      throw;
    }
  }
  return out;  // other prefixes (http://) stay strings
}

// BaseConfigurator.cfg_convert, 3.13: WORD, then .WORD or [INDEX] (digits: an int index).
Converted Builder::cfg_convert(const std::string& path, const std::string& where) {
  const std::string original = "cfg://" + path;
  std::size_t i = 0;
  auto skip_space = [&] {
    while (i < path.size() && is_space(path[i])) ++i;
  };
  auto word = [&](std::string& w) {
    std::size_t s = i;
    while (i < path.size() && is_word(path[i])) ++i;
    w = path.substr(s, i - s);
    return !w.empty();
  };
  skip_space();
  std::string w;
  if (!word(w)) throw Fail{where, "Unable to convert " + py_repr(Json(path))};
  skip_space();
  // Each step reads through a converting container, as Python's does.
  Converted cur = get(top_, w);
  if (cur.absent()) throw Fail{where, original + ": KeyError: " + py_repr(Json(w))};
  while (i < path.size()) {
    const std::size_t step = i;
    std::string key;
    bool index = false, digits = false;
    if (path[i] == '.') {
      ++i;
      skip_space();
      if (!word(key))
        throw Fail{where, "Unable to convert " + py_repr(Json(path)) + " at " +
                              py_repr(Json(path.substr(step)))};
      skip_space();
    } else if (path[i] == '[') {
      std::size_t close = i + 1;
      while (close < path.size() && path[close] != ']' && path[close] != '[') ++close;
      if (close >= path.size() || path[close] != ']')
        throw Fail{where, "Unable to convert " + py_repr(Json(path)) + " at " +
                              py_repr(Json(path.substr(step)))};
      key = path.substr(i + 1, close - i - 1);
      i = close + 1;
      skip_space();
      index = true;
      digits = !key.empty() &&
               std::all_of(key.begin(), key.end(), [](char c) { return c >= '0' && c <= '9'; });
    } else {
      throw Fail{where, "Unable to convert " + py_repr(Json(path)) + " at " +
                            py_repr(Json(path.substr(step)))};
    }
    if (cur.is_handler || cur.entry)
      throw Fail{where, original + ": a built handler or a registered object has no item " +
                            py_repr(Json(key))};
    const Json& j = *cur.json;
    if (index && digits && (j.is_array() || j.is_string())) {
      std::size_t n = key.size() > 18 ? SIZE_MAX : std::stoull(key);
      if (j.is_array()) {
        if (n >= j.size()) throw Fail{where, original + ": IndexError: list index out of range"};
        cur = convert(j[n], cur.pointer + "/" + std::to_string(n));
      } else {
        // Python indexes strings by code point; dictlog only by byte for ASCII text.
        const std::string& s = j.get_ref<const std::string&>();
        if (n >= s.size()) throw Fail{where, original + ": IndexError: string index out of range"};
        Converted c;
        c.owned = std::make_shared<const Json>(std::string(1, s[n]));
        c.json = c.owned.get();
        c.pointer = cur.pointer;
        cur = c;
      }
    } else if (index && digits && j.is_object()) {
      // An int key: JSON object keys are strings, so it is never there.
      throw Fail{where, original + ": KeyError: " + key};
    } else if (j.is_object()) {
      Converted next = get(cur, key);
      if (next.absent()) throw Fail{where, original + ": KeyError: " + py_repr(Json(key))};
      cur = next;
    } else if (j.is_array()) {
      throw Fail{where, original + ": TypeError: list indices must be integers or slices, not str"};
    } else {
      throw Fail{where, original + ": " + py_repr(j) + " has no item " + py_repr(Json(key))};
    }
  }
  return cur;
}

Converted Builder::get(const Converted& parent, std::string_view key) {
  if (!parent.json || !parent.json->is_object()) return {};
  const Json* it = find_in_section(*parent.json, key);
  if (!it) return {};
  std::string ptr = parent.pointer + "/" + pointer_token(key);
  // handlers[NAME] of a handler already built reads as the handler (Python replaces the
  // config entry with the object).
  if (parent.json == handlers_section_) {
    auto h = handlers_.find(key);
    if (h != handlers_.end()) {
      Converted c;
      c.is_handler = true;
      c.handler = std::string(key);
      c.pointer = ptr;
      return c;
    }
  }
  return convert(*it, std::move(ptr));
}

}  // namespace dictlog::config::detail
