// YAML configuration files, read as PyYAML's yaml.safe_load reads them (YAML 1.1 scalars),
// into the JSON document dictConfig is given.
#include "config/yaml_config.hpp"

namespace dictlog::config::detail {

#ifndef DICTLOG_HAVE_YAML

std::optional<ParsedConfig> parse_yaml(const std::string&, std::string& why) {
  why =
      "this build of dictlog reads no YAML (it was built without yaml-cpp: install "
      "libyaml-cpp-dev and reconfigure, or convert the file to JSON)";
  return std::nullopt;
}

#else

// TEMPORARY until the reader lands.
std::optional<ParsedConfig> parse_yaml(const std::string&, std::string& why) {
  why = "YAML is not read yet";
  return std::nullopt;
}

#endif

}  // namespace dictlog::config::detail
