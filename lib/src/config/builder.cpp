// Builder: one configuration walked the way CPython 3.13's DictConfigurator walks it
// (logging/config.py), once to validate (dry) and once to build, then applied.
#include "config/builder.hpp"

#include <algorithm>

#include "dictlog/logger.hpp"
#include "dictlog/memory_handler.hpp"
#include "dictlog/stream_handler.hpp"
#include "dictlog/syslog_handler.hpp"

namespace dictlog::config::detail {

namespace {

// A reference to an object whose own configuration failed: already reported.
struct Skip {};

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

std::string quoted(const std::string& s) {
  return py_repr(Json(s));
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

std::vector<std::string> keys(const Converted& s) {
  std::vector<std::string> out;
  for (const auto& [k, v] : s.json->items()) out.push_back(k);
  return out;
}

// Python's "X() got an unexpected keyword argument" for every key no reader asked for.
void reject_unused(const Args& args, const std::string& pointer, const std::string& cls) {
  for (const auto& k : args.unused())
    throw Fail{pointer + "/" + pointer_token(k),
               cls + "() got an unexpected keyword argument " + quoted(k)};
}

void check_ident(const std::string& key, const std::string& pointer) {
  if (!valid_ident(key))
    throw Fail{pointer + "/" + pointer_token(key), "Not a valid Python identifier: " + quoted(key)};
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
  if (std::find(kinds.begin(), kinds.end(), e->kind) == kinds.end())
    throw Fail{c.pointer, quoted(e->name) + " is " + std::string(kind_text(e->kind)) + ", not a " +
                              std::string(what) + " class"};
  return e;
}

}  // namespace

Builder::Builder(const Json& root, std::string source, bool dry)
    : root_(root), source_(std::move(source)), dry_(dry) {
  top_.json = &root_;
}

void Builder::problem(std::string pointer, std::string message) {
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

// ---------------------------------------------------------------- handlers

std::shared_ptr<Handler> Builder::handler_named(const Converted& v, const std::string& waiting) {
  if (v.is_handler) {
    auto it = handlers_.find(v.handler);
    return it == handlers_.end() ? nullptr : it->second;
  }
  if (!v.is_string())
    throw Fail{v.pointer, "expected a handler name, not " +
                              (v.json ? py_repr(*v.json) : std::string("a registered object"))};
  const std::string& n = v.str();
  if (auto it = handlers_.find(n); it != handlers_.end()) return it->second;
  if (bad_handlers_.count(n)) throw Skip{};
  if (handlers_section_ && handlers_section_->contains(n))
    throw NotYet{v.pointer, "handler " + quoted(n) + " is not configured yet"};
  (void)waiting;
  throw Fail{v.pointer, "no handler named " + quoted(n)};
}

void Builder::build_handlers() {
  Converted sec = section("handlers");
  if (!sec.is_object()) return;
  handlers_section_ = sec.json;
  std::vector<std::string> names = keys(sec);
  std::sort(names.begin(), names.end());  // CPython builds handlers in sorted name order
  std::vector<std::string> deferred;
  for (int pass = 0; pass < 2; ++pass) {
    for (const auto& name : pass == 0 ? names : deferred) {
      Converted hc;
      try {
        hc = get(sec, name);
        build_handler(name, hc);
      } catch (const NotYet& n) {
        if (pass == 0) {
          deferred.push_back(name);
        } else {
          problem(n.pointer, n.message +
                                 " (CPython builds handlers in name order and retries "
                                 "a waiting handler once: rename them so that each is "
                                 "built after the handlers it names)");
          bad_handlers_.insert(name);
        }
      } catch (const Fail& f) {
        problem(f.pointer, f.message);
        bad_handlers_.insert(name);
      } catch (const Skip&) {
        bad_handlers_.insert(name);
      } catch (const dictlog::Error& e) {
        problem(hc.pointer.empty() ? sec.pointer + "/" + pointer_token(name) : hc.pointer,
                std::string(e.python_type()) + ": " + e.what());
        bad_handlers_.insert(name);
      } catch (const std::exception& e) {
        problem(hc.pointer.empty() ? sec.pointer + "/" + pointer_token(name) : hc.pointer,
                e.what());
        bad_handlers_.insert(name);
      }
    }
  }
}

void Builder::build_handler(const std::string& name, const Converted& hc) {
  if (!hc.is_object()) throw Fail{hc.pointer, "a handler configuration must be an object"};
  const Json& cfg = *hc.json;

  std::shared_ptr<Formatter> formatter;
  Converted f = get(hc, "formatter");
  if (!f.absent() && (!f.json || truthy(*f.json))) {
    if (!f.is_string())
      throw Fail{f.pointer, "expected a formatter name, not " +
                                (f.json ? py_repr(*f.json) : std::string("an object"))};
    auto it = formatters_.find(f.str());
    if (it == formatters_.end()) {
      if (bad_formatters_.count(f.str())) throw Skip{};
      throw Fail{f.pointer, "no formatter named " + quoted(f.str())};
    }
    formatter = it->second;
  }
  std::optional<int> level;
  Converted lv = get(hc, "level");
  if (!lv.absent() && !lv.is_null()) level = check_level_value(lv);
  std::vector<std::shared_ptr<const Filter>> filters;
  Converted fl = get(hc, "filters");
  if (!fl.absent() && (!fl.json || truthy(*fl.json))) {
    if (!lookup_names(fl, "filters", filters_, bad_filters_, filters)) throw Skip{};
  }

  const bool custom = cfg.contains("()");
  Converted cls = custom ? get(hc, "()") : get(hc, "class");
  if (cls.absent())
    throw Fail{hc.pointer,
               "missing \"class\" (a handler class name such as \"logging.StreamHandler\")"};
  const auto entry_ptr =
      resolve_class(cls, {Entry::Kind::handler, Entry::Kind::queue_handler}, "handler");
  const Entry& entry = *entry_ptr;

  Args args(*this, entry.name, hc.pointer, dry_);
  const std::string consumed[] = {"formatter", "level", "filters", "."};
  for (const auto& [k, v] : cfg.items()) {
    if (std::find(std::begin(consumed), std::end(consumed), k) != std::end(consumed)) continue;
    if (k == (custom ? "()" : "class")) continue;
    check_ident(k, hc.pointer);
  }

  std::shared_ptr<Handler> handler;
  std::shared_ptr<QueueListener> listener;
  if (entry.kind == Entry::Kind::queue_handler) {
    std::shared_ptr<LogQueue> queue;
    auto lentry = lookup("logging.handlers.QueueListener");
    std::vector<std::shared_ptr<Handler>> targets;
    bool rhl = false;
    for (const auto& [k, v] : cfg.items()) {
      if (k == "formatter" || k == "level" || k == "filters" || k == "." || k == "queue") continue;
      if (k == (custom ? "()" : "class")) continue;
      if (k == "listener" || k == "handlers" || k == "respect_handler_level") continue;
      args.add(k, get(hc, k));
    }
    Converted q = get(hc, "queue");
    if (!q.absent()) {
      queue = build_queue(q, q.pointer);
    } else if (!dry_) {
      queue = std::make_shared<Queue>();  // unbounded, as CPython's default
    }
    if (!custom) {
      Converted l = get(hc, "listener");
      if (!l.absent()) lentry = listener_entry(l, l.pointer);
      Converted hs = get(hc, "handlers");
      if (!hs.absent()) {
        for (const auto& n : names_of(hs, "handlers")) {
          Converted c;
          c.json = &n.value;
          c.pointer = n.pointer;
          auto h = handler_named(c, name);
          targets.push_back(h);
        }
      }
      Converted r = get(hc, "respect_handler_level");
      rhl = !r.absent() && (!r.json || truthy(*r.json));
    } else {
      for (const char* k : {"listener", "handlers", "respect_handler_level"})
        if (cfg.contains(k))
          throw Fail{hc.pointer + "/" + k, "QueueHandler() got an unexpected keyword argument '" +
                                               std::string(k) +
                                               "' (with \"()\" CPython builds no "
                                               "listener: use \"class\")"};
    }
    auto qh = entry.make_queue_handler(queue, args);
    reject_unused(args, hc.pointer, entry.name);
    if (!dry_) {
      if (!qh) throw Fail{hc.pointer, entry.name + ": the registered factory returned no handler"};
      if (!custom) {
        listener = lentry->make_listener(queue, targets, rhl);
        qh->set_listener(listener);
      }
      handler = qh;
    }
  } else {
    for (const auto& [k, v] : cfg.items()) {
      if (k == "formatter" || k == "level" || k == "filters" || k == ".") continue;
      if (k == (custom ? "()" : "class")) continue;
      args.add(k, get(hc, k));
    }
    handler = entry.make_handler(args);
    reject_unused(args, hc.pointer, entry.name);
    if (!dry_ && !handler)
      throw Fail{hc.pointer, entry.name + ": the registered factory returned no handler"};
  }

  // `.`: attributes set after construction; values are not converted (CPython).
  if (cfg.contains(".")) {
    const Json& props = cfg["."];
    const std::string pp = hc.pointer + "/.";
    if (!props.is_object()) {
      if (truthy(props)) throw Fail{pp, "\".\" must be an object of attribute: value"};
    } else {
      for (const auto& [k, v] : props.items()) {
        const std::string kp = pp + "/" + pointer_token(k);
        if (k == "terminator") {
          if (!v.is_string()) throw Fail{kp, "terminator must be a string"};
          if (auto* sh = dynamic_cast<StreamHandler*>(handler.get()))
            sh->terminator = v.get<std::string>();
        } else if (k == "ident" && entry.name == "logging.handlers.SysLogHandler") {
          if (!v.is_string()) throw Fail{kp, "ident must be a string"};
          if (auto* sl = dynamic_cast<SysLogHandler*>(handler.get()))
            sl->ident = v.get<std::string>();
        } else if (k == "append_nul") {
          if (auto* sl = dynamic_cast<SysLogHandler*>(handler.get())) sl->append_nul = truthy(v);
        } else if (k == "overflow" && entry.kind == Entry::Kind::queue_handler) {
          if (!v.is_string() || (v != "drop" && v != "block"))
            throw Fail{kp,
                       "overflow must be \"drop\" (CPython's: report and drop) or \"block\" "
                       "(the logging thread waits for room)"};
          if (auto* qh = dynamic_cast<QueueHandler*>(handler.get()))
            qh->set_overflow(v == "block" ? QueueHandler::Overflow::block
                                          : QueueHandler::Overflow::drop);
        }
        // Any other attribute is set by CPython and read by nothing: accepted, no effect.
      }
    }
  }

  if (handler) {
    if (formatter) handler->set_formatter(formatter);
    if (level) handler->set_level(*level);
    for (const auto& flt : filters) handler->add_filter(FilterRef(flt));
    built_order_.push_back(handler);
    names_.emplace_back(name, handler);
  }
  if (listener) listeners_.push_back(listener);
  handlers_[name] = handler;
}

std::shared_ptr<LogQueue> Builder::build_queue(const Converted& q, const std::string& ptr) {
  if (q.entry) {
    if (q.entry->kind == Entry::Kind::queue_object) return q.entry->queue;
    if (q.entry->kind == Entry::Kind::queue)
      throw Fail{ptr, "ext://" + q.entry->name +
                          " is the queue class, not a queue (CPython accepts "
                          "it and then fails at every record): write \"" +
                          q.entry->name + "\""};
    throw Fail{ptr, "Invalid queue specifier: ext://" + q.entry->name + " is " +
                        std::string(kind_text(q.entry->kind)) + ", not a queue"};
  }
  if (q.is_handler) throw Fail{ptr, "Invalid queue specifier: a handler is not a queue"};
  const Json& j = *q.json;
  const Entry* entry = nullptr;
  Args args(*this, "", ptr, dry_);
  if (j.is_string()) {
    // A dotted class name, resolved without ext:// conversion and called with no arguments.
    if (j.get_ref<const std::string&>().empty()) throw Fail{ptr, "Empty module name"};
    auto e = lookup(j.get_ref<const std::string&>());
    if (!e)
      throw Fail{ptr, py_repr(j) +
                          " is not a registered queue class (built in: queue.Queue, "
                          "queue.SimpleQueue; see dictlog::config::register_queue)"};
    if (e->kind != Entry::Kind::queue)
      throw Fail{ptr, "Invalid queue specifier " + py_repr(j) + ": it is " +
                          std::string(kind_text(e->kind)) + ", not a queue class"};
    entry = e.get();
    args.class_name_ = entry->name;
    auto made = entry->make_queue(args);
    return made;
  }
  if (j.is_object()) {
    // Built from a plain copy: nothing inside is converted.
    if (!j.contains("()"))
      throw Fail{ptr, "Invalid queue specifier " + py_repr(j) + ": a queue object needs \"()\""};
    const Json& c = j["()"];
    if (!c.is_string()) throw Fail{ptr + "/()", "expected a queue class name, not " + py_repr(c)};
    auto e = lookup(c.get_ref<const std::string&>());
    if (!e || e->kind != Entry::Kind::queue)
      throw Fail{ptr + "/()", py_repr(c) +
                                  " is not a registered queue class (built in: "
                                  "queue.Queue, queue.SimpleQueue; no ext:// here, as in CPython)"};
    entry = e.get();
    args.class_name_ = entry->name;
    add_kwargs(q, args, false);
    auto made = entry->make_queue(args);
    reject_unused(args, ptr, entry->name);
    return made;
  }
  throw Fail{ptr, "Invalid queue specifier " + py_repr(j) +
                      " (give a class name, an object with \"()\", or an ext:// queue)"};
}

std::shared_ptr<const Entry> Builder::listener_entry(const Converted& l, const std::string& ptr) {
  std::shared_ptr<const Entry> e;
  if (l.entry) {
    e = l.entry;
  } else if (l.is_string()) {
    e = lookup(l.str());
    if (!e)
      throw Fail{ptr, "Cannot resolve " + quoted(l.str()) +
                          ": not a registered listener class "
                          "(see dictlog::config::register_listener)"};
  } else if (l.is_object()) {
    throw Fail{ptr, "Invalid listener specifier " + py_repr(*l.json) +
                        ": a {\"()\": ...} listener must be a factory returning a listener class; "
                        "give the listener class name as a string"};
  } else {
    throw Fail{ptr, "Invalid listener specifier " +
                        (l.json ? py_repr(*l.json) : std::string("(a handler)"))};
  }
  if (e->kind != Entry::Kind::listener)
    throw Fail{ptr, "Invalid listener specifier " + quoted(e->name) + ": it is " +
                        std::string(kind_text(e->kind)) + ", not a QueueListener class"};
  return e;
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
