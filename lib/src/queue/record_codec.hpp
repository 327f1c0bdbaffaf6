// A prepared record as bytes, for a queue shared between processes: what CPython pickles
// for multiprocessing.Queue (QueueHandler.prepare's record) in a flat layout of our own,
// read back only by the same build in the parent. Not installed.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <unordered_map>

#include "dictlog/record.hpp"

namespace dictlog::detail {

// Appends `r` to `out` in at most `limit` bytes: the message is cut first, then the extras
// dropped, when it would not fit. Returns false if it had to cut anything.
bool encode_record(const LogRecord& r, std::size_t limit, std::string& out);

// Reads what encode_record wrote. Text the record points to (names, paths) is interned
// once per distinct value through `names`, the reader's cache.
class RecordDecoder {
 public:
  LogRecord decode(std::string_view bytes);

 private:
  std::string_view name(std::string_view s);
  std::unordered_map<std::string, std::string_view> names_;
};

}  // namespace dictlog::detail
