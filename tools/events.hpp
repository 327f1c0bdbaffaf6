// The `dictlog run` event reader: each line of a JSON Lines stream is an event, either a
// record to log ({"logger", "level", "msg", "extra", "context"}) or an operation ({"op":
// "config" | "drain" | "add_level_name", ...}). tools/run.cpp feeds it a file or stdin;
// tests/fuzz/fuzz_events.cpp feeds it the fuzzer's bytes.
//
//   dictlog::cli::EventReader reader;
//   reader.line(R"({"logger": "app", "level": "INFO", "msg": "hi"})", "events.jsonl:1");
//
// Thread safety: one reader per thread; what it calls is dictlog's public API.
#pragma once

#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include <dictlog/queue_listener.hpp>

namespace dictlog::cli {

// A bad event line; what() is the problem, printed after "EVENTS:LINE: ".
struct EventError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

class EventReader {
 public:
  // Applies one line: parses it (the loader's parser: bounded nesting, out-of-range numbers
  // are errors), then logs the record or runs the operation. A blank line does nothing.
  // `where` ("EVENTS:LINE") names a configuration's errors. Throws EventError.
  void line(const std::string& text, const std::string& where);

  // Every listener of a QueueHandler some configuration created, in the order first seen
  // (Python's oracle keeps the same list, for "drain" and the final stop).
  void collect_listeners();
  // The "drain" op: each running listener stopped (its queue drained) and started again.
  void drain();
  void stop_listeners();

 private:
  std::vector<std::shared_ptr<QueueListener>> listeners_;
};

}  // namespace dictlog::cli
