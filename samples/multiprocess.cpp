// A pre-fork server's logging: the parent loads samples/multiprocess.json (a QueueHandler on
// a multiprocessing.Queue in front of one file), starts the listener, forks four workers
// that log, and writes every worker's records itself, to one file, with no lock on it.
//
//   build/samples/multiprocess [CONFIG [RECORDS]]   (default: samples/multiprocess.json, 5)
#include <sys/wait.h>
#include <unistd.h>
#include <dictlog/dictlog.hpp>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

int main(int argc, char** argv) {
  const std::string config = argc > 1 ? argv[1] : "samples/multiprocess.json";
  const int records = argc > 2 ? std::atoi(argv[2]) : 5;
  try {
    dictlog::config::dict_config_file(config);  // the shared queue is made here
  } catch (const dictlog::config::ConfigError& e) {
    std::fprintf(stderr, "%s\n", e.what());
    return 1;
  }
  dictlog::config::start_listeners();  // in this process only: workers never start it
  dictlog::get_logger("main").info("forking 4 workers");

  std::vector<pid_t> workers;
  for (int w = 1; w <= 4; ++w) {
    const pid_t pid = fork();
    if (pid < 0) return 1;
    if (pid == 0) {
      auto& log = dictlog::get_logger("worker." + std::to_string(w));
      for (int i = 1; i <= records; ++i) log.info("job {} of {} done", i, records);
      if (w == 3) log.warning("worker {} saw a slow job", w);
      _exit(0);  // what it logged is in the shared queue already
    }
    workers.push_back(pid);
  }
  for (pid_t pid : workers) waitpid(pid, nullptr, 0);
  dictlog::get_logger("main").info("all workers done");

  dictlog::shutdown();  // the listener drains what the workers put, then the file is closed
  std::ifstream file("multiprocess.log");
  int lines = 0;
  for (std::string line; std::getline(file, line);) ++lines;
  std::printf("--- 4 worker processes logged; this process wrote multiprocess.log (%d lines)\n",
              lines);
  return 0;
}
