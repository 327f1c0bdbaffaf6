// Which QueueListener, if any, runs on this thread. The queue layer marks its listeners'
// threads; layers below it read the mark without knowing the listener: FileHandler
// gathers its writes into batches there (the listener flushes when its queue runs dry),
// and QueueHandler never blocks there (the thread that would unblock it is this one).
#pragma once

namespace dictlog::detail {

// The listener whose loop (or drain) this thread runs, as an opaque address; nullptr on
// every other thread.
const void* current_listener() noexcept;
void set_current_listener(const void* listener) noexcept;
inline bool on_listener_thread() noexcept {
  return current_listener() != nullptr;
}

}  // namespace dictlog::detail
