// logging.config.fileConfig (CPython 3.13's _create_formatters, _install_handlers and
// _install_loggers) read as the dictConfig document that applies the same: the dictConfig
// loader then checks and applies it, so both forms share one set of rules and errors. Where
// fileConfig eval()s class, args, kwargs and defaults, py_literal reads literals instead.
#include "config/ini_config.hpp"

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <utility>
#include <vector>

#include "config/builder.hpp"
#include "config/entry.hpp"
#include "config/ini_handler_classes.hpp"
#include "config/ini_parser.hpp"
#include "config/py_literal.hpp"

namespace dictlog::config::detail {

namespace {

using Json = nlohmann::ordered_json;

// "a, b" -> ["a", "b"], as fileConfig's split(",") and strip; "" -> [].
std::vector<std::string> keys(const std::string& list) {
  std::vector<std::string> out;
  if (list.empty()) return out;
  std::size_t start = 0;
  for (;;) {
    const auto comma = list.find(',', start);
    std::string k = list.substr(start, comma - start);
    const auto b = k.find_first_not_of(" \t\n\r\f\v");
    k = b == std::string::npos ? "" : k.substr(b, k.find_last_not_of(" \t\n\r\f\v") - b + 1);
    out.push_back(k);
    if (comma == std::string::npos) return out;
    start = comma + 1;
  }
}

class Mapper {
 public:
  Mapper(const IniFile& ini, ParsedConfig& out) : ini_(ini), out_(out) {}

  void run(bool disable_existing) {
    Json& doc = out_.config;
    doc = Json::object();
    doc["version"] = 1;
    doc["disable_existing_loggers"] = disable_existing;
    formatters(doc["formatters"] = Json::object());
    handlers(doc["handlers"] = Json::object());
    loggers(doc);
  }

 private:
  const IniSection& need(const std::string& name) {
    const IniSection* s = ini_.section(name);
    if (!s) throw IniError(0, 0, "there is no section [" + name + "]");
    return *s;
  }
  std::string need(const IniSection& s, const std::string& key) {
    if (!ini_.find(s, key)) throw IniError(s.line, 1, "[" + s.name + "] has no '" + key + "'");
    return ini_.get(s, key);
  }
  // Where a refusal about `key` points: its option, else the section header.
  IniError error(const IniSection& s, const std::string& key, const std::string& what) {
    const IniOption* o = ini_.find(s, key);
    return o && o->line ? IniError(o->line, o->column, what) : IniError(s.line, 1, what);
  }
  std::string class_name(const IniSection& s, const std::string& c) {
    if (auto name = registered_class_name(c)) return *name;
    throw error(s, "class",
                "[" + s.name + "] class: '" + c +
                    "' is not a dotted class name (dictlog reads names here, never code)");
  }
  void at(const std::string& pointer, const IniSection& s, const std::string& key = "") {
    const IniOption* o = key.empty() ? nullptr : ini_.find(s, key);
    out_.positions[pointer] = o && o->line ? std::pair{o->line, o->column} : std::pair{s.line, 1};
  }
  Json literal(const IniSection& s, const std::string& key, const std::string& text) {
    try {
      return parse_py_literal(text);
    } catch (const PyLiteralError& e) {
      const IniOption* o = ini_.find(s, key);
      const bool one_line = o && text.find('\n') == std::string::npos;
      throw IniError(o ? o->line : s.line,
                     (o ? o->column : 1) + (one_line ? static_cast<int>(e.offset) : 0),
                     "[" + s.name + "] " + key + ": " + e.what());
    }
  }

  void formatters(Json& out) {
    const IniSection& list = need("formatters");
    for (const std::string& name : keys(need(list, "keys"))) {
      const IniSection& s = need("formatter_" + name);
      const std::string p = "/formatters/" + pointer_token(name);
      Json f = Json::object();
      at(p, s);
      for (const char* k : {"format", "datefmt", "style"}) {
        if (!ini_.find(s, k)) continue;
        f[k] = ini_.get(s, k, true);  // fileConfig reads these raw: %(name)s is the format's
        at(p + "/" + k, s, k);
      }
      if (ini_.find(s, "defaults")) {
        f["defaults"] = literal(s, "defaults", ini_.get(s, "defaults", true));
        at(p + "/defaults", s, "defaults");
      }
      if (ini_.find(s, "class") && !ini_.get(s, "class").empty()) {
        f["class"] = class_name(s, ini_.get(s, "class"));
        at(p + "/class", s, "class");
      }
      out[name] = std::move(f);
    }
  }

  void handlers(Json& out) {
    const IniSection& list = need("handlers");
    for (const std::string& name : keys(need(list, "keys"))) {
      const IniSection& s = need("handler_" + name);
      const std::string p = "/handlers/" + pointer_token(name);
      at(p, s);
      Json h = Json::object();
      const std::string cls = class_name(s, need(s, "class"));
      if (cls == "logging.handlers.QueueHandler")
        throw error(s, "class",
                    "[" + s.name +
                        "]: fileConfig makes no QueueListener for a "
                        "QueueHandler; configure it with dictConfig (JSON or YAML)");
      h["class"] = cls;
      at(p + "/class", s, "class");
      arguments(s, cls, p, h);
      if (ini_.find(s, "level")) {
        h["level"] = ini_.get(s, "level");
        at(p + "/level", s, "level");
      }
      if (const std::string f = ini_.get(s, "formatter"); !f.empty()) {
        h["formatter"] = f;
        at(p + "/formatter", s, "formatter");
      }
      if (cls == "logging.handlers.MemoryHandler") {
        if (const std::string t = ini_.get(s, "target"); !t.empty()) {
          h["target"] = t;
          at(p + "/target", s, "target");
        }
      }
      out[name] = std::move(h);
    }
  }

  // args by the constructor's parameter order, then kwargs, as klass(*args, **kwargs).
  void arguments(const IniSection& s, const std::string& cls, const std::string& p, Json& h) {
    const Json args = literal(s, "args", ini_.find(s, "args") ? ini_.get(s, "args") : "()");
    const Json kwargs = literal(s, "kwargs", ini_.find(s, "kwargs") ? ini_.get(s, "kwargs") : "{}");
    if (!args.is_array())
      throw error(s, "args",
                  "[" + s.name +
                      "] args must be a tuple, such as ('app.log',) "
                      "(a value in parentheses without a comma is not one)");
    if (!kwargs.is_object()) throw error(s, "kwargs", "[" + s.name + "] kwargs must be a dict");
    const std::vector<std::string>* named = handler_parameters(cls);
    // A class the registry cannot build is the problem to name, not how its arguments are
    // spelled: kwargs would not help.
    if (!args.empty() && !named) {
      const auto e = lookup(cls);
      if (!e)
        throw error(s, "class",
                    "[" + s.name + "] class: '" + cls +
                        "' is not a registered handler class (dictlog resolves class names "
                        "only through its registry: see dictlog::config::register_handler)");
      if (e->kind != Entry::Kind::handler && e->kind != Entry::Kind::queue_handler)
        throw error(s, "class",
                    "[" + s.name + "] class: '" + cls + "' is " + std::string(kind_text(e->kind)) +
                        ", not a handler class");
    }
    if (!args.empty() && !named)
      throw error(s, "args",
                  "[" + s.name +
                      "] args: dictlog knows the parameter names of "
                      "Python's own handler classes only; give " +
                      cls + "'s arguments in kwargs");
    for (std::size_t i = 0; i < args.size(); ++i) {
      if (i >= named->size())
        throw error(s, "args",
                    "[" + s.name + "] args: " + cls + " takes " + std::to_string(named->size()) +
                        " positional arguments, " + std::to_string(args.size()) + " given");
      put(s, p, h, (*named)[i], args[i], "args");
    }
    for (const auto& [k, v] : kwargs.items()) {
      if (h.contains(k))
        throw error(s, "kwargs",
                    "[" + s.name + "] " + cls +
                        "() got multiple values for "
                        "argument '" +
                        k + "'");
      put(s, p, h, k, v, "kwargs");
    }
  }

  void put(const IniSection& s, const std::string& p, Json& h, const std::string& k, const Json& v,
           const char* from) {
    if (k == "target" || k == "class" || k == "formatter" || k == "filters" || k == "." ||
        k == "()")
      throw error(s, from,
                  "[" + s.name + "] " + from + ": '" + k +
                      "' cannot be given "
                      "here (a handler object or a dictConfig key)");
    if (k == "level" && ini_.find(s, "level")) return;  // the level key is set after
    h[k] = v;
    at(p + "/" + pointer_token(k), s, from);
  }

  void loggers(Json& doc) {
    const IniSection& list = need("loggers");
    std::vector<std::string> names = keys(need(list, "keys"));
    auto root = std::find(names.begin(), names.end(), "root");
    if (root == names.end()) throw IniError(list.line, 1, "[loggers] keys does not name root");
    names.erase(root);
    const IniSection& rs = need("logger_root");
    Json r = Json::object();
    at("/root", rs);
    if (ini_.find(rs, "level")) {
      r["level"] = ini_.get(rs, "level");
      at("/root/level", rs, "level");
    }
    r["handlers"] = keys(need(rs, "handlers"));
    at("/root/handlers", rs, "handlers");
    Json ls = Json::object();
    for (const std::string& name : names) {
      const IniSection& s = need("logger_" + name);
      const std::string qn = need(s, "qualname");
      // getLogger("root") and getLogger("") are the root logger, which fileConfig has
      // configured already: this section reconfigures it after the [logger_root] one.
      const bool is_root = qn.empty() || qn == "root";
      const std::string p = is_root ? "/root" : "/loggers/" + pointer_token(qn);
      Json l = Json::object();
      if (ini_.find(s, "level")) {
        l["level"] = ini_.get(s, "level");
        at(p + "/level", s, "level");
      }
      const int prop = propagate(s);
      l["handlers"] = keys(need(s, "handlers"));
      at(p + "/handlers", s, "handlers");
      if (is_root) {
        if (l.contains("level")) r["level"] = l["level"];
        r["handlers"] = l["handlers"];
        continue;
      }
      at(p, s);
      l["propagate"] = prop;
      if (ini_.find(s, "propagate")) at(p + "/propagate", s, "propagate");
      // A second section for the same qualname replaces handlers and propagate, but the
      // level fileConfig set first stays unless this section sets one.
      if (ls.contains(qn) && !l.contains("level") && ls[qn].contains("level"))
        l["level"] = ls[qn]["level"];
      ls[qn] = std::move(l);
    }
    doc["loggers"] = std::move(ls);
    doc["root"] = std::move(r);
  }

  // section.getint("propagate", fallback=1): Python's int() of the text (a sign, digits and
  // single underscores between them); a value too large for 64 bits is as true as it is.
  long long propagate(const IniSection& s) {
    if (!ini_.find(s, "propagate")) return 1;
    const std::string v = ini_.get(s, "propagate");
    std::size_t i = v.starts_with('-') || v.starts_with('+') ? 1 : 0;
    const bool negative = v.starts_with('-');
    long long n = 0;
    bool digit = false;
    bool overflow = false;
    for (; i < v.size(); ++i) {
      const char c = v[i];
      if (c == '_' && digit && i + 1 < v.size() &&
          std::isdigit(static_cast<unsigned char>(v[i + 1])))
        continue;
      if (!std::isdigit(static_cast<unsigned char>(c))) break;
      digit = true;
      overflow = overflow || n > (INT64_MAX - 9) / 10;
      if (!overflow) n = n * 10 + (c - '0');
    }
    if (digit && i == v.size()) return overflow ? 1 : negative ? -n : n;
    const IniOption* o = ini_.find(s, "propagate");
    throw IniError(
        o->line, o->column,
        "[" + s.name + "] propagate: invalid literal for int() with base 10: '" + v + "'");
  }

  const IniFile& ini_;
  ParsedConfig& out_;
};

}  // namespace

std::optional<ParsedConfig> parse_ini(const std::string& text, const FileConfigOptions& options,
                                      std::string& why) {
  if (text.empty()) {
    why = "invalid INI: an empty file (fileConfig refuses it)";
    return std::nullopt;
  }
  ParsedConfig out;
  try {
    IniFile ini(text, options.defaults);
    Mapper(ini, out).run(options.disable_existing_loggers);
  } catch (const IniError& e) {
    why = "invalid INI: ";
    if (e.line > 0)
      why += "line " + std::to_string(e.line) + ", column " + std::to_string(e.column) + ": ";
    why += e.what();
    return std::nullopt;
  }
  return out;
}

}  // namespace dictlog::config::detail
