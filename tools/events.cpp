// The `dictlog run` event reader (events.hpp).
#include "events.hpp"

#include <algorithm>
#include <climits>
#include <string>

#include <dictlog/config_json.hpp>
#include <dictlog/context.hpp>
#include <dictlog/errors.hpp>
#include <dictlog/handler.hpp>
#include <dictlog/level.hpp>
#include <dictlog/logger.hpp>
#include <dictlog/queue_handler.hpp>
#include <dictlog/value.hpp>

#include "cli.hpp"

namespace dictlog::cli {
namespace {

int parse_level(const nlohmann::ordered_json& v) {
  if (v.is_string()) {
    auto level = get_level_by_name(v.get<std::string>());
    if (!level) throw EventError("unknown level name '" + v.get<std::string>() + "'");
    return *level;
  }
  if (v.is_number_integer()) {
    if (v.is_number_unsigned()
            ? v.get<std::uint64_t>() > INT_MAX
            : (v.get<std::int64_t>() > INT_MAX || v.get<std::int64_t>() < INT_MIN))
      throw EventError("'level' is out of range");
    return static_cast<int>(v.get<std::int64_t>());
  }
  throw EventError("'level' must be a level name or an integer");
}

Value to_value(const std::string& key, const nlohmann::ordered_json& v) {
  try {
    return config::to_value(v);
  } catch (const ValueError& e) {
    throw EventError("'extra' value '" + key + "': " + e.what());
  }
}

void log_event(const nlohmann::ordered_json& ev) {
  for (const auto& [k, v] : ev.items()) {
    (void)v;
    if (k != "logger" && k != "level" && k != "msg" && k != "extra" && k != "context")
      throw EventError("unknown key '" + k + "'");
  }
  std::string name;
  if (ev.contains("logger")) {
    if (!ev["logger"].is_string()) throw EventError("'logger' must be a string");
    name = ev["logger"].get<std::string>();
  }
  if (!ev.contains("level")) throw EventError("missing 'level'");
  const int level = parse_level(ev["level"]);
  if (!ev.contains("msg") || !ev["msg"].is_string()) throw EventError("'msg' must be a string");
  Options options;
  if (ev.contains("extra") && !ev["extra"].is_null()) {
    if (!ev["extra"].is_object()) throw EventError("'extra' must be an object");
    for (const auto& [k, v] : ev["extra"].items()) options.extra.emplace_back(k, to_value(k, v));
  }
  dictlog::extra context;
  if (ev.contains("context") && !ev["context"].is_null()) {
    if (!ev["context"].is_object()) throw EventError("'context' must be an object");
    for (const auto& [k, v] : ev["context"].items()) context.emplace_back(k, to_value(k, v));
  }
  Logger& logger = (name.empty() || name == "root") ? root() : get_logger(name);
  try {
    // Bound for this one call, as a service binds a request's keys around its work.
    auto scope = dictlog::context::bind(context);
    logger.log_message(level, ev["msg"].get_ref<const std::string&>(), options);
  } catch (const std::exception& e) {  // e.g. KeyError: an extra key clashing with the record
    throw EventError(describe(e));
  }
}

void op_event(const nlohmann::ordered_json& ev, const std::string& where, EventReader& reader) {
  if (!ev["op"].is_string()) throw EventError("'op' must be a string");
  const std::string op = ev["op"].get<std::string>();
  if (op == "config") {
    if (ev.size() != 2 || !ev.contains("config") || !ev["config"].is_object())
      throw EventError("'config' op needs exactly a 'config' object");
    try {
      config::dict_config(ev["config"], where);
    } catch (const config::ConfigError& e) {
      // what() already starts with `where`: strip it, the caller prefixes it again.
      std::string text = e.what();
      if (text.rfind(where + ": ", 0) == 0) text = text.substr(where.size() + 2);
      throw EventError(text);
    } catch (const std::exception& e) {
      throw EventError(describe(e));
    }
    config::start_listeners();
    reader.collect_listeners();
  } else if (op == "drain") {
    if (ev.size() != 1) throw EventError("'drain' op takes no arguments");
    reader.drain();
  } else if (op == "add_level_name") {
    if (ev.size() != 3 || !ev.contains("level") || !ev.contains("name"))
      throw EventError("'add_level_name' op needs 'level' and 'name'");
    if (!ev["level"].is_number_integer() || !ev["name"].is_string())
      throw EventError("'add_level_name' needs an integer level and a string name");
    add_level_name(parse_level(ev["level"]), ev["name"].get<std::string>());
  } else {
    throw EventError("unknown op '" + op + "'");
  }
}

}  // namespace

std::string describe(const std::exception& e) {
  if (auto* d = dynamic_cast<const dictlog::Error*>(&e))
    return std::string(d->python_type()) + ": " + d->what();
  return e.what();
}

void EventReader::line(const std::string& text, const std::string& where) {
  if (text.find_first_not_of(" \t\r\n") == std::string::npos) return;
  std::string why;
  auto parsed = config::parse_config(text, why);
  if (!parsed) throw EventError(why);
  const nlohmann::ordered_json& ev = *parsed;
  if (!ev.is_object()) throw EventError("an event must be a JSON object");
  if (ev.contains("op")) {
    op_event(ev, where, *this);
  } else {
    log_event(ev);
  }
}

void EventReader::collect_listeners() {
  for (const auto& name : get_handler_names()) {
    auto qh = get_handler_by_name<QueueHandler>(name);
    if (!qh) continue;
    auto l = qh->listener();
    if (l && std::find(listeners_.begin(), listeners_.end(), l) == listeners_.end())
      listeners_.push_back(l);
  }
}

void EventReader::drain() {
  collect_listeners();  // the listeners of a configuration the watcher applied, too
  for (auto& l : listeners_) {
    if (l->running()) {
      l->stop();
      l->start();
    }
  }
}

void EventReader::stop_listeners() {
  config::stop_listeners();
  for (auto& l : listeners_) l->stop();
}

}  // namespace dictlog::cli
