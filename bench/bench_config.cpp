// How long dict_config takes to apply a large configuration, and CPython 3.13's dictConfig on
// the same JSON for comparison (bench/bench_config.py). Two shapes:
//   --handlers N  N handlers (file, stream, memory and queue handlers in turn, each with a
//                 formatter and a filter) on N loggers, applied `--reps` times in a row (each
//                 application replaces the previous one, closing its handlers). Prints
//                 {"handlers": N, "apply_ms": [...]}.
//   --loggers N   N loggers named app.mI.cJ (100 to a module), each with a level and one of
//                 up to 2,000 NullHandlers: the file read and applied to a fresh tree, then
//                 `--reps` applications to the tree it made, then get_logger of 1,000 new
//                 names in that tree. Prints {"loggers": N, "parse_ms", "apply_ms": [first,
//                 then the re-applications], "new_logger_us": median}.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include <dictlog/config_json.hpp>
#include <dictlog/logger.hpp>
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

ordered_json make_tree_config(int n) {
  const int handlers = std::min(n, 2000);
  ordered_json c = {{"version", 1}};
  for (int i = 0; i < handlers; ++i)
    c["handlers"]["h" + std::to_string(i)] = {{"class", "logging.NullHandler"}};
  for (int i = 0; i < n; ++i)
    c["loggers"]["app.m" + std::to_string(i / 100) + ".c" + std::to_string(i)] = {
        {"level", i % 2 ? "INFO" : "DEBUG"}, {"handlers", {"h" + std::to_string(i % handlers)}}};
  return c;
}

double ms_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
}

void print_ms(const char* key, const std::vector<double>& ms) {
  std::printf("\"%s\": [", key);
  for (std::size_t i = 0; i < ms.size(); ++i) std::printf("%s%.2f", i ? ", " : "", ms[i]);
  std::printf("]");
}

// The --loggers shape: the text as `dictlog run` reads it, so parsing is measured too.
void bench_tree(int n, int reps) {
  const std::string text = make_tree_config(n).dump();
  auto t0 = std::chrono::steady_clock::now();
  std::string why;
  auto config = dictlog::config::parse_config(text, why);
  const double parse_ms = ms_since(t0);
  if (!config) {
    std::fprintf(stderr, "%s\n", why.c_str());
    std::exit(1);
  }
  std::vector<double> ms;
  for (int r = 0; r <= reps; ++r) {
    t0 = std::chrono::steady_clock::now();
    dictlog::config::dict_config(*config, "bench");
    ms.push_back(ms_since(t0));
  }
  std::vector<double> us;
  for (int i = 0; i < 1000; ++i) {
    const std::string name = "app.m" + std::to_string(i % 7) + ".new" + std::to_string(i);
    t0 = std::chrono::steady_clock::now();
    dictlog::get_logger(name);
    us.push_back(ms_since(t0) * 1000);
  }
  std::nth_element(us.begin(), us.begin() + us.size() / 2, us.end());
  std::printf("{\"program\": \"dictlog\", \"loggers\": %d, \"parse_ms\": %.2f, ", n, parse_ms);
  print_ms("apply_ms", ms);
  std::printf(", \"new_logger_us\": %.2f}\n", us[us.size() / 2]);
}

int main(int argc, char** argv) {
  int n = 500, loggers = 0, reps = 5;
  const char* write = nullptr;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string k = argv[i];
    if (k == "--handlers") n = std::atoi(argv[i + 1]);
    if (k == "--loggers") loggers = std::atoi(argv[i + 1]);
    if (k == "--reps") reps = std::atoi(argv[i + 1]);
    if (k == "--write") write = argv[i + 1];
  }
  if (write) {
    std::FILE* f = std::fopen(write, "w");
    std::fputs((loggers ? make_tree_config(loggers) : make_config(n)).dump(1).c_str(), f);
    std::fclose(f);
    return 0;
  }
  if (loggers) {
    bench_tree(loggers, reps);
    dictlog::shutdown();
    return 0;
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
    ms.push_back(ms_since(t0));
  }
  std::printf("{\"program\": \"dictlog\", \"handlers\": %d, ", n);
  print_ms("apply_ms", ms);
  std::printf("}\n");
  dictlog::shutdown();
  std::filesystem::current_path("/");
  std::filesystem::remove_all(dir);
}
