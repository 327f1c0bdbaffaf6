// Interned strings: text a record points to that must outlive every record (thread names,
// makeLogRecord's attributes).
#pragma once

#include <cstdint>
#include <string_view>

#include "dictlog/thread_name.hpp"

namespace dictlog::detail {

// A copy of `s` that lives as long as the process; equal strings share one copy. Takes a
// lock: for text set rarely, never per record.
std::string_view intern(std::string_view s);
// The one pair of `ident` and `name` (interned itself) for the life of the process: a
// thread's identity as queued calls carry it (thread_name.hpp). Threads that end leave
// theirs; pthread_self() values are reused, so the pairs stay about as many as the
// threads that run at once times the names they take.
const ThreadIdentity* intern_identity(std::uint64_t ident, std::string_view name);

}  // namespace dictlog::detail
