// The loader's entry points (files, text, nlohmann values) and the listeners the
// configurations created.
#include "dictlog/config.hpp"

#include <fstream>
#include <mutex>
#include <sstream>
#include <string_view>

#include <fmt/format.h>

#include "config/builder.hpp"
#include "config/json_reader.hpp"
#include "config/read_text.hpp"
#include "dictlog/config_json.hpp"
#include "record/at_fork.hpp"
#include "record/py_unicode.hpp"

namespace dictlog::config {

namespace {

std::string first_line(const std::string& source, const std::vector<Problem>& problems) {
  if (problems.empty()) return source + ": rejected";
  return problem_line(source, problems.front());
}

std::mutex& config_mutex() {
  static auto* m = new std::mutex;
  return *m;
}
// A fork waits for a configuration being applied to be done (up to kForkLockPatience).
const int g_at_fork = [] {
  dictlog::detail::add_fork_participant(
      dictlog::detail::ForkRank::config,
      {[](dictlog::detail::ForkLocks& locks) { return locks.take(config_mutex()); }, [] {}});
  return 0;
}();

// Nesting deeper than this is rejected before anything recurses into it: nlohmann copies
// values recursively (ordered_json's map even while parsing), as do py_repr and cfg://, so a
// deep enough value would overflow the stack. CPython's json stops near 1000 levels too
// (its recursion limit), so no configuration CPython can load is refused.
constexpr std::size_t kMaxDepth = 1000;
// A function, not a global string: configurations may be applied during static destruction.
std::string too_deep_text() {
  return "nesting deeper than " + std::to_string(kMaxDepth) + " levels of lists and objects";
}

// The first container nested kMaxDepth deep, as a Problem at its top-level key. Iterative,
// so it is safe on any value.
template <class J>
std::optional<Problem> too_deep(const J& config) {
  struct Item {
    const J* j;
    std::size_t depth;
    const std::string* top;
  };
  std::vector<Item> todo{{&config, 0, nullptr}};
  while (!todo.empty()) {
    const Item item = todo.back();
    todo.pop_back();
    if (!item.j->is_structured()) continue;
    if (item.depth >= kMaxDepth)
      return Problem{item.top ? "/" + detail::pointer_token(*item.top) : "", too_deep_text()};
    const bool object = item.j->is_object();
    for (auto it = item.j->begin(); it != item.j->end(); ++it)
      todo.push_back({&*it, item.depth + 1, object && item.depth == 0 ? &it.key() : item.top});
  }
  return std::nullopt;
}

}  // namespace

std::string problem_line(std::string_view source, const Problem& problem) {
  std::string line(source);
  if (problem.line > 0)
    line += ":" + std::to_string(problem.line) + ":" + std::to_string(problem.column);
  line += ": ";
  if (!problem.pointer.empty()) line += problem.pointer + ": ";
  return line + problem.message;
}

ConfigError::ConfigError(std::string source, std::vector<Problem> problems)
    : ValueError(first_line(source, problems)),
      source_(std::move(source)),
      problems_(std::move(problems)) {}

void dict_config(const nlohmann::ordered_json& config, std::string_view source) {
  if (auto p = too_deep(config)) throw ConfigError(std::string(source), {*p});
  std::lock_guard lock(config_mutex());
  {
    detail::Builder dry(config, true);
    dry.build();
    if (!dry.problems.empty()) throw ConfigError(std::string(source), std::move(dry.problems));
  }
  // Build everything (files opened, queues and listeners made) before touching the running
  // configuration; a constructor that fails now still leaves it untouched.
  detail::Builder real(config, false);
  real.build();
  if (!real.problems.empty()) {
    real.discard();
    throw ConfigError(std::string(source), std::move(real.problems));
  }
  real.commit();
}

void dict_config(const nlohmann::json& config, std::string_view source) {
  // Before the conversion, which copies recursively.
  if (auto p = too_deep(config)) throw ConfigError(std::string(source), {*p});
  dict_config(nlohmann::ordered_json(config), source);
}

namespace {

// nlohmann quotes the bytes it last read as they are: a byte that is not UTF-8 is shown as
// \xNN, so the message itself is valid text (a terminal, a JSON log, Python's decoding).
std::string printable(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size();) {
    std::size_t len = 0;
    dictlog::detail::decode_utf8(s, i, len);
    if (len == 0) {
      out += fmt::format("\\x{:02x}", static_cast<unsigned char>(s[i]));
      ++i;
    } else {
      out.append(s, i, len);
      i += len;
    }
  }
  return out;
}

}  // namespace

std::optional<nlohmann::ordered_json> parse_config(const std::string& text, std::string& why) {
  // The depth limit is applied to the text: nlohmann's parser itself recurses on deep values.
  {
    std::size_t depth = 0, line = 1, col = 0;
    bool in_string = false, escaped = false;
    for (char c : text) {
      if (c == '\n') {
        ++line;
        col = 0;
      } else {
        ++col;
      }
      if (c == '\0') {
        // Never valid in JSON text; nlohmann's parser would take it for the end of the input
        // and accept what came before.
        why = "invalid JSON: line " + std::to_string(line) + ", column " + std::to_string(col) +
              ": a NUL byte";
        return std::nullopt;
      }
      if (in_string) {
        if (escaped)
          escaped = false;
        else if (c == '\\')
          escaped = true;
        else if (c == '"')
          in_string = false;
      } else if (c == '"') {
        in_string = true;
      } else if (c == '[' || c == '{') {
        if (++depth > kMaxDepth) {
          why = "invalid JSON: line " + std::to_string(line) + ", column " + std::to_string(col) +
                ": " + too_deep_text();
          return std::nullopt;
        }
      } else if ((c == ']' || c == '}') && depth > 0) {
        --depth;
      }
    }
  }
  try {
    return detail::read_ordered_json(text);
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
          printable(detail);
    return std::nullopt;
  } catch (const nlohmann::json::out_of_range& e) {
    // A number beyond a double's range ("1e400"; Python's json reads inf): nlohmann throws
    // out_of_range, not parse_error, and gives no position.
    std::string detail = e.what();
    // Drop "[json.exception.out_of_range.406] ".
    if (auto p = detail.find("] "); p != std::string::npos) detail = detail.substr(p + 2);
    why = "invalid JSON: " + detail;
    return std::nullopt;
  }
}

namespace detail {

std::optional<std::string> read_text(const std::filesystem::path& path, Problem& why) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    why = {"", "cannot open file"};
    return std::nullopt;
  }
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace detail

void dict_config_string(std::string_view text, std::string_view source) {
  std::string why;
  auto json = parse_config(std::string(text), why);
  if (!json) throw ConfigError(std::string(source), {{"", why}});
  dict_config(*json, source);
}

std::vector<Problem> check_string(std::string_view text) {
  std::string why;
  auto json = parse_config(std::string(text), why);
  if (!json) return {{"", why}};
  return check(*json);
}

std::vector<Problem> check(const nlohmann::ordered_json& config) {
  if (auto p = too_deep(config)) return {*p};
  std::lock_guard lock(config_mutex());
  detail::Builder dry(config, true);
  dry.build();
  return std::move(dry.problems);
}

std::vector<Problem> check(const nlohmann::json& config) {
  if (auto p = too_deep(config)) return {*p};
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
