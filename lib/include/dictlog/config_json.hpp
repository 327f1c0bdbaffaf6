// dictlog::config with nlohmann::json values: configurations built or edited in code.
//
// The entry points of config.hpp take files and text; these take the parsed value, for a
// program that already uses nlohmann/json (this header includes it; dictlog.hpp does not).
// Objects are read in the order of an ordered_json (as Python reads a dict); a plain json
// is sorted by key, which changes only which of several problems is reported first.
//
//   nlohmann::ordered_json c = {{"version", 1}, {"root", {{"level", "INFO"}}}};
//   dictlog::config::dict_config(c, "defaults");       // throws ConfigError
//   auto problems = dictlog::config::check(c);         // validate only: touches nothing
//
// Thread safety: as config.hpp; register_object as registry.hpp.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "dictlog/config.hpp"
#include "dictlog/value.hpp"

namespace dictlog::config {

// Applies a configuration (Python's dictConfig). `source` names it in errors
// ("logging.json"). Throws ConfigError, having changed nothing.
void dict_config(const nlohmann::ordered_json& config, std::string_view source = "<dict>");
void dict_config(const nlohmann::json& config, std::string_view source = "<dict>");

// Every problem dict_config would reject, without side effects (see check_file).
std::vector<Problem> check(const nlohmann::ordered_json& config);
std::vector<Problem> check(const nlohmann::json& config);

// Parses configuration text as dict_config_string does; nullopt on a syntax error, with
// "invalid JSON: line L, column C: detail" in `why`.
std::optional<nlohmann::ordered_json> parse_config(const std::string& text, std::string& why);

// A configuration read from YAML or INI text: the dictConfig document it means, and where
// in the text each of its values is (JSON Pointer -> 1-based line and column).
struct ParsedConfig {
  nlohmann::ordered_json config;
  std::map<std::string, std::pair<int, int>> positions;
};
// Parses `text` in `format` (automatic: JSON); INI text as file_config with `ini` reads it.
// nullopt on a syntax error or an INI value outside the safe subset, the reason (with line
// and column) in `why`. `dictlog convert` prints the config of the result.
std::optional<ParsedConfig> parse_config(const std::string& text, FileFormat format,
                                         std::string& why, const FileConfigOptions& ini = {});
// Gives each problem the line and column of its pointer, or of the nearest value above it.
void locate(std::vector<Problem>& problems, const ParsedConfig& parsed);

// The Python object json.loads makes of `j`, as a record attribute or formatter default:
// null, bools, ints (64 bits; a larger one is a ValueError), floats and strings, arrays as
// lists and objects as dicts in their order (nested up to 200 deep).
//
//   log.info("batch", dictlog::extra{{"ctx", dictlog::config::to_value(request_json)}});
Value to_value(const nlohmann::ordered_json& j);
Value to_value(const nlohmann::json& j);

// A constant for `ext://NAME` (any JSON value: ext://myapp.LEVEL), as registry.hpp's
// register_object does for streams and queues.
void register_object(std::string name, nlohmann::ordered_json value);

}  // namespace dictlog::config
