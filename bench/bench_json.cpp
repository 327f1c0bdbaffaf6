// JSON lines with two extras: bench/json_lines.json (python-json-logger's JsonFormatter on a
// FileHandler, the same file bench_json.py gives CPython's dictConfig) and `--records` N
// calls of
//   log.info(extra{{"user", "alice"}, {"amount", 12.5}}, "order {} placed", i)
// timed from the first call until the file is closed holding every line. `--queue` puts the
// configuration's QueueHandler in front of the file (its listener writes; the time then
// ends when stop_listeners() has drained it). Prints one JSON line:
//   {"program": "dictlog", "queue": false, "records": N, "ns_per_record": [...], ...}
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <dictlog/config_json.hpp>
#include <dictlog/dictlog.hpp>

namespace {

long count_lines(const std::string& path) {
  std::ifstream in(path);
  long n = 0;
  for (std::string line; std::getline(in, line);) n += !line.empty();
  return n;
}

}  // namespace

int main(int argc, char** argv) {
  long records = 200000;
  int reps = 5;
  bool queue = false;
  std::string config_path;
  for (int i = 1; i < argc; ++i) {
    const std::string k = argv[i];
    if (k == "--queue") queue = true;
    if (i + 1 < argc && k == "--records")
      records = std::atol(argv[++i]);
    else if (i + 1 < argc && k == "--reps")
      reps = std::atoi(argv[++i]);
    else if (i + 1 < argc && k == "--config")
      config_path = argv[++i];
  }
  if (config_path.empty()) {
    std::fprintf(stderr,
                 "usage: bench_json --config bench/json_lines.json [--queue] "
                 "[--records N] [--reps R]\n");
    return 2;
  }
  std::ifstream in(config_path);
  auto config = nlohmann::ordered_json::parse(in);
  if (queue)
    config["loggers"]["bench"]["handlers"] = {"queue"};
  else
    config["handlers"].erase("queue");
  const auto dir =
      std::filesystem::temp_directory_path() / ("dictlog-bench-json-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  std::filesystem::current_path(dir);
  std::vector<double> ns;
  std::string first;
  for (int r = 0; r < reps; ++r) {
    dictlog::config::dict_config(config, config_path);
    dictlog::config::start_listeners();
    auto& log = dictlog::get_logger("bench");
    const auto t0 = std::chrono::steady_clock::now();
    for (long i = 0; i < records; ++i)
      log.info(dictlog::extra{{"user", "alice"}, {"amount", 12.5}}, "order {} placed", i);
    dictlog::config::stop_listeners();                                    // drains the queue
    dictlog::config::dict_config(nlohmann::json{{"version", 1}}, "end");  // closes the file
    const double elapsed =
        std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - t0).count();
    if (const long n = count_lines("bench-json.log"); n != records) {
      std::fprintf(stderr, "bench_json: %ld lines written of %ld\n", n, records);
      return 1;
    }
    ns.push_back(elapsed / static_cast<double>(records));
    if (first.empty()) std::getline(std::ifstream("bench-json.log") >> std::ws, first);
  }
  std::printf("{\"program\": \"dictlog\", \"queue\": %s, \"records\": %ld, \"ns_per_record\": [",
              queue ? "true" : "false", records);
  for (std::size_t i = 0; i < ns.size(); ++i) std::printf("%s%.1f", i ? ", " : "", ns[i]);
  std::printf("], \"first_line\": %s}\n", nlohmann::json(first).dump().c_str());
  dictlog::shutdown();
  std::filesystem::current_path("/");
  std::filesystem::remove_all(dir);
}
