// Storage for the prepared messages of one batch of records, so that a QueueListener
// prepares records without allocating.
//
// A listener taking a batch from its queue sets a BatchArenaScope; a QueueHandler's deferred
// prepare, run meanwhile on that thread, finds the arena through batch_arena() and stores
// each record's message there (prepare_in), the record borrowing it. The listener resets
// the arena once the batch's records are gone.
//
//   TextArena arena;
//   { BatchArenaScope scope(&arena); queue.get_batch(batch, n, block); }
//   ... handle batch; batch.clear(); arena.reset();
#pragma once

#include <cstddef>
#include <memory>
#include <string_view>
#include <vector>

#include "dictlog/record.hpp"

namespace dictlog::detail {

// Chunks are kept across reset(), so a steady flow of batches allocates nothing. Used by one
// thread at a time.
class TextArena {
 public:
  TextArena() = default;
  TextArena(const TextArena&) = delete;
  TextArena& operator=(const TextArena&) = delete;
  // A copy of `s`, valid until reset().
  std::string_view store(std::string_view s);
  // Invalidates every view store() returned. Every 64th reset frees the chunks that none
  // of the batches since the last such reset used (but a few).
  void reset();

 private:
  friend class ArenaOut;
  // A chunk of at least `need` bytes after the current one, made current and empty.
  char* next_chunk(std::size_t need);
  struct Chunk {
    std::unique_ptr<char[]> data;
    std::size_t size = 0;
  };
  std::vector<Chunk> chunks_;
  std::size_t current_ = 0;  // the chunk store() fills
  std::size_t used_ = 0;     // bytes of it in use
  std::size_t peak_ = 0;     // the most chunks a batch used since the last trim
  unsigned resets_ = 0;      // since the last trim
};

// A message formatted straight into the arena (one copy, not one into a string and a
// second into the arena): finish() stores it. Text written without finish() (the
// formatter threw) is not kept: the next message is written over it. A message that
// outgrows its chunk moves whole to the next one (a bigger one if it needs it); the tail it
// left stays unused until the arena is reset, at most one message's worth per chunk.
//
//   ArenaOut out(arena);
//   record.args().format_to(record.msg(), out);
//   std::string_view text = out.finish();
class ArenaOut final : public TextOut {
 public:
  explicit ArenaOut(TextArena& a);
  std::string_view finish();
  void rewind(std::size_t n) override { w_ = start_ + n; }

 private:
  void grow(std::size_t n) override;
  TextArena& a_;
};

// The arena of the batch this thread's QueueListener is taking from its queue (records
// prepared meanwhile borrow their text from it), or nullptr.
TextArena* batch_arena();
// Sets batch_arena() for its lifetime, then restores the previous one.
class BatchArenaScope {
 public:
  explicit BatchArenaScope(TextArena* arena);
  ~BatchArenaScope();
  BatchArenaScope(const BatchArenaScope&) = delete;
  BatchArenaScope& operator=(const BatchArenaScope&) = delete;

 private:
  TextArena* prev_;
};

// QueueHandler.prepare's message part for a listener's deferred prepare: msg and message
// both the message (formatted now if it was not yet), stored in `arena`, args cleared. The
// record borrows the text until the arena is reset; a copy of the record owns its text.
// Throws what get_message throws, the record unchanged.
void prepare_in(LogRecord& r, TextArena& arena);

}  // namespace dictlog::detail
