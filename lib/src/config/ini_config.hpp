// logging.config.fileConfig's INI text, read as the dictConfig document it is equivalent to.
#pragma once

#include <optional>
#include <string>

#include "dictlog/config_json.hpp"

namespace dictlog::config::detail {

// The dictConfig document that applies what fileConfig(text, defaults,
// disable_existing_loggers) would, with the position of every value; nullopt with the reason
// in `why` ("[handler_console] args, line 12, column 7: ...") for what fileConfig rejects and
// for anything outside the safe subset of Python it reads instead of eval().
std::optional<ParsedConfig> parse_ini(const std::string& text, const FileConfigOptions& options,
                                      std::string& why);

}  // namespace dictlog::config::detail
