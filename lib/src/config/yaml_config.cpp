// YAML configuration files, read as PyYAML's yaml.safe_load reads them (YAML 1.1 scalars,
// merge keys, anchors and aliases), into the JSON document dictConfig is given. yaml-cpp
// parses; the typing of scalars is PyYAML's resolver and constructor, since yaml-cpp leaves
// plain scalars untyped and Python services' files mean what safe_load makes of them.
#include "config/yaml_config.hpp"

#ifdef DICTLOG_HAVE_YAML
#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/yaml.h>

#include <sstream>
#include <string_view>
#include <utility>
#include <vector>

#include "config/builder.hpp"
#include "config/yaml_scalars.hpp"
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
// Bytes, likewise: a long string or key aliased many times (pointers to values included).
constexpr std::size_t kMaxValues = 100000;
constexpr std::size_t kMaxBytes = 32 << 20;
constexpr std::size_t kMaxDepth = 1000;

const std::string kTag = "tag:yaml.org,2002:";

struct YamlFail {
  YAML::Mark mark;
  std::string message;
};

class Reader {
 public:
  Reader(ParsedConfig& out, const std::string& text) : out_(out), text_(text) {}

  Json value(const YAML::Node& n, const std::string& pointer, std::size_t depth) {
    if (++values_ > kMaxValues)
      throw YamlFail{n.Mark(), "more than " + std::to_string(kMaxValues) +
                                   " values once aliases are expanded (an alias bomb?)"};
    if (depth > kMaxDepth)
      throw YamlFail{n.Mark(), "nesting deeper than " + std::to_string(kMaxDepth) + " levels"};
    spend(pointer.size() + (n.IsScalar() ? n.Scalar().size() : 0), n.Mark());
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
    if (tag.empty()) tag = n.Tag() == "?" || written_bang(n) ? yaml_resolve(text) : "str";
    if (tag == "str") return text;
    if (tag == "null") return nullptr;
    if (tag == "bool") {
      std::string v = text;
      for (char& c : v) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      if (v == "yes" || v == "true" || v == "on") return true;
      if (v == "no" || v == "false" || v == "off") return false;
      throw YamlFail{n.Mark(), "not a bool: " + text};
    }
    try {
      if (tag == "int") return yaml_int(text);
      if (tag == "float") return yaml_float(text);
    } catch (const std::invalid_argument& e) {
      throw YamlFail{n.Mark(), e.what()};
    }
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

  void spend(std::size_t bytes, const YAML::Mark& mark) {
    bytes_ += bytes;
    if (bytes_ > kMaxBytes)
      throw YamlFail{mark, "more than " + std::to_string(kMaxBytes >> 20) +
                               " MB of text once aliases are expanded (an alias bomb?)"};
  }

  bool written_bang(const YAML::Node& n) const {
    const auto pos = static_cast<std::size_t>(n.Mark().pos);
    return pos < text_.size() && text_[pos] == '!';
  }

  ParsedConfig& out_;
  const std::string& text_;
  std::size_t values_ = 0;
  std::size_t bytes_ = 0;
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

}  // namespace

std::optional<ParsedConfig> parse_yaml(const std::string& text, std::string& why) {
  if (auto bad = yaml_unacceptable(text)) {
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
