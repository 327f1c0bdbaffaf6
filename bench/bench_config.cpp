// How long dict_config takes to apply a large configuration: N handlers (file, stream,
// memory and queue handlers in turn, each with a formatter and a filter) on N loggers,
// applied `--reps` times in a row (each application replaces the previous one, closing
// its handlers), and CPython 3.13's dictConfig on the same JSON for comparison
// (bench/bench_config.py). Prints one JSON line: {"handlers": N, "apply_ms": [...]}.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include <dictlog/config_json.hpp>
#include <dictlog/shutdown.hpp>

using nlohmann::ordered_json;

ordered_json make_config(int n) {
  ordered_json c = {{"version", 1}};
  for (int i = 0; i < n; ++i) {
    const std::string id = std::to_string(i);
    c["formatters"]["f" + id] = {{"format", "%(asctime)s " + id + " %(levelname)s %(message)s"}};
    c["filters"]["x" + id] = {{"name", "svc" + id}};
    ordered_json h;
    switch (i % 4) {
      case 0:
        h = {{"class", "logging.FileHandler"}, {"filename", "h" + id + ".log"}, {"delay", true}};
        break;
      case 1:
        h = {{"class", "logging.StreamHandler"}, {"stream", "ext://sys.stderr"}};
        break;
      case 2:
        h = {{"class", "logging.handlers.MemoryHandler"},
             {"capacity", 100},
             {"target", "h" + std::to_string(i - 1)}};
        break;
      case 3:
        h = {{"class", "logging.handlers.QueueHandler"},
             {"handlers", {"h" + std::to_string(i - 3)}}};
        break;
    }
    h["formatter"] = "f" + id;
    h["filters"] = {"x" + id};
    h["level"] = "INFO";
    c["handlers"]["h" + id] = h;
    c["loggers"]["svc" + id + ".worker"] = {{"level", "DEBUG"}, {"handlers", {"h" + id}}};
  }
  return c;
}

int main(int argc, char** argv) {
  int n = 500, reps = 5;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string k = argv[i];
    if (k == "--handlers") n = std::atoi(argv[i + 1]);
    if (k == "--reps") reps = std::atoi(argv[i + 1]);
    if (k == "--write") {
      std::FILE* f = std::fopen(argv[i + 1], "w");
      std::fputs(make_config(n).dump(1).c_str(), f);
      std::fclose(f);
      return 0;
    }
  }
  auto dir =
      std::filesystem::temp_directory_path() / ("dictlog-bench-config-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  std::filesystem::current_path(dir);
  const ordered_json config = make_config(n);
  std::vector<double> ms;
  for (int r = 0; r < reps; ++r) {
    auto t0 = std::chrono::steady_clock::now();
    dictlog::config::dict_config(config, "bench");
    auto t1 = std::chrono::steady_clock::now();
    ms.push_back(std::chrono::duration<double, std::milli>(t1 - t0).count());
  }
  std::printf("{\"program\": \"dictlog\", \"handlers\": %d, \"apply_ms\": [", n);
  for (std::size_t i = 0; i < ms.size(); ++i) std::printf("%s%.2f", i ? ", " : "", ms[i]);
  std::printf("]}\n");
  dictlog::shutdown();
  std::filesystem::current_path("/");
  std::filesystem::remove_all(dir);
}
