// YAML configuration files, read as PyYAML's yaml.safe_load reads them (YAML 1.1 scalars,
// merge keys, anchors and aliases), into the JSON document dictConfig is given. yaml-cpp
// parses; the typing of scalars is PyYAML's resolver and constructor, since yaml-cpp leaves
// plain scalars untyped and Python services' files mean what safe_load makes of them.
#include "config/yaml_config.hpp"

#ifdef DICTLOG_HAVE_YAML
#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/yaml.h>

#include <cmath>
#include <cstdio>
#include <limits>
#include <regex>
#include <sstream>
#include <string_view>
#include <utility>
#include <vector>

#include "config/builder.hpp"
#include "record/py_unicode.hpp"
#endif

namespace dictlog::config::detail {

#ifndef DICTLOG_HAVE_YAML

std::optional<ParsedConfig> parse_yaml(const std::string&, std::string& why) {
  why =
      "this build of dictlog reads no YAML (it was built without yaml-cpp: install "
      "libyaml-cpp-dev and reconfigure, or convert the file to JSON)";
  return std::nullopt;
}

#else

namespace {

using Json = nlohmann::ordered_json;

// Values made once aliases are expanded. An alias shares its node in Python, but JSON copies
// it: a "billion laughs" file would be exponential. No logging configuration comes near.
constexpr std::size_t kMaxValues = 100000;
constexpr std::size_t kMaxDepth = 1000;

const std::string kTag = "tag:yaml.org,2002:";

struct YamlFail {
  YAML::Mark mark;
  std::string message;
};

// PyYAML's implicit resolvers (yaml/resolver.py), in its order.
const std::regex& bool_re() {
  static const std::regex r(
      "yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|"
      "Off|OFF");
  return r;
}
const std::regex& float_re() {
  static const std::regex r(
      "[-+]?(?:[0-9][0-9_]*)\\.[0-9_]*(?:[eE][-+][0-9]+)?|\\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?|"
      "[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\\.[0-9_]*|[-+]?\\.(?:inf|Inf|INF)|\\.(?:nan|NaN|NAN)");
  return r;
}
const std::regex& int_re() {
  static const std::regex r(
      "[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+|"
      "[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+");
  return r;
}
const std::regex& timestamp_re() {
  static const std::regex r(
      "[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]|[0-9][0-9][0-9][0-9]-[0-9][0-9]?-[0-9][0-9]?"
      "(?:[Tt]|[ \\t]+)[0-9][0-9]?:[0-9][0-9]:[0-9][0-9](?:\\.[0-9]*)?"
      "(?:[ \\t]*(?:Z|[-+][0-9][0-9]?(?::[0-9][0-9])?))?");
  return r;
}

// The tag PyYAML gives a plain scalar.
std::string resolve(const std::string& v) {
  if (v.empty()) return "null";
  const char c = v[0];
  if (std::string_view("yYnNtTfFoO").find(c) != std::string_view::npos &&
      std::regex_match(v, bool_re()))
    return "bool";
  if (std::string_view("-+0123456789.").find(c) != std::string_view::npos &&
      std::regex_match(v, float_re()))
    return "float";
  if (std::string_view("-+0123456789").find(c) != std::string_view::npos &&
      std::regex_match(v, int_re()))
    return "int";
  if (v == "<<") return "merge";
  if (v == "~" || v == "null" || v == "Null" || v == "NULL") return "null";
  if (std::string_view("0123456789").find(c) != std::string_view::npos &&
      std::regex_match(v, timestamp_re()))
    return "timestamp";
  if (v == "=") return "value";
  return "str";
}

// Digits separated by ':' in base 60 (1:30 is 90), as PyYAML's sexagesimal numbers.
template <class T, class Part>
T base60(const std::string& v, Part part) {
  T out = 0;
  std::size_t start = 0;
  for (;;) {
    const std::size_t colon = v.find(':', start);
    out = out * 60 + part(v.substr(start, colon - start));
    if (colon == std::string::npos) return out;
    start = colon + 1;
  }
}

Json make_int(std::string v, const YAML::Mark& mark) {
  std::erase(v, '_');
  bool negative = false;
  if (!v.empty() && (v[0] == '-' || v[0] == '+')) {
    negative = v[0] == '-';
    v.erase(0, 1);
  }
  try {
    unsigned long long n = 0;
    std::size_t used = 0;
    if (v.empty()) throw std::invalid_argument("empty");
    if (v == "0") {
      n = 0;
      used = 1;
    } else if (v.rfind("0b", 0) == 0) {
      n = std::stoull(v.substr(2), &used, 2), used += 2;
    } else if (v.rfind("0x", 0) == 0) {
      n = std::stoull(v.substr(2), &used, 16), used += 2;
    } else if (v[0] == '0') {
      n = std::stoull(v, &used, 8);
    } else if (v.find(':') != std::string::npos) {
      n = base60<unsigned long long>(v, [](const std::string& p) { return std::stoull(p); });
      used = v.size();
    } else {
      n = std::stoull(v, &used, 10);
    }
    if (used != v.size()) throw std::invalid_argument("digits");
    if (n > static_cast<unsigned long long>(std::numeric_limits<long long>::max()))
      throw std::out_of_range("big");
    const auto s = static_cast<long long>(n);
    return negative ? Json(-s) : Json(s);
  } catch (const std::out_of_range&) {
    throw YamlFail{mark, "an integer beyond 64 bits"};
  } catch (const std::invalid_argument&) {
    throw YamlFail{mark, "not an integer"};
  }
}

Json make_float(std::string v, const YAML::Mark& mark) {
  std::erase(v, '_');
  for (char& c : v) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  double sign = 1;
  if (!v.empty() && (v[0] == '-' || v[0] == '+')) {
    sign = v[0] == '-' ? -1 : 1;
    v.erase(0, 1);
  }
  // PyYAML makes .inf 1e300 * 1e300 and .nan its quotient; JSON holds neither.
  if (v == ".inf" || v == ".nan") throw YamlFail{mark, "infinity and NaN have no JSON form"};
  try {
    if (v.find(':') != std::string::npos)
      return sign * base60<double>(v, [](const std::string& p) { return std::stod(p); });
    std::size_t used = 0;
    const double d = std::stod(v, &used);
    if (used != v.size()) throw std::invalid_argument("digits");
    return sign * d;
  } catch (const std::exception&) {
    throw YamlFail{mark, "not a float"};
  }
}

class Reader {
 public:
  Reader(ParsedConfig& out, const std::string& text) : out_(out), text_(text) {}

  Json value(const YAML::Node& n, const std::string& pointer, std::size_t depth) {
    if (++values_ > kMaxValues)
      throw YamlFail{n.Mark(), "more than " + std::to_string(kMaxValues) +
                                   " values once aliases are expanded (an alias bomb?)"};
    if (depth > kMaxDepth)
      throw YamlFail{n.Mark(), "nesting deeper than " + std::to_string(kMaxDepth) + " levels"};
    out_.positions.emplace(pointer, std::pair{n.Mark().line + 1, n.Mark().column + 1});
    const std::string tag = explicit_tag(n);
    switch (n.Type()) {
      case YAML::NodeType::Null:
        return tag.empty() || tag == "null" ? Json(nullptr) : scalar(n, tag, "");
      case YAML::NodeType::Scalar:
        return scalar(n, tag, n.Scalar());
      case YAML::NodeType::Sequence: {
        if (!tag.empty() && tag != "seq") throw YamlFail{n.Mark(), "a sequence tagged !!" + tag};
        Json a = Json::array();
        for (std::size_t i = 0; i < n.size(); ++i)
          a.push_back(value(n[i], pointer + "/" + std::to_string(i), depth + 1));
        return a;
      }
      case YAML::NodeType::Map:
        if (!tag.empty() && tag != "map") throw YamlFail{n.Mark(), "a mapping tagged !!" + tag};
        return mapping(n, pointer, depth);
      case YAML::NodeType::Undefined:
        break;
    }
    throw YamlFail{n.Mark(), "an undefined node"};
  }

 private:
  // "" for no tag (plain or quoted), the short name of a yaml.org tag, or a refusal.
  static std::string explicit_tag(const YAML::Node& n) {
    const std::string& t = n.Tag();
    if (t.empty() || t == "?" || t == "!") return "";
    if (t.rfind(kTag, 0) == 0) {
      const std::string s = t.substr(kTag.size());
      if (s == "str" || s == "int" || s == "float" || s == "bool" || s == "null" || s == "map" ||
          s == "seq")
        return s;
      if (s == "binary" || s == "timestamp" || s == "set" || s == "omap" || s == "pairs")
        throw YamlFail{n.Mark(), "!!" + s + " makes a Python value JSON cannot hold"};
    }
    throw YamlFail{n.Mark(), "the tag " + t +
                                 " is not allowed: yaml.safe_load constructs no such object, and "
                                 "dictlog runs no code from a file"};
  }

  Json scalar(const YAML::Node& n, std::string tag, const std::string& text) {
    // yaml-cpp tags a quoted or block scalar "!", as it does one written `! 12`; PyYAML
    // resolves the latter as if plain (12 is an int), so the text tells them apart.
    if (tag.empty()) tag = n.Tag() == "?" || written_bang(n) ? resolve(text) : "str";
    if (tag == "str") return text;
    if (tag == "null") return nullptr;
    if (tag == "bool") {
      std::string v = text;
      for (char& c : v) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      if (v == "yes" || v == "true" || v == "on") return true;
      if (v == "no" || v == "false" || v == "off") return false;
      throw YamlFail{n.Mark(), "not a bool: " + text};
    }
    if (tag == "int") return make_int(text, n.Mark());
    if (tag == "float") return make_float(text, n.Mark());
    if (tag == "timestamp")
      throw YamlFail{n.Mark(), "'" + text +
                                   "' is a timestamp to yaml.safe_load (a datetime, which JSON "
                                   "cannot hold): quote it to make it a string"};
    if (tag == "merge") throw YamlFail{n.Mark(), "'<<' (a merge key) as a value"};
    throw YamlFail{n.Mark(), "'=' (the YAML 1.1 value key), which yaml.safe_load cannot construct"};
  }

  // A mapping's pairs after PyYAML's flatten_mapping: merged pairs first, its own after;
  // a key seen twice keeps its first place and its last value, as a Python dict does.
  void pairs(const YAML::Node& n, std::vector<std::pair<YAML::Node, YAML::Node> >& out,
             std::size_t depth) {
    if (depth > kMaxDepth) throw YamlFail{n.Mark(), "merge keys nested too deep"};
    std::vector<std::pair<YAML::Node, YAML::Node> > merged, own;
    for (auto it = n.begin(); it != n.end(); ++it) {
      const YAML::Node k = it->first;
      if (k.IsScalar() && k.Tag() == "?" && k.Scalar() == "<<") {
        const YAML::Node v = it->second;
        if (v.IsMap()) {
          pairs(v, merged, depth + 1);
        } else if (v.IsSequence()) {
          std::vector<std::vector<std::pair<YAML::Node, YAML::Node> > > subs;
          for (std::size_t i = 0; i < v.size(); ++i) {
            if (!v[i].IsMap()) throw YamlFail{v[i].Mark(), "expected a mapping for merging"};
            subs.emplace_back();
            pairs(v[i], subs.back(), depth + 1);
          }
          for (auto s = subs.rbegin(); s != subs.rend(); ++s)
            merged.insert(merged.end(), s->begin(), s->end());
        } else {
          throw YamlFail{v.Mark(), "expected a mapping or list of mappings for merging"};
        }
      } else {
        own.emplace_back(k, it->second);
      }
    }
    out.insert(out.end(), merged.begin(), merged.end());
    out.insert(out.end(), own.begin(), own.end());
  }

  Json mapping(const YAML::Node& n, const std::string& pointer, std::size_t depth) {
    std::vector<std::pair<YAML::Node, YAML::Node> > all;
    pairs(n, all, depth);
    Json o = Json::object();
    for (const auto& [k, v] : all) {
      const Json key = value(k, pointer + "/<key>", depth + 1);
      if (!key.is_string())
        throw YamlFail{k.Mark(),
                       "the key " + key.dump() + " is a " + type_name(key) +
                           " to yaml.safe_load; dictlog takes string keys only (quote it)"};
      const std::string name = key.get<std::string>();
      o[name] = value(v, pointer + "/" + pointer_token(name), depth + 1);
    }
    out_.positions.erase(pointer + "/<key>");
    return o;
  }

  static std::string type_name(const Json& j) {
    if (j.is_boolean()) return "bool";
    if (j.is_number_integer()) return "int";
    if (j.is_number()) return "float";
    if (j.is_null()) return "None";
    return "container";
  }

  bool written_bang(const YAML::Node& n) const {
    const auto pos = static_cast<std::size_t>(n.Mark().pos);
    return pos < text_.size() && text_[pos] == '!';
  }

  ParsedConfig& out_;
  const std::string& text_;
  std::size_t values_ = 0;
};

std::string where(const YAML::Mark& m) {
  return "line " + std::to_string(m.line + 1) + ", column " + std::to_string(m.column + 1);
}

// Where a second document starts, if there is one. yaml-cpp 0.7's LoadAll asks its parser
// for documents until there are none, and on a token no document can start with (a ","
// alone) it is handed an empty document each time, forever (yaml-cpp issue 1040, fixed in
// 0.8): so the documents are counted here, asking twice at most, and Load reads the first.
struct DocumentStarts : YAML::EventHandler {
  std::vector<YAML::Mark> starts;
  void OnDocumentStart(const YAML::Mark& mark) override { starts.push_back(mark); }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark&, YAML::anchor_t) override {}
  void OnAlias(const YAML::Mark&, YAML::anchor_t) override {}
  void OnScalar(const YAML::Mark&, const std::string&, YAML::anchor_t,
                const std::string&) override {}
  void OnSequenceStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                       YAML::EmitterStyle::value) override {}
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                  YAML::EmitterStyle::value) override {}
  void OnMapEnd() override {}
};

std::optional<YAML::Mark> second_document(const std::string& text) {
  std::istringstream in(text);
  YAML::Parser parser(in);
  DocumentStarts starts;
  for (int i = 0; i < 2 && parser.HandleNextDocument(starts); ++i) {
  }
  if (starts.starts.size() < 2) return std::nullopt;
  return starts.starts[1];
}

// PyYAML's reader refuses a character outside YAML's printable set before parsing, and
// reads the file as UTF-8. yaml-cpp 0.7 does neither, and loops forever on some input with a
// NUL in it, so the check comes first, with PyYAML's message.
bool printable(char32_t c) {
  return c == 0x09 || c == 0x0A || c == 0x0D || (c >= 0x20 && c <= 0x7E) || c == 0x85 ||
         (c >= 0xA0 && c <= 0xD7FF) || (c >= 0xE000 && c <= 0xFFFD) ||
         (c >= 0x10000 && c <= 0x10FFFF);
}

std::optional<std::string> unacceptable(const std::string& text) {
  int line = 1, column = 1;
  for (std::size_t i = 0; i < text.size();) {
    std::size_t len = 0;
    const char32_t c = dictlog::detail::decode_utf8(text, i, len);
    std::string at = "line " + std::to_string(line) + ", column " + std::to_string(column);
    if (len == 0) return "invalid YAML: " + at + ": not UTF-8";
    if (!printable(c)) {
      char hex[16];
      std::snprintf(hex, sizeof hex, "#x%04x", static_cast<unsigned>(c));
      return "invalid YAML: " + at + ": unacceptable character " + hex +
             ": special characters are not allowed";
    }
    i += len;
    if (c == '\n') {
      ++line;
      column = 1;
    } else {
      ++column;
    }
  }
  return std::nullopt;
}

}  // namespace

std::optional<ParsedConfig> parse_yaml(const std::string& text, std::string& why) {
  if (auto bad = unacceptable(text)) {
    why = *bad;
    return std::nullopt;
  }
  ParsedConfig out;
  try {
    if (auto second = second_document(text)) {
      why = "invalid YAML: " + where(*second) +
            ": a second document, or what follows the first is not YAML (yaml.safe_load "
            "reads a file of one document)";
      return std::nullopt;
    }
    const YAML::Node doc = YAML::Load(text);
    Reader reader(out, text);
    out.config = reader.value(doc, "", 0);
  } catch (const YAML::Exception& e) {
    why = "invalid YAML: " + where(e.mark) + ": " + e.msg;
    return std::nullopt;
  } catch (const YamlFail& f) {
    why = "invalid YAML: " + where(f.mark) + ": " + f.message;
    return std::nullopt;
  }
  return out;
}

#endif

}  // namespace dictlog::config::detail
