// The logger half of dictConfig: `loggers`, `root`, disable_existing_loggers, incremental
// mode, and commit(), which swaps the old handlers for the new ones.
#include <algorithm>
#include <set>

#include "config/builder.hpp"
#include "dictlog/logger.hpp"

namespace dictlog::config::detail {

// Python's common_logger_config + configure_logger/configure_root. Dry: validate only.
void Builder::configure_logger(Logger& logger, const Converted& lc, bool is_root) {
  if (!lc.is_object()) throw Fail{lc.pointer, "a logger configuration must be an object"};
  std::optional<int> level;
  Converted lv = get(lc, "level");
  if (!lv.absent() && !lv.is_null()) level = check_level_value(lv);
  std::vector<std::shared_ptr<Handler>> handlers;
  std::vector<std::shared_ptr<const Filter>> filters;
  bool skip = false;
  if (!incremental_) {
    Converted hs = get(lc, "handlers");
    if (!hs.absent() && (!hs.json || truthy(*hs.json)))
      skip |= !lookup_names(hs, "handlers", handlers_, bad_handlers_, handlers);
    Converted fs = get(lc, "filters");
    if (!fs.absent() && (!fs.json || truthy(*fs.json)))
      skip |= !lookup_names(fs, "filters", filters_, bad_filters_, filters);
  }
  std::optional<bool> propagate;
  if (!is_root) {
    Converted p = get(lc, "propagate");
    if (!p.absent() && !p.is_null()) propagate = !p.json || truthy(*p.json);  // raw truthiness
  }
  if (dry_ || skip) return;
  if (level) logger.set_level(*level);
  if (!incremental_) {
    for (const auto& h : logger.handlers()) logger.remove_handler(h);
    for (const auto& h : handlers) logger.add_handler(h);
    for (const auto& f : filters) logger.add_filter(FilterRef(f));
  }
  if (!is_root) {
    logger.set_disabled(false);
    if (propagate) logger.set_propagate(*propagate);
  }
}

void Builder::apply_loggers() {
  Converted sec;
  try {
    sec = get(top_, "loggers");
    if (!sec.absent() && !(sec.json && sec.json->is_object()) &&
        !(sec.json && (sec.json->is_array() || sec.json->is_string()) && sec.json->empty()))
      throw Fail{sec.pointer, "loggers must be an object of name: configuration"};
  } catch (const Fail& f) {
    problem(f.pointer, f.message);
    return;
  }
  // CPython's _handle_existing_loggers, without its list.remove and scan to the end (N^2 in
  // the size of the tree): the names with prefix "NAME." sit together in the sorted list.
  std::vector<std::string> existing;
  std::vector<char> configured, child;
  if (!dry_) {
    existing = logger_names();  // sorted, placeholders included
    configured.assign(existing.size(), 0);
    child.assign(existing.size(), 0);
  }
  if (sec.is_object()) {
    for (const auto& [name, v] : sec.json->items()) {
      if (!dry_) {
        auto it = std::lower_bound(existing.begin(), existing.end(), name);
        if (it != existing.end() && *it == name && !configured[it - existing.begin()]) {
          configured[it - existing.begin()] = 1;
          const std::string prefix = name + ".";
          for (auto c = std::lower_bound(it, existing.end(), prefix);
               c != existing.end() && c->starts_with(prefix); ++c)
            child[c - existing.begin()] = 1;
        }
      }
      try {
        // getLogger: "" and "root" are the root logger.
        Logger& lg = dry_ ? root() : get_logger(name);  // "" and "root" are the root
        configure_logger(lg, get(sec, name), false);
      } catch (const Fail& f) {
        problem(f.pointer, f.message);
      }
    }
  }
  if (!dry_) {
    const bool disable = disable_existing_.absent() ||
                         (disable_existing_.json ? truthy(*disable_existing_.json) : true);
    for (std::size_t i = 0; i < existing.size(); ++i) {
      if (configured[i]) continue;
      Logger* lg = find_logger(existing[i]);
      if (!lg) continue;  // a placeholder: nothing to reset or disable
      if (child[i]) {
        // Children of configured loggers are reset, not re-enabled (CPython).
        lg->set_level(NOTSET);
        for (const auto& h : lg->handlers()) lg->remove_handler(h);
        lg->set_propagate(true);
      } else {
        lg->set_disabled(disable);
      }
    }
  }
  try {
    Converted r = get(top_, "root");
    if (!r.absent() && (!r.json || truthy(*r.json))) configure_logger(root(), r, true);
  } catch (const Fail& f) {
    problem(f.pointer, f.message);
  }
}

// Incremental: only levels (handlers: only truthy ones), disabled=False and propagate.
void Builder::apply_incremental() {
  try {
    Converted sec = get(top_, "handlers");
    if (sec.is_object()) {
      for (const auto& [name, v] : sec.json->items()) {
        auto h = get_handler_by_name(name);
        const std::string ptr = sec.pointer + "/" + pointer_token(name);
        if (!h)
          throw Fail{ptr, "No handler found with name " + quoted(name) +
                              " (incremental configurations change handlers the running "
                              "configuration has)"};
        Converted hc = get(sec, name);
        if (!hc.is_object()) throw Fail{hc.pointer, "a handler configuration must be an object"};
        Converted lv = get(hc, "level");
        if (!lv.absent() && (!lv.json || truthy(*lv.json))) {
          int level = check_level_value(lv);
          if (!dry_) h->set_level(level);
        }
      }
    } else if (!sec.absent() && !(sec.json && sec.json->empty())) {
      throw Fail{sec.pointer, "handlers must be an object of name: configuration"};
    }
  } catch (const Fail& f) {
    problem(f.pointer, f.message);
    return;
  }
  try {
    Converted sec = get(top_, "loggers");
    if (sec.is_object()) {
      for (const auto& [name, v] : sec.json->items()) {
        Logger& lg = dry_ ? root() : get_logger(name);
        configure_logger(lg, get(sec, name), false);
      }
    } else if (!sec.absent() && !(sec.json && sec.json->empty())) {
      throw Fail{sec.pointer, "loggers must be an object of name: configuration"};
    }
    Converted r = get(top_, "root");
    if (!r.absent() && (!r.json || truthy(*r.json))) configure_logger(root(), r, true);
  } catch (const Fail& f) {
    problem(f.pointer, f.message);
  }
}

void Builder::commit() {
  if (incremental_) {
    TreeUpdate batch;
    apply_incremental();
    problems.clear();
    return;
  }
  auto& st = state();
  // Python's _clearExistingHandlers: every live handler is flushed and closed, in reverse
  // creation order. Listeners of the old QueueHandlers stop first, draining their queues,
  // so records accepted before this call are written by the handlers they were meant for.
  // The loggers switch to the new handlers before that: a record logged while an old
  // listener drains goes to the new handlers, not into a queue behind the sentinel.
  std::set<const Handler*> fresh;
  for (const auto& h : built_order_) fresh.insert(h.get());
  auto old = dictlog::detail::handlers_in_creation_order();
  const auto resort = last_resort();
  std::erase_if(
      old, [&](const std::shared_ptr<Handler>& h) { return fresh.count(h.get()) || h == resort; });
  {
    TreeUpdate batch;  // the handler chains are rebuilt when it ends
    apply_loggers();
  }
  // A thread may still be inside an old QueueHandler; closing it before its listener stops
  // makes a record that lands after the sentinel get written by that thread itself.
  for (const auto& h : old)
    if (auto* qh = dynamic_cast<QueueHandler*>(h.get())) qh->close();
  for (const auto& l : st.listeners) l->stop();
  for (const auto& h : old)
    if (auto* qh = dynamic_cast<QueueHandler*>(h.get()))
      if (auto l = qh->listener()) l->stop();
  for (auto it = old.rbegin(); it != old.rend(); ++it) {
    try {
      std::lock_guard lock((*it)->lock());
      if ((*it)->flush_on_close()) (*it)->flush();
      (*it)->close();
    } catch (...) {
      // As Python's shutdown: a handler that fails to close does not stop the others.
    }
  }
  for (auto& [name, h] : names_) h->set_name(name);
  problems.clear();
  st.handlers = std::move(built_order_);
  st.listeners = std::move(listeners_);
}

State& state() {
  static auto* s = new State;  // leaked: shutdown() may run during static destruction
  return *s;
}

}  // namespace dictlog::config::detail
