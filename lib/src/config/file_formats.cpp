// Configuration files in their three forms (JSON, YAML, INI): which one a file is, parsing
// it into the dictConfig document, and giving problems the position of their value.
#include <algorithm>
#include <cctype>
#include <string>

#include "config/ini_config.hpp"
#include "config/read_text.hpp"
#include "config/yaml_config.hpp"
#include "dictlog/config_json.hpp"

namespace dictlog::config {

FileFormat format_of(const std::filesystem::path& path) {
  std::string ext = path.extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (ext == ".yaml" || ext == ".yml") return FileFormat::yaml;
  if (ext == ".ini" || ext == ".conf" || ext == ".cfg") return FileFormat::ini;
  return FileFormat::json;
}

std::optional<ParsedConfig> parse_config(const std::string& text, FileFormat format,
                                         std::string& why, const FileConfigOptions& ini) {
  switch (format) {
    case FileFormat::yaml:
      return detail::parse_yaml(text, why);
    case FileFormat::ini:
      return detail::parse_ini(text, ini, why);
    case FileFormat::automatic:
    case FileFormat::json:
      break;
  }
  auto json = parse_config(text, why);
  if (!json) return std::nullopt;
  return ParsedConfig{std::move(*json), {}};
}

void locate(std::vector<Problem>& problems, const ParsedConfig& parsed) {
  if (parsed.positions.empty()) return;
  for (Problem& p : problems) {
    // A missing key's pointer names no value: the object holding it does.
    std::string pointer = p.pointer;
    for (;;) {
      auto it = parsed.positions.find(pointer);
      if (it != parsed.positions.end()) {
        p.line = it->second.first;
        p.column = it->second.second;
        break;
      }
      if (pointer.empty()) break;
      pointer.erase(pointer.rfind('/'));
    }
  }
}

void detail::apply_text(const std::string& text, FileFormat format,
                        const FileConfigOptions& options, const std::string& source) {
  std::string reason;
  auto parsed = parse_config(text, format, reason, options);
  if (!parsed) throw ConfigError(source, {{"", reason}});
  try {
    dict_config(parsed->config, source);
  } catch (const ConfigError& e) {
    std::vector<Problem> problems = e.problems();
    locate(problems, *parsed);
    throw ConfigError(e.source(), std::move(problems));
  }
}

namespace {

void apply(const std::filesystem::path& path, FileFormat format, const FileConfigOptions& ini) {
  Problem why;
  auto text = detail::read_text(path, why);
  if (!text) throw ConfigError(path.string(), {why});
  detail::apply_text(*text, format == FileFormat::automatic ? format_of(path) : format, ini,
                     path.string());
}

}  // namespace

void dict_config_file(const std::filesystem::path& path, FileFormat format) {
  apply(path, format, {});
}

void file_config(const std::filesystem::path& path, const FileConfigOptions& options) {
  apply(path, FileFormat::ini, options);
}

std::vector<Problem> check_file(const std::filesystem::path& path, FileFormat format) {
  Problem why;
  auto text = detail::read_text(path, why);
  if (!text) return {why};
  if (format == FileFormat::automatic) format = format_of(path);
  std::string reason;
  auto parsed = parse_config(*text, format, reason);
  if (!parsed) return {{"", reason}};
  std::vector<Problem> problems = check(parsed->config);
  locate(problems, *parsed);
  return problems;
}

}  // namespace dictlog::config
