// Reading a configuration file whole, for dict_config_file, check_file and the watcher.
#pragma once

#include <filesystem>
#include <optional>
#include <string>

#include "dictlog/config.hpp"

namespace dictlog::config::detail {

// The file's text; nullopt, with the problem ("cannot open file") in `why`, when it cannot
// be read.
std::optional<std::string> read_text(const std::filesystem::path& path, Problem& why);

// Parses `text` (a file's, read as `format`, not automatic) and applies it as dict_config
// does; throws ConfigError, its problems located in the text.
void apply_text(const std::string& text, FileFormat format, const FileConfigOptions& options,
                const std::string& source);

}  // namespace dictlog::config::detail
