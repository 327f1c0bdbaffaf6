// dictlog::config: Python's logging.config.dictConfig, driven by JSON files.
//
// A JSON document that CPython 3.13's dictConfig accepts builds the same loggers, handlers,
// formatters and filters here. Class names resolve only through the registry
// (registry.hpp): nothing named in a file is ever loaded or executed. The whole
// configuration is validated before anything is applied, so a rejected one leaves the
// running configuration untouched; every error names the JSON Pointer of the bad value.
// This header takes files and text; config_json.hpp takes nlohmann::json values.
//
//   dictlog::config::dict_config_file("logging.json");
//   dictlog::config::start_listeners();   // QueueHandlers' listeners (Python leaves them stopped)
//
// Thread safety: every function here may be called from any thread; one lock serialises
// them, so configurations are checked and applied one at a time.
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "dictlog/errors.hpp"
#include "dictlog/queue_listener.hpp"
#include "dictlog/registry.hpp"

namespace dictlog::config {

// One problem in a configuration.
struct Problem {
  std::string pointer;  // JSON Pointer of the offending value ("/handlers/console/formatter")
  std::string message;  // what is wrong and what was expected
  // Where the value is in a YAML or INI file (1-based; 0: not known, as in a JSON file).
  int line = 0;
  int column = 0;
};

// A problem as one line: "SOURCE: /pointer: message", or "SOURCE: message" when the pointer
// is empty (a file that cannot be read or parsed); "SOURCE:LINE:COLUMN: ..." when the
// position is known. `dictlog check` prints these.
std::string problem_line(std::string_view source, const Problem& problem);

// A rejected configuration. what() is problem_line(SOURCE, first problem).
class ConfigError : public ValueError {
 public:
  ConfigError(std::string source, std::vector<Problem> problems);
  const std::string& source() const { return source_; }
  const std::vector<Problem>& problems() const { return problems_; }

 private:
  std::string source_;
  std::vector<Problem> problems_;
};

// The forms a configuration file may take, as Python services keep them.
enum class FileFormat {
  automatic,  // by the file's extension (format_of)
  json,       // dictConfig's dict as JSON: dictConfig(json.load(f))
  yaml,       // dictConfig's dict as YAML: dictConfig(yaml.safe_load(f)); needs yaml-cpp
  ini,        // logging.config.fileConfig's INI file (see file_config)
};
// .yaml and .yml: yaml; .ini, .conf and .cfg: ini; anything else: json.
FileFormat format_of(const std::filesystem::path& path);

// Reads, parses and applies a configuration file: JSON or YAML as Python's dictConfig, INI
// as file_config with its defaults. Throws ConfigError, having changed nothing: a file that
// cannot be read ("cannot open file"), a syntax error (with line and column) or a rejected
// configuration.
void dict_config_file(const std::filesystem::path& path, FileFormat format = FileFormat::automatic);
// The same from JSON text; `source` names it in errors.
void dict_config_string(std::string_view text, std::string_view source = "<string>");

// Every problem dict_config_file would reject, without side effects: no file is touched, no
// socket opened, the running configuration is untouched. Empty means it would apply. A
// file that cannot be read or parsed is one problem with an empty pointer.
std::vector<Problem> check_file(const std::filesystem::path& path,
                                FileFormat format = FileFormat::automatic);
std::vector<Problem> check_string(std::string_view text);

// logging.config.fileConfig's arguments besides the file.
struct FileConfigOptions {
  // configparser's defaults: names %(name)s interpolation finds in every section (Paste and
  // alembic pass {"here": "/dir/of/the/file"}).
  std::map<std::string, std::string> defaults;
  // Loggers that exist and are not named in the file (nor below one that is) are disabled.
  bool disable_existing_loggers = true;
};

// Python's logging.config.fileConfig: reads an INI file ([loggers], [handlers],
// [formatters], [logger_NAME], [handler_NAME], [formatter_NAME]) and applies it as the
// dictConfig it is equivalent to. Where CPython eval()s `class`, `args` and `kwargs`,
// dictlog reads Python literals, sys.stdout/sys.stderr, logging's level constants and
// registered names only, and names anything else as an error with its section, key and
// position. Throws ConfigError, having changed nothing.
//
//   dictlog::config::file_config("development.ini", {.defaults = {{"here", "/srv/app"}}});
void file_config(const std::filesystem::path& path, const FileConfigOptions& options = {});

// Starts the listener of every QueueHandler the configurations created that is not running;
// stop_listeners() stops them, draining their queues. shutdown() stops them too.
void start_listeners();
void stop_listeners();
// The listeners of the QueueHandlers the current configuration created.
std::vector<std::shared_ptr<QueueListener>> listeners();

}  // namespace dictlog::config
