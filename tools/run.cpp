// `dictlog run`: apply a configuration, then log the events of a JSON Lines stream.
#include <fstream>
#include <iostream>
#include <string>

#include <dictlog/config.hpp>
#include <dictlog/handler.hpp>
#include <dictlog/shutdown.hpp>
#include <dictlog/watch.hpp>

#include "cli.hpp"
#include "events.hpp"

namespace dictlog::cli {

int run_command(const std::string& config_path, const std::string& events_path, bool watch,
                bool show_stats) {
  if (int status = load_config(config_path, Load::apply); status != ok) return status;
  EventReader reader;
  config::start_listeners();
  reader.collect_listeners();
  // Problems of a changed CONFIG go to stderr (the watcher's default), in check's form.
  config::Watcher watcher;
  if (watch) {
    config::WatchOptions options;
    options.sighup = true;
    watcher = config::watch(config_path, options);
  }

  int status = ok;
  const bool use_stdin = events_path.empty() || events_path == "-";
  const std::string label = use_stdin ? std::string("<stdin>") : events_path;
  std::ifstream file;
  if (!use_stdin) {
    file.open(events_path, std::ios::binary);
    if (!file) {
      std::cerr << events_path << ": cannot open file\n";
      status = io_error;
    }
  }
  if (status == ok) {
    std::istream& in = use_stdin ? std::cin : file;
    std::string line;
    for (long lineno = 1; std::getline(in, line); ++lineno) {
      const std::string where = label + ":" + std::to_string(lineno);
      try {
        reader.line(line, where);
      } catch (const EventError& e) {
        // As a service would: the bad line is reported and the events after it are logged.
        std::cerr << where << ": " << e.what() << '\n';
        status = problem;
      }
    }
  }
  watcher.stop();  // no reload may start listeners after they are stopped
  reader.collect_listeners();
  reader.stop_listeners();
  // Before shutdown(): closing a handler takes its name out of the registry. Flushed first,
  // so that a handler sending from a thread of its own (OTLPHandler) has counted its fate.
  if (show_stats) {
    for (const auto& name : get_handler_names())
      if (auto h = get_handler_by_name(name)) h->flush();
  }
  if (show_stats)
    for (const auto& [name, s] : stats())
      std::cerr << "stats " << name << ": " << format_stats(s) << '\n';
  shutdown();
  return status;
}

}  // namespace dictlog::cli
