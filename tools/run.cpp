// `dictlog run`: apply a configuration, then log the events of a JSON Lines stream.
#include <algorithm>
#include <climits>
#include <fstream>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include <dictlog/config_json.hpp>
#include <dictlog/context.hpp>
#include <dictlog/errors.hpp>
#include <dictlog/handler.hpp>
#include <dictlog/level.hpp>
#include <dictlog/logger.hpp>
#include <dictlog/queue_handler.hpp>
#include <dictlog/queue_listener.hpp>
#include <dictlog/shutdown.hpp>
#include <dictlog/value.hpp>
#include <dictlog/watch.hpp>

#include "cli.hpp"

namespace dictlog::cli {
namespace {

// A bad event line; what() is the problem, printed after "EVENTS:LINE: ".
struct EventError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Every listener of a QueueHandler some configuration created, in the order first seen
// (Python's oracle keeps the same list, for "drain" and the final stop).
class Listeners {
 public:
  void collect() {
    for (const auto& name : get_handler_names()) {
      auto qh = get_handler_by_name<QueueHandler>(name);
      if (!qh) continue;
      auto l = qh->listener();
      if (l && std::find(all_.begin(), all_.end(), l) == all_.end()) all_.push_back(l);
    }
  }
  void drain() {
    collect();  // the listeners of a configuration the watcher applied, too
    for (auto& l : all_) {
      if (l->running()) {
        l->stop();
        l->start();
      }
    }
  }
  void stop_all() {
    config::stop_listeners();
    for (auto& l : all_) l->stop();
  }

 private:
  std::vector<std::shared_ptr<QueueListener>> all_;
};

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
    logger.log_message(level, ev["msg"].get<std::string>(), options);
  } catch (const std::exception& e) {  // e.g. KeyError: an extra key clashing with the record
    throw EventError(describe(e));
  }
}

void op_event(const nlohmann::ordered_json& ev, const std::string& where, Listeners& listeners) {
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
    listeners.collect();
  } else if (op == "drain") {
    if (ev.size() != 1) throw EventError("'drain' op takes no arguments");
    listeners.drain();
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

int run_command(const std::string& config_path, const std::string& events_path, bool watch,
                bool show_stats) {
  if (int status = load_config(config_path, Load::apply); status != ok) return status;
  Listeners listeners;
  config::start_listeners();
  listeners.collect();
  // Problems of a changed CONFIG go to stderr (the watcher's default), in check's form.
  config::Watcher watcher;
  if (watch) {
    config::WatchOptions options;
    options.sighup = true;
    watcher = config::watch(config_path, options);
  }

  int status = ok;
  const bool use_stdin = events_path.empty() || events_path == "-";
  const std::string label = use_stdin ? std::string("<stdin>") : events_path;
  std::ifstream file;
  if (!use_stdin) {
    file.open(events_path, std::ios::binary);
    if (!file) {
      std::cerr << events_path << ": cannot open file\n";
      status = io_error;
    }
  }
  if (status == ok) {
    std::istream& in = use_stdin ? std::cin : file;
    std::string line;
    for (long lineno = 1; std::getline(in, line); ++lineno) {
      if (line.find_first_not_of(" \t\r\n") == std::string::npos) continue;
      const std::string where = label + ":" + std::to_string(lineno);
      try {
        // The loader's parser: bounded nesting, and out-of-range numbers are errors too.
        std::string why;
        auto parsed = config::parse_config(line, why);
        if (!parsed) throw EventError(why);
        const nlohmann::ordered_json& ev = *parsed;
        if (!ev.is_object()) throw EventError("an event must be a JSON object");
        if (ev.contains("op")) {
          op_event(ev, where, listeners);
        } else {
          log_event(ev);
        }
      } catch (const EventError& e) {
        std::cerr << where << ": " << e.what() << '\n';
        status = problem;
        break;
      }
    }
  }
  watcher.stop();  // no reload may start listeners after they are stopped
  listeners.collect();
  listeners.stop_all();
  // Before shutdown(): closing a handler takes its name out of the registry.
  if (show_stats)
    for (const auto& [name, s] : stats())
      std::cerr << "stats " << name << ": " << format_stats(s) << '\n';
  shutdown();
  return status;
}

}  // namespace dictlog::cli
