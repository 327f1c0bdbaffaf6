// YAML configuration text read as PyYAML's yaml.safe_load reads it, for dictConfig.
#pragma once

#include <optional>
#include <string>

#include "dictlog/config_json.hpp"

namespace dictlog::config::detail {

// The document yaml.safe_load would give, as JSON, with the position of every value; nullopt
// with the reason in `why` (line and column included) for what safe_load rejects, what JSON
// cannot hold (a timestamp, a non-string key) and a build without yaml-cpp.
std::optional<ParsedConfig> parse_yaml(const std::string& text, std::string& why);

}  // namespace dictlog::config::detail
