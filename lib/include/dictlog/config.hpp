// dictlog::config: Python's logging.config.dictConfig, driven by JSON.
//
// A JSON document that CPython 3.13's dictConfig accepts builds the same loggers, handlers,
// formatters and filters here. Class names resolve only through the registry
// (registry.hpp): nothing named in a file is ever loaded or executed. The whole
// configuration is validated before anything is applied, so a rejected one leaves the
// running configuration untouched; every error names the JSON Pointer of the bad value.
//
//   dictlog::config::dict_config_file("logging.json");
//   dictlog::config::start_listeners();   // QueueHandlers' listeners (Python leaves them stopped)
#pragma once

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "dictlog/errors.hpp"
#include "dictlog/queue_listener.hpp"
#include "dictlog/registry.hpp"

namespace dictlog::config {

// One problem in a configuration.
struct Problem {
  std::string pointer;  // JSON Pointer of the offending value ("/handlers/console/formatter")
  std::string message;  // what is wrong and what was expected
};

// A rejected configuration. what() is "SOURCE: /pointer: message" for the first problem.
class ConfigError : public ValueError {
 public:
  ConfigError(std::string source, std::vector<Problem> problems);
  const std::string& source() const { return source_; }
  const std::vector<Problem>& problems() const { return problems_; }

 private:
  std::string source_;
  std::vector<Problem> problems_;
};

// Applies a configuration (Python's dictConfig). `source` names it in errors
// ("logging.json"). Throws ConfigError, having changed nothing. Objects are read in the
// order of an ordered_json (as Python reads a dict); a plain json is sorted by key, which
// changes only which of several problems is reported first.
void dict_config(const nlohmann::ordered_json& config, std::string_view source = "<dict>");
void dict_config(const nlohmann::json& config, std::string_view source = "<dict>");
// Reads, parses (a JSON syntax error is a ConfigError with line and column) and applies.
void dict_config_file(const std::filesystem::path& path);

// Every problem dict_config would reject, without side effects: no file is touched, no
// socket opened, the running configuration is untouched. Empty means it would apply.
std::vector<Problem> check(const nlohmann::ordered_json& config);
std::vector<Problem> check(const nlohmann::json& config);

// Parses configuration text; nullopt on a syntax error, with "invalid JSON: line L,
// column C: detail" in `why`.
std::optional<nlohmann::ordered_json> parse_config(const std::string& text, std::string& why);

// Starts the listener of every QueueHandler the configurations created that is not running;
// stop_listeners() stops them, draining their queues. shutdown() stops them too.
void start_listeners();
void stop_listeners();
// The listeners of the QueueHandlers the current configuration created.
std::vector<std::shared_ptr<QueueListener>> listeners();

}  // namespace dictlog::config
