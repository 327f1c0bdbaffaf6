// What dictlog does around fork(). Every part that keeps locks, threads or queued work
// takes part through one pthread_atfork registration, in layer order:
// - before the fork, the forking thread takes every participant's locks, from the top layer
//   down, so that the child inherits each structure between two changes, never in the
//   middle of one made by a thread the child does not have;
// - in the parent, the locks are released;
// - in the child, every lock is made new (a recursive mutex or a shared mutex cannot be
//   unlocked there: the owner it records is the parent's thread id), then each participant,
//   from the bottom layer up, drops what is the parent's work (records queued, output
//   buffered: the parent writes them) and restarts its threads.
//
// The locks are taken with try_lock only: a participant whose lock is busy makes the
// forking thread let go of all of them and try again shortly, so a lock order that differs
// elsewhere delays a fork instead of deadlocking it. After kForkLockPatience the fork goes
// ahead with the locks it could get; the child still makes every lock new.
#pragma once

#include <chrono>
#include <cstddef>
#include <mutex>
#include <shared_mutex>
#include <vector>

namespace dictlog::detail {

inline constexpr std::chrono::milliseconds kForkLockPatience{2000};

class ForkLocks {
 public:
  // Take `m` (or note it as busy, when past patience). False when it is busy and the
  // attempt should be given up.
  bool take(std::mutex& m) { return add(&m, Kind::plain); }
  bool take(std::recursive_mutex& m) { return add(&m, Kind::recursive); }
  bool take(std::shared_mutex& m) { return add(&m, Kind::shared); }

  // Internal to at_fork.cpp.
  enum class Kind : unsigned char { plain, recursive, shared };
  struct Entry {
    void* lock;
    Kind kind;
    bool held;
  };
  explicit ForkLocks(bool last_attempt) : last_attempt_(last_attempt) {}
  void release();         // in the parent, or before another attempt
  void renew_in_child();  // every lock noted, held or not, made new

 private:
  bool add(void* lock, Kind kind);
  const bool last_attempt_;
  std::vector<Entry> entries_;
};

// Ranks, lowest layer first: prepare runs from the highest rank down, child from the lowest
// up.
enum class ForkRank { record, core, queue, listeners, config };

struct ForkParticipant {
  // Takes the participant's locks through locks.take; returns false as soon as one take
  // does.
  bool (*prepare)(ForkLocks& locks);
  // In the child, after every lock was made new, before the participants above it.
  void (*child)();
};

// Registers a participant (once per kind of thing, not per object: a participant walks its
// own registry of objects).
void add_fork_participant(ForkRank rank, ForkParticipant p);

}  // namespace dictlog::detail
