// Four worker processes into one file: through a multiprocessing.Queue written by the parent
// (the cookbook's pattern), against each process appending to the file with a FileHandler of
// its own (mode "a", O_APPEND). Prints records/s from the first fork to the last line on
// disk, and the lines that are not whole (torn), median of --reps runs.
//
//   build/bench/bench_multiprocess [RECORDS_PER_WORKER [REPS]]   (default 200000, 5)
#include <sys/wait.h>
#include <unistd.h>
#include <dictlog/dictlog.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "dictlog/config_json.hpp"

namespace {

constexpr int kWorkers = 4;
// The bench line of bench_dictlog, with the writer's pid.
constexpr const char* kFormat = "%(asctime)s %(process)d %(levelname)s %(name)s %(message)s";

nlohmann::ordered_json file_config(const std::string& path, bool shared) {
  nlohmann::ordered_json c = {
      {"version", 1},
      {"formatters", {{"f", {{"format", kFormat}}}}},
      {"handlers",
       {{"file", {{"class", "logging.FileHandler"}, {"filename", path}, {"formatter", "f"}}}}},
      {"root", {{"level", "INFO"}, {"handlers", {shared ? "queue" : "file"}}}}};
  if (shared)
    c["handlers"]["queue"] = {{"class", "logging.handlers.QueueHandler"},
                              {"handlers", {"file"}},
                              {"queue", {{"()", "multiprocessing.Queue"}, {"maxsize", 8192}}},
                              {".", {{"overflow", "block"}}}};
  return c;
}

void log_records(int worker, int n) {
  auto& log = dictlog::get_logger("bench");
  for (int i = 0; i < n; ++i) log.info("worker {} record {} of the benchmark", worker, i);
}

// Lines that do not end as a record's line does.
long torn_lines(const std::string& path, long& lines) {
  std::ifstream in(path);
  long torn = 0;
  lines = 0;
  for (std::string line; std::getline(in, line); ++lines)
    if (line.find(" of the benchmark") != line.size() - 17) ++torn;
  return torn;
}

// Seconds for kWorkers processes to log n records each into `path`.
double run(bool shared, int n, const std::string& path) {
  std::filesystem::remove(path);
  const auto start = std::chrono::steady_clock::now();
  if (shared) {
    dictlog::config::dict_config(file_config(path, true));
    dictlog::config::start_listeners();
  }
  std::vector<pid_t> pids;
  for (int w = 0; w < kWorkers; ++w) {
    const pid_t pid = fork();
    if (pid == 0) {
      if (!shared) dictlog::config::dict_config(file_config(path, false));
      log_records(w, n);
      if (!shared) dictlog::shutdown();  // its FileHandler's last writes
      _exit(0);
    }
    pids.push_back(pid);
  }
  for (pid_t pid : pids) waitpid(pid, nullptr, 0);
  if (shared)  // the listener drains, the file is closed
    dictlog::config::dict_config(nlohmann::ordered_json{{"version", 1}});
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

int main(int argc, char** argv) {
  const int n = argc > 1 ? std::atoi(argv[1]) : 200000;
  const int reps = argc > 2 ? std::atoi(argv[2]) : 5;
  const std::string path =
      (std::filesystem::temp_directory_path() / ("bench_multiprocess_" + std::to_string(getpid())))
          .string();
  std::printf(
      "| %d processes x %d records, one file | records/s (median of %d) | spread | torn lines |\n",
      kWorkers, n, reps);
  std::printf("|---|---|---|---|\n");
  for (bool shared : {true, false}) {
    std::vector<double> rates;
    long torn = 0, lines = 0;
    for (int r = 0; r < reps; ++r) {
      const double s = run(shared, n, path);
      rates.push_back(kWorkers * static_cast<double>(n) / s);
      torn += torn_lines(path, lines);
      if (lines != static_cast<long>(kWorkers) * n)
        std::fprintf(stderr, "run %d: %ld lines, want %d\n", r, lines, kWorkers * n);
    }
    std::sort(rates.begin(), rates.end());
    std::printf("| %s | %.0f | %.0f-%.0f | %ld |\n",
                shared ? "multiprocessing.Queue, the parent writes"
                       : "each process appends (own FileHandler, O_APPEND)",
                rates[rates.size() / 2], rates.front(), rates.back(), torn);
  }
  std::filesystem::remove(path);
  return 0;
}
