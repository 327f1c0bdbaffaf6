#include "queue/text_arena.hpp"

#include <algorithm>
#include <cstring>
#include <string>

namespace dictlog::detail {

namespace {
// Big enough that a batch of 4096 short lines fills a few chunks.
constexpr std::size_t kArenaChunk = 64 * 1024;
// Chunks kept past those the largest batch of the last kTrimEvery used, for a batch that
// is a little longer. Trimming to what each batch used alone freed and took again a chunk
// every ~90 records when batches of long messages varied in size.
constexpr std::size_t kArenaSpare = 2;
constexpr unsigned kTrimEvery = 64;
__attribute__((tls_model("initial-exec"))) thread_local TextArena* t_batch_arena = nullptr;
}  // namespace

char* TextArena::next_chunk(std::size_t need) {
  if (!chunks_.empty()) ++current_;
  used_ = 0;
  if (current_ == chunks_.size() || chunks_[current_].size < need) {
    Chunk c;
    c.size = std::max(kArenaChunk, need);
    c.data.reset(new char[c.size]);
    chunks_.insert(chunks_.begin() + static_cast<std::ptrdiff_t>(current_), std::move(c));
  }
  return chunks_[current_].data.get();
}

std::string_view TextArena::store(std::string_view s) {
  if (s.empty()) return {};
  char* p = chunks_.empty() || chunks_[current_].size - used_ < s.size()
                ? next_chunk(s.size())
                : chunks_[current_].data.get() + used_;
  std::memcpy(p, s.data(), s.size());
  used_ += s.size();
  return {p, s.size()};
}

ArenaOut::ArenaOut(TextArena& a) : a_(a) {
  if (a.chunks_.empty()) return;  // grow() makes the first chunk
  const TextArena::Chunk& c = a.chunks_[a.current_];
  start_ = w_ = c.data.get() + a.used_;
  end_ = c.data.get() + c.size;
}

void ArenaOut::grow(std::size_t n) {
  // The message moves to a chunk with room for it and n more; the old chunk's tail stays
  // unused until reset().
  const std::size_t have = static_cast<std::size_t>(w_ - start_);
  char* p = a_.next_chunk(have + n);
  if (have) std::memcpy(p, start_, have);
  start_ = p;
  w_ = p + have;
  end_ = p + a_.chunks_[a_.current_].size;
}

std::string_view ArenaOut::finish() {
  const std::size_t n = static_cast<std::size_t>(w_ - start_);
  if (n == 0) return {};
  a_.used_ = static_cast<std::size_t>(w_ - a_.chunks_[a_.current_].data.get());
  return {start_, n};
}

void TextArena::reset() {
  peak_ = std::max(peak_, chunks_.empty() ? 0 : current_ + 1);
  if (++resets_ == kTrimEvery) {
    if (chunks_.size() > peak_ + kArenaSpare) chunks_.resize(peak_ + kArenaSpare);
    peak_ = 0;
    resets_ = 0;
  }
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
    ArenaOut out(arena);
    r.args().format_to(r.msg(), out);
    text = out.finish();
  }
  r.set_prepared_borrowed(text);
}

}  // namespace dictlog::detail
