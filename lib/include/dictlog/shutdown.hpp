// shutdown(): the end of logging. Stops every running queue listener (draining its queue),
// then flushes and closes every handler in reverse order of creation, once. It also runs
// at normal exit. Logging after it still works (Python's semantics: a file handler reopens).
//
//   int main() { ...; dictlog::shutdown(); }   // or just return from main
#pragma once

#include <functional>

namespace dictlog {

void shutdown();

namespace detail {
// Runs before handlers are flushed and closed, most recently added first (the queue layer
// stops its listeners here). Hooks must not throw.
void add_shutdown_hook(std::function<void()> hook);
}  // namespace detail

}  // namespace dictlog
