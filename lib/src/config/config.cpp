// dict_config, dict_config_file, check and the listeners the configurations created.
#include "dictlog/config.hpp"

#include <fstream>
#include <mutex>
#include <sstream>

#include "builder.hpp"

namespace dictlog::config {

namespace {

std::string first_line(const std::string& source, const std::vector<Problem>& problems) {
  if (problems.empty()) return source + ": rejected";
  const Problem& p = problems.front();
  return source + ": " + (p.pointer.empty() ? "" : p.pointer + ": ") + p.message;
}

std::mutex& config_mutex() {
  static auto* m = new std::mutex;
  return *m;
}

}  // namespace

ConfigError::ConfigError(std::string source, std::vector<Problem> problems)
    : ValueError(first_line(source, problems)),
      source_(std::move(source)),
      problems_(std::move(problems)) {}

void dict_config(const nlohmann::ordered_json& config, std::string_view source) {
  std::lock_guard lock(config_mutex());
  {
    detail::Builder dry(config, std::string(source), true);
    dry.build();
    if (!dry.problems.empty()) throw ConfigError(std::string(source), std::move(dry.problems));
  }
  // Build everything (files opened, queues and listeners made) before touching the running
  // configuration; a constructor that fails now still leaves it untouched.
  detail::Builder real(config, std::string(source), false);
  real.build();
  if (!real.problems.empty()) {
    real.discard();
    throw ConfigError(std::string(source), std::move(real.problems));
  }
  real.commit();
}

void dict_config(const nlohmann::json& config, std::string_view source) {
  dict_config(nlohmann::ordered_json(config), source);
}

std::optional<nlohmann::ordered_json> parse_config(const std::string& text, std::string& why) {
  try {
    return nlohmann::ordered_json::parse(text);
  } catch (const nlohmann::json::parse_error& e) {
    // nlohmann reports a byte offset (1-based, just past the bad byte): show line/column.
    std::size_t line = 1, col = 1;
    const std::size_t end = e.byte == 0 ? 0 : std::min<std::size_t>(e.byte - 1, text.size());
    for (std::size_t i = 0; i < end; ++i) {
      if (text[i] == '\n') {
        ++line;
        col = 1;
      } else {
        ++col;
      }
    }
    std::string detail = e.what();
    // Drop "[json.exception.parse_error.101] parse error at line 1, column 5: ".
    if (auto p = detail.find(": "); p != std::string::npos) detail = detail.substr(p + 2);
    why = "invalid JSON: line " + std::to_string(line) + ", column " + std::to_string(col) + ": " +
          detail;
    return std::nullopt;
  }
}

void dict_config_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ConfigError(path.string(), {{"", "cannot open file"}});
  std::ostringstream ss;
  ss << in.rdbuf();
  std::string why;
  auto json = parse_config(ss.str(), why);
  if (!json) throw ConfigError(path.string(), {{"", why}});
  dict_config(*json, path.string());
}

std::vector<Problem> check(const nlohmann::ordered_json& config) {
  std::lock_guard lock(config_mutex());
  detail::Builder dry(config, "<check>", true);
  dry.build();
  return std::move(dry.problems);
}

std::vector<Problem> check(const nlohmann::json& config) {
  return check(nlohmann::ordered_json(config));
}

void start_listeners() {
  std::lock_guard lock(config_mutex());
  for (const auto& l : detail::state().listeners)
    if (!l->running()) l->start();
}

void stop_listeners() {
  std::vector<std::shared_ptr<QueueListener>> ls;
  {
    std::lock_guard lock(config_mutex());
    ls = detail::state().listeners;
  }
  for (const auto& l : ls) l->stop();
}

std::vector<std::shared_ptr<QueueListener>> listeners() {
  std::lock_guard lock(config_mutex());
  return detail::state().listeners;
}

}  // namespace dictlog::config
