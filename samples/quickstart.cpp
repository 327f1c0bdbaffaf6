// The quick start: a small service that takes its logging from a JSON file, as a Python
// service would with logging.config.dictConfig. samples/quickstart.json puts a QueueHandler
// in front of the console and a file: the worker threads only queue their records, and the
// listener dictConfig attached to the QueueHandler writes them.
//
//   build/samples/quickstart [CONFIG]      (default: samples/quickstart.json)
#include <dictlog/dictlog.hpp>

#include <cstdio>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

int main(int argc, char** argv) {
  const std::string config = argc > 1 ? argv[1] : "samples/quickstart.json";
  try {
    dictlog::config::dict_config_file(config);
  } catch (const dictlog::config::ConfigError& e) {
    std::fprintf(stderr, "%s\n", e.what());  // "FILE: /json/pointer: what is wrong"
    return 1;
  }
  dictlog::config::start_listeners();  // the QueueHandler's listener (Python leaves it stopped)

  auto& log = dictlog::get_logger("app");
  log.info("service starting with {}", config);
  std::vector<std::thread> workers;
  for (int w = 1; w <= 3; ++w)
    workers.emplace_back([w] {
      dictlog::set_thread_name("worker-" + std::to_string(w));
      auto& http = dictlog::get_logger("app.http");
      for (int r = 1; r <= 2; ++r) {
        const std::string request = "r-" + std::to_string(w) + std::to_string(r);
        http.info(dictlog::extra{{"request", request}}, "GET /orders/{} 200", w * 10 + r);
        http.debug("headers parsed", dictlog::extra{{"request", request}});  // the file only
      }
      if (w == 2)
        dictlog::get_logger("app.db").warning(dictlog::extra{{"request", "r-22"}},
                                              "slow query: {} ms", 1200);
    });
  for (auto& t : workers) t.join();
  dictlog::get_logger("app.db").info("dropped: app.db logs WARNING and up");
  log.info("service stopping");

  dictlog::shutdown();  // the listener drains the queue, then the handlers are closed
  std::ifstream file("quickstart.log");
  int lines = 0;
  for (std::string line; std::getline(file, line);) ++lines;
  std::printf(
      "--- records went to the console above (INFO and up) and to quickstart.log "
      "(%d lines, DEBUG and up, with times and thread names)\n",
      lines);
  return 0;
}
