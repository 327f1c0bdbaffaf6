// Internals of the configuration loader: converted values, the errors a value raises and
// the Builder that walks one configuration (lib/src/config/*.cpp). Not installed.
#pragma once

#include <initializer_list>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "config/entry.hpp"
#include "dictlog/config_json.hpp"
#include "dictlog/logger.hpp"
#include "dictlog/registry.hpp"

namespace dictlog::config::detail {

// A value read from the configuration after Python's conversion: JSON (possibly reached
// through cfg://), a registered object (ext://), or a handler already built (cfg:// to
// handlers.NAME once NAME is built).
struct Converted {
  const Json* json = nullptr;
  std::shared_ptr<const Json> owned;   // a value cfg:// had to make (a string's character)
  std::shared_ptr<const Entry> entry;  // ext://NAME
  std::string handler;                 // cfg://handlers.NAME of a built handler
  bool is_handler = false;
  std::string pointer;  // JSON Pointer of the value in the file (for cfg://, of its target)

  bool absent() const { return !json && !entry && !is_handler; }
  bool is_null() const { return json && json->is_null(); }
  bool is_string() const { return json && json->is_string(); }
  bool is_object() const { return json && json->is_object(); }
  const std::string& str() const { return json->get_ref<const std::string&>(); }
};

// The raw JSON of an argument (after conversion) for the built-in factories, whose
// arguments take shapes no typed reader of Args covers (a [host, port] list, a facility
// name or number). Marks it read; null if absent; an ext:// object or a handler is
// rejected.
struct ArgsAccess {
  static const Json* json(Args& a, std::string_view key);
  // The JSON Pointer of the handler's configuration object.
  static const std::string& pointer(const Args& a);
};
inline const Json* json_arg(Args& a, std::string_view key) {
  return ArgsAccess::json(a, key);
}

// A rejected value: becomes one Problem.
struct Fail {
  std::string pointer;
  std::string message;
};
// A handler that names one configured but not built yet (CPython's "not configured yet").
struct NotYet {
  std::string pointer;
  std::string message;
};
// A reference to an object whose own configuration failed: already reported.
struct Skip {};

// Python's repr() of a JSON value, for messages ("'brief'", "5", "None", "{'a': 1}").
std::string py_repr(const Json& v);
// Python's truthiness of a JSON value.
bool truthy(const Json& v);
// A JSON Pointer token ("a/b" -> "a~1b").
std::string pointer_token(std::string_view key);
// The names a `handlers`/`filters` value lists, as Python iterates it: a list's elements,
// an object's keys, a string's characters; elements are not converted. Throws Fail for
// anything else.
struct NameRef {
  Json value;
  std::string pointer;
};
std::vector<NameRef> names_of(const Converted& v, std::string_view what);
// The objects a `handlers`/`filters` list names, looked up in `built`. False when one of
// them failed to configure (already reported: the caller skips quietly); throws Fail for
// a name that was never configured.
template <class Map, class Set>
bool lookup_names(const Converted& v, std::string_view what, const Map& built, const Set& bad,
                  std::vector<typename Map::mapped_type>& out) {
  bool complete = true;
  for (const auto& name : names_of(v, what)) {
    const Json& n = name.value;
    if (n.is_string() && bad.count(n.template get_ref<const std::string&>())) {
      complete = false;
      continue;
    }
    auto it = n.is_string() ? built.find(n.template get_ref<const std::string&>()) : built.end();
    if (it == built.end()) {
      const std::string kind(what.substr(0, what.size() - 1));  // "handlers" -> "handler"
      std::string hint;
      if (n.is_string() && n.template get_ref<const std::string&>().starts_with("cfg://"))
        hint = " (" + kind + " lists take names; CPython does not convert cfg:// here)";
      throw Fail{name.pointer, "no " + kind + " named " + py_repr(n) + hint};
    }
    out.push_back(it->second);
  }
  return complete;
}
// _checkLevel; throws Fail with Python's message.
int check_level_value(const Converted& v);
// Python's repr() of a string ("'brief'").
std::string quoted(const std::string& s);
// The keys of an object, in the file's order.
std::vector<std::string> keys(const Converted& object);
// Rejects a keyword argument name that is not a Python identifier, as Python's call does.
void check_ident(const std::string& key, const std::string& pointer);
// Python's "X() got an unexpected keyword argument" for every key no reader asked for.
void reject_unused(const Args& args, const std::string& pointer, const std::string& cls);
// The registered class `c` names, which must be of one of `kinds` ("handler": `what`).
std::shared_ptr<const Entry> resolve_class(const Converted& c,
                                           std::initializer_list<Entry::Kind> kinds,
                                           std::string_view what);

class Builder {
 public:
  Builder(const Json& root, bool dry);

  // Runs the whole configuration. Dry: validates only, collecting every problem.
  // Otherwise builds every object (throws nothing: failures become problems); then
  // commit() applies what was built to the logger tree.
  void build();
  void commit();
  // Closes what build() made when the configuration is not applied after all.
  void discard();

  std::vector<Problem> problems;

  // --- conversion (Python's ConvertingDict/BaseConfigurator) ---
  Converted convert(const Json& v, std::string pointer);
  // parent[key] with conversion; absent() if parent is not an object or has no such key.
  Converted get(const Converted& parent, std::string_view key);
  // A handler built from handlers[name], for MemoryHandler target / QueueHandler handlers.
  // Throws NotYet when it is configured but not built yet, Skip when it failed.
  std::shared_ptr<Handler> handler_named(const Converted& name);

 private:
  // What build_handler makes: the handler (null in a dry run) and a QueueHandler's listener.
  struct Made {
    std::shared_ptr<Handler> handler;
    std::shared_ptr<QueueListener> listener;
  };
  // The keys dictConfig itself reads from a handler's configuration.
  struct HandlerKeys {
    std::shared_ptr<Formatter> formatter;
    std::optional<int> level;
    std::vector<std::shared_ptr<const Filter>> filters;
  };
  // A QueueHandler's listener, from its `listener`, `handlers` and `respect_handler_level`.
  struct ListenerSpec {
    std::shared_ptr<const Entry> entry;
    std::vector<std::shared_ptr<Handler>> targets;
    bool respect_handler_level = false;
  };

  Converted cfg_convert(const std::string& path, const std::string& pointer);
  void problem(std::string pointer, std::string message);
  // A top-level section (formatters, ...): absent() when missing, empty or reported bad.
  Converted section(std::string_view key);
  void add_kwargs(const Converted& obj, Args& args, bool convert = true);

  void build_formatters();
  void build_filters();
  void build_handlers();
  void build_handler(const std::string& name, const Converted& config);
  // build_handlers.cpp: the steps of build_handler.
  HandlerKeys handler_keys(const Converted& config);
  void add_handler_args(const Converted& config, bool custom, Args& args,
                        std::initializer_list<std::string_view> skip = {});
  Made make_handler(const Converted& config, const Entry& entry, bool custom);
  void set_attributes(const Converted& config, const Entry& entry, Handler* handler);
  // queue_specs.cpp: QueueHandler's `queue`, `listener` and `handlers` keys.
  Made make_queue_handler(const Converted& config, const Entry& entry, bool custom);
  std::shared_ptr<LogQueue> build_queue(const Converted& spec, const std::string& ptr);
  std::shared_ptr<const Entry> listener_entry(const Converted& spec, const std::string& ptr);
  ListenerSpec listener_spec(const Converted& config);
  void check_loggers();
  void apply_incremental();
  void apply_loggers();
  void configure_logger(Logger& logger, const Converted& config, bool is_root);

  // root_[section][key] by name, for the top-level sections big enough that nlohmann's
  // linear ordered_map search would make a configuration of N loggers cost N^2.
  const Json* find_in_section(const Json& section, std::string_view key);

  const Json& root_;
  bool dry_;
  std::unordered_map<const Json*, std::unordered_map<std::string_view, const Json*>> sections_;
  bool incremental_ = false;
  Converted top_;
  const Json* handlers_section_ = nullptr;  // the top-level `handlers` object
  Converted disable_existing_;
  std::map<std::string, std::shared_ptr<Formatter>, std::less<>> formatters_;
  std::map<std::string, std::shared_ptr<const Filter>, std::less<>> filters_;
  std::set<std::string, std::less<>> bad_formatters_, bad_filters_, bad_handlers_;
  std::map<std::string, std::shared_ptr<Handler>, std::less<>> handlers_;  // dry: null values
  std::vector<std::shared_ptr<Handler>> built_order_;
  std::vector<std::pair<std::string, std::shared_ptr<Handler>>> names_;
  std::vector<std::shared_ptr<QueueListener>> listeners_;
  friend class dictlog::config::Args;
};

// Handlers and listeners the configurations built, kept alive until replaced.
struct State {
  std::vector<std::shared_ptr<Handler>> handlers;
  std::vector<std::shared_ptr<QueueListener>> listeners;
};
State& state();

}  // namespace dictlog::config::detail
