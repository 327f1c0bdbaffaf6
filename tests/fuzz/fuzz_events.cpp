// libFuzzer target over the `dictlog run` event reader (tools/events.cpp): the input is a
// JSON Lines stream, read line by line as `dictlog run` reads it, into a configuration that
// writes every record twice to /dev/null (a %-style line with the record's fields, and
// python-json-logger's JSON with its extras and context). No QueueHandler: a listener would
// free each input's records on its own thread, and libFuzzer, seeing more allocations than
// frees, would run a whole leak scan after nearly every input (a hundred times slower). A
// line
// either logs, runs its operation, or is refused with an EventError that ends the stream;
// anything else (a crash, a hang, a leak, a foreign exception) fails.
//
// Built by tools/fuzz.sh (meson -Dfuzz=true, clang, ASan+UBSan):
//   build-fuzz/tests/fuzz/fuzz_events [-dict=tests/fuzz/events.dict] CORPUS_DIR...
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <set>
#include <string>

#include <nlohmann/json.hpp>

#include "dictlog/config.hpp"
#include "dictlog/config_json.hpp"
#include "events.hpp"

namespace {

using Json = nlohmann::ordered_json;

[[noreturn]] void foreign(const char* what) {
  std::fprintf(stderr, "fuzz_events: unexpected exception: %s\n", what);
  std::abort();
}

// Loggers and level names live as long as the process (as in Python), so a campaign of
// millions of inputs would grow without end on new names alone. Past these many, a line
// that would make a new one is skipped (the names already made still take every path).
constexpr std::size_t kMaxLoggers = 5000;
constexpr std::size_t kMaxLevels = 1000;
std::set<std::string> g_loggers;
std::set<long long> g_levels;

// False for a line to skip: a "config" op (the loader has its own target, and a
// configuration could name files and hosts), or a new logger or level past the limits.
bool wanted(const std::string& line) {
  std::string why;
  auto parsed = dictlog::config::parse_config(line, why);  // nesting bounded, as the reader's
  if (!parsed || !parsed->is_object()) return true;        // the reader's error to give
  const Json& ev = *parsed;
  auto op = ev.find("op");
  if (op != ev.end() && op->is_string()) {
    if (*op == "config") return false;
    if (*op == "add_level_name") {
      auto level = ev.find("level");
      if (level != ev.end() && level->is_number_integer()) {
        const long long n = level->get<long long>();
        if (!g_levels.count(n) && g_levels.size() >= kMaxLevels) return false;
        g_levels.insert(n);
      }
    }
    return true;
  }
  auto name = ev.find("logger");
  if (name != ev.end() && name->is_string()) {
    const std::string& s = name->get_ref<const std::string&>();
    if (!g_loggers.count(s) && g_loggers.size() >= kMaxLoggers) return false;
    g_loggers.insert(s);
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  dictlog::config::dict_config(Json::parse(R"cfg({
        "version": 1,
        "formatters": {
          "line": {"format": "%(asctime)s %(levelname)-8s %(name)s %(message)s [%(threadName)s %(process)d]"},
          "json": {"()": "pythonjsonlogger.json.JsonFormatter",
                   "format": "%(asctime)s %(levelname)s %(name)s %(message)s"}
        },
        "handlers": {
          "line": {"class": "logging.FileHandler", "filename": "/dev/null", "formatter": "line"},
          "json": {"class": "logging.FileHandler", "filename": "/dev/null", "formatter": "json"}
        },
        "root": {"level": "NOTSET", "handlers": ["line", "json"]}
      })cfg"),
                               "fuzz_events");
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static dictlog::cli::EventReader reader;
  const std::string text(reinterpret_cast<const char*>(data), size);
  std::size_t at = 0;
  for (long lineno = 1; at <= text.size(); ++lineno) {
    std::size_t end = text.find('\n', at);
    if (end == std::string::npos) end = text.size();
    const std::string line = text.substr(at, end - at);
    at = end + 1;
    if (!wanted(line)) continue;
    try {
      reader.line(line, "<fuzz>:" + std::to_string(lineno));
    } catch (const dictlog::cli::EventError&) {
      break;  // as `dictlog run`: the stream ends at its first bad line
    } catch (const std::exception& e) {
      foreign(e.what());
    } catch (...) {
      foreign("not a std::exception");
    }
  }
  return 0;
}
