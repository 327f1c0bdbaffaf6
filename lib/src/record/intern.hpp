// Interned strings: text a record points to that must outlive every record (thread names,
// makeLogRecord's attributes).
#pragma once

#include <string_view>

namespace dictlog::detail {

// A copy of `s` that lives as long as the process; equal strings share one copy. Takes a
// lock: for text set rarely, never per record.
std::string_view intern(std::string_view s);

}  // namespace dictlog::detail
