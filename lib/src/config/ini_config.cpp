// TEMPORARY: replaced by the INI reader before this lands.
#include "config/ini_config.hpp"

namespace dictlog::config::detail {

std::optional<ParsedConfig> parse_ini(const std::string&, const FileConfigOptions&,
                                      std::string& why) {
  why = "INI configuration files are not read yet";
  return std::nullopt;
}

}  // namespace dictlog::config::detail
