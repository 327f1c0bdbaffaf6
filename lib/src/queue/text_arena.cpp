#include "queue/text_arena.hpp"

#include <algorithm>
#include <cstring>
#include <string>

namespace dictlog::detail {

namespace {
// Big enough that a batch of 4096 short lines fills a few chunks.
constexpr std::size_t kArenaChunk = 64 * 1024;
// Chunks kept past those the last batch used, for a batch that is a little longer.
constexpr std::size_t kArenaSpare = 2;
__attribute__((tls_model("initial-exec"))) thread_local TextArena* t_batch_arena = nullptr;
}  // namespace

std::string_view TextArena::store(std::string_view s) {
  if (s.empty()) return {};
  if (chunks_.empty() || chunks_[current_].size - used_ < s.size()) {
    if (!chunks_.empty()) ++current_;
    used_ = 0;
    if (current_ == chunks_.size() || chunks_[current_].size < s.size()) {
      Chunk c;
      c.size = std::max(kArenaChunk, s.size());
      c.data.reset(new char[c.size]);
      chunks_.insert(chunks_.begin() + static_cast<std::ptrdiff_t>(current_), std::move(c));
    }
  }
  char* p = chunks_[current_].data.get() + used_;
  std::memcpy(p, s.data(), s.size());
  used_ += s.size();
  return {p, s.size()};
}

void TextArena::reset() {
  std::size_t keep = chunks_.empty() ? 0 : current_ + 1 + kArenaSpare;
  if (chunks_.size() > keep) chunks_.resize(keep);
  current_ = 0;
  used_ = 0;
}

TextArena* batch_arena() {
  return t_batch_arena;
}

BatchArenaScope::BatchArenaScope(TextArena* arena) : prev_(t_batch_arena) {
  t_batch_arena = arena;
}

BatchArenaScope::~BatchArenaScope() {
  t_batch_arena = prev_;
}

void prepare_in(LogRecord& r, TextArena& arena) {
  if (r.is_prepared()) return;  // msg is the message already, and the args are gone
  std::string_view text;
  if (r.has_message()) {
    text = arena.store(r.message_text());  // formatted at the call, or read by a filter
  } else if (r.args().empty()) {
    text = r.owns_msg() ? arena.store(r.msg()) : r.msg();  // static text needs no copy
  } else {
    // Reused: formatting allocates nothing once this thread's scratch has grown.
    __attribute__((tls_model("initial-exec"))) thread_local std::string scratch;
    scratch.clear();
    r.args().format_to(r.msg(), scratch);
    text = arena.store(scratch);
  }
  r.set_prepared_borrowed(text);
}

}  // namespace dictlog::detail
