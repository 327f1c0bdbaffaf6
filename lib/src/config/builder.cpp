// Builder: one configuration walked the way CPython 3.13's DictConfigurator walks it
// (logging/config.py), once to validate (dry) and once to build, then applied. Handlers
// are built in build_handlers.cpp and queue_specs.cpp, loggers in loggers.cpp.
#include "config/builder.hpp"

#include <algorithm>

namespace dictlog::config::detail {

namespace {

bool valid_ident(const std::string& s) {
  if (s.empty()) return false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
              (i > 0 && c >= '0' && c <= '9');
    if (!ok) return false;
  }
  return true;
}

// The top-level sections: an object of name -> configuration. Python iterates whatever is
// there, so an empty list or string is accepted as empty.
bool is_section(const Converted& s, std::string_view what) {
  if (s.absent()) return false;
  if (s.json && s.json->is_object()) return true;
  if (s.json && (s.json->is_array() || s.json->is_string()) && s.json->empty()) return false;
  throw Fail{s.pointer, std::string(what) + " must be an object of name: configuration, not " +
                            (s.json ? py_repr(*s.json) : std::string("a registered object"))};
}

}  // namespace

std::string quoted(const std::string& s) {
  return py_repr(Json(s));
}

std::vector<std::string> keys(const Converted& s) {
  std::vector<std::string> out;
  for (const auto& [k, v] : s.json->items()) out.push_back(k);
  return out;
}

void check_ident(const std::string& key, const std::string& pointer) {
  if (!valid_ident(key))
    throw Fail{pointer + "/" + pointer_token(key), "Not a valid Python identifier: " + quoted(key)};
}

// Python's "X() got an unexpected keyword argument" for every key no reader asked for.
void reject_unused(const Args& args, const std::string& pointer, const std::string& cls) {
  for (const auto& k : args.unused())
    throw Fail{pointer + "/" + pointer_token(k),
               cls + "() got an unexpected keyword argument " + quoted(k)};
}

std::shared_ptr<const Entry> resolve_class(const Converted& c,
                                           std::initializer_list<Entry::Kind> kinds,
                                           std::string_view what) {
  std::shared_ptr<const Entry> e;
  if (c.entry) {
    e = c.entry;
  } else if (c.is_string()) {
    e = lookup(c.str());
    if (!e)
      throw Fail{c.pointer, quoted(c.str()) + " is not a registered " + std::string(what) +
                                " class (dictlog resolves class names only through its registry: "
                                "see dictlog::config::register_" +
                                std::string(what) + ")"};
  } else {
    throw Fail{c.pointer, "expected a " + std::string(what) + " class name, not " +
                              (c.json ? py_repr(*c.json) : std::string("a handler"))};
  }
  if (!e->unavailable.empty()) throw Fail{c.pointer, e->unavailable};
  if (std::find(kinds.begin(), kinds.end(), e->kind) == kinds.end())
    throw Fail{c.pointer, quoted(e->name) + " is " + std::string(kind_text(e->kind)) + ", not a " +
                              std::string(what) + " class"};
  return e;
}

Builder::Builder(const Json& root, bool dry) : root_(root), dry_(dry) {
  top_.json = &root_;
  // The document is not changed while it is built, so its objects' addresses and keys stay.
  constexpr std::size_t kLinear = 16;
  if (root_.is_object())
    for (const Json& v : root_)
      if (v.is_object() && v.size() > kLinear) sections_[&v];
}

const Json* Builder::find_in_section(const Json& section, std::string_view key) {
  auto s = sections_.find(&section);
  if (s == sections_.end()) {
    auto it = section.find(std::string(key));
    return it == section.end() ? nullptr : &*it;
  }
  auto& index = s->second;
  if (index.empty())
    for (auto it = section.begin(); it != section.end(); ++it) index.emplace(it.key(), &*it);
  auto it = index.find(key);
  return it == index.end() ? nullptr : it->second;
}

void Builder::problem(std::string pointer, std::string message) {
  // A message quoting a huge value (a 100 MB format string) would make the report that
  // large: its middle is left out, keeping where the value starts and what follows it.
  constexpr std::size_t kKeep = 2000, kTail = 200;
  if (message.size() > kKeep + kTail + 100) {
    // Cut between UTF-8 sequences, never inside one.
    auto boundary = [&](std::size_t i) {
      while (i > 0 && (static_cast<unsigned char>(message[i]) & 0xC0) == 0x80) --i;
      return i;
    };
    const std::size_t head = boundary(kKeep), tail = boundary(message.size() - kTail);
    message = message.substr(0, head) + "... (" + std::to_string(tail - head) +
              " bytes left out) ..." + message.substr(tail);
  }
  problems.push_back({std::move(pointer), std::move(message)});
}

Converted Builder::section(std::string_view key) {
  try {
    Converted sec = get(top_, key);
    if (is_section(sec, key)) return sec;
  } catch (const Fail& f) {
    problem(f.pointer, f.message);
  }
  return {};
}

// Python's configure_custom: every key but "()" and "." is a keyword argument.
void Builder::add_kwargs(const Converted& obj, Args& args, bool convert) {
  for (const auto& [k, v] : obj.json->items()) {
    if (k == "()" || k == ".") continue;
    check_ident(k, obj.pointer);
    if (convert) {
      args.add(k, get(obj, k));
    } else {
      Converted raw;
      raw.json = &v;
      raw.pointer = obj.pointer + "/" + pointer_token(k);
      args.add(k, raw);
    }
  }
}

void Builder::build() {
  if (!root_.is_object()) {
    problem("", "a configuration must be a JSON object, not " + py_repr(root_));
    return;
  }
  try {
    Converted v = get(top_, "version");
    if (v.absent()) {
      problem("/version", "dictionary doesn't specify a version (add \"version\": 1)");
      return;
    }
    const bool one = v.json && ((v.json->is_number() && v.json->get<double>() == 1.0) ||
                                (v.json->is_boolean() && v.json->get<bool>()));
    if (!one) {
      std::string shown =
          v.json ? (v.json->is_string() ? v.str() : py_repr(*v.json)) : std::string("<object>");
      problem(v.pointer, "Unsupported version: " + shown + " (the only version is 1)");
      return;
    }
    Converted inc = get(top_, "incremental");
    incremental_ = !inc.absent() && (!inc.json || truthy(*inc.json));
  } catch (const Fail& f) {
    problem(f.pointer, f.message);
    return;
  }
  if (incremental_) {
    if (dry_) apply_incremental();  // the real pass applies it in commit()
    return;
  }
  try {
    disable_existing_ = get(top_, "disable_existing_loggers");
  } catch (const Fail& f) {
    problem(f.pointer, f.message);
  }
  build_formatters();
  build_filters();
  build_handlers();
  if (dry_) apply_loggers();
}

// ---------------------------------------------------------------- formatters, filters

void Builder::build_formatters() {
  Converted sec = section("formatters");
  if (!sec.is_object()) return;
  for (const auto& name : keys(sec)) {
    try {
      Converted fc = get(sec, name);
      if (!fc.is_object()) throw Fail{fc.pointer, "a formatter configuration must be an object"};
      const bool custom = fc.json->contains("()");
      std::shared_ptr<const Entry> entry;
      std::string ptr = fc.pointer;
      Args args(*this, "", fc.pointer, dry_);
      if (custom) {
        entry = resolve_class(get(fc, "()"), {Entry::Kind::formatter}, "formatter");
        add_kwargs(fc, args);
      } else {
        // Only these keys count; every other one (`fmt` included) is ignored, as in CPython.
        Converted cls = get(fc, "class");
        if (!cls.absent() && cls.entry)
          throw Fail{cls.pointer,
                     "a formatter's \"class\" takes a class name, not an ext:// "
                     "reference (CPython resolves it without conversion)"};
        if (!cls.absent() && cls.json && truthy(*cls.json))
          entry = resolve_class(cls, {Entry::Kind::formatter}, "formatter");
        else
          entry = lookup("logging.Formatter");
        Converted f = get(fc, "format");
        if (!f.absent()) args.add("fmt", f);
        for (const char* k : {"datefmt", "style", "validate", "defaults"}) {
          Converted v = get(fc, k);
          if (!v.absent()) args.add(k, v);
        }
      }
      args.class_name_ = entry->name;
      auto make = [&] {
        auto f = entry->make_formatter(args);
        reject_unused(args, fc.pointer, entry->name);
        return f;
      };
      std::shared_ptr<Formatter> made;
      try {
        made = make();
      } catch (const Fail& f) {
        // CPython retries a `()` factory whose TypeError mentions 'format' with fmt=.
        if (!custom || !args.has("format") || f.message.find("'format'") == std::string::npos)
          throw;
        args.rename("format", "fmt");
        made = make();
      }
      if (made && custom && fc.json->contains(".")) {
        const Json& props = (*fc.json)["."];
        if (props.is_object()) {
          for (const auto& [k, v] : props.items()) {
            if (k == "default_msec_format" || k == "default_time_format") {
              if (!v.is_null() && !v.is_string())
                throw Fail{fc.pointer + "/./" + pointer_token(k), k + " must be a string or null"};
              auto& slot = k == "default_msec_format" ? made->default_msec_format
                                                      : made->default_time_format;
              slot = v.is_null() ? std::nullopt : std::optional<std::string>(v.get<std::string>());
            }
          }
        } else if (truthy(props)) {
          throw Fail{fc.pointer + "/.", "\".\" must be an object of attribute: value"};
        }
      }
      formatters_[name] = made;
    } catch (const Fail& f) {
      problem(f.pointer, f.message);
      bad_formatters_.insert(name);
    } catch (const std::exception& e) {
      problem(sec.pointer + "/" + pointer_token(name), e.what());
      bad_formatters_.insert(name);
    }
  }
}

void Builder::build_filters() {
  Converted sec = section("filters");
  if (!sec.is_object()) return;
  for (const auto& name : keys(sec)) {
    try {
      Converted fc = get(sec, name);
      if (!fc.is_object()) throw Fail{fc.pointer, "a filter configuration must be an object"};
      Args args(*this, "logging.Filter", fc.pointer, dry_);
      std::shared_ptr<const Entry> entry;
      if (fc.json->contains("()")) {
        entry = resolve_class(get(fc, "()"), {Entry::Kind::filter}, "filter");
        add_kwargs(fc, args);
      } else {
        entry = lookup("logging.Filter");
        Converted n = get(fc, "name");  // other keys are ignored, as in CPython
        if (!n.absent()) args.add("name", n);
      }
      args.class_name_ = entry->name;
      auto made = entry->make_filter(args);
      reject_unused(args, fc.pointer, entry->name);
      filters_[name] = made;
    } catch (const Fail& f) {
      problem(f.pointer, f.message);
      bad_filters_.insert(name);
    }
  }
}

void Builder::discard() {
  for (auto& h : built_order_) {
    try {
      h->close();
    } catch (...) {
    }
  }
  built_order_.clear();
  handlers_.clear();
  listeners_.clear();
}

}  // namespace dictlog::config::detail
