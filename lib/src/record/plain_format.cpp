// fmt's "{}"-only messages, formatted without fmt's format-string parser.
#include <bit>
#include <cstdint>
#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "dictlog/detail/capture.hpp"

namespace dictlog::detail {

namespace {

// The first '{' or '}' in [s, end), or end; the text starts at `begin` <= s. Sixteen bytes
// at a time where SSE2 is there, a tail shorter than that read as the text's last sixteen
// bytes (never past `end`), so a message costs a few compares, not one per byte.
[[gnu::always_inline]] inline const char* find_brace(const char* begin, const char* s,
                                                     const char* end) {
#if defined(__SSE2__)
  const __m128i open = _mm_set1_epi8('{'), close = _mm_set1_epi8('}');
  auto braces = [&](const char* p) {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
    return static_cast<unsigned>(
        _mm_movemask_epi8(_mm_or_si128(_mm_cmpeq_epi8(v, open), _mm_cmpeq_epi8(v, close))));
  };
  while (end - s >= 16) {
    if (const unsigned m = braces(s)) return s + std::countr_zero(m);
    s += 16;
  }
  if (s == end) return end;
  if (end - begin >= 16) {
    const unsigned m = braces(end - 16) >> (16 - (end - s));
    return m ? s + std::countr_zero(m) : end;
  }
#else
  (void)begin;
#endif
  // A word has a zero byte where it equals the brace's repeated byte.
  constexpr std::uint64_t ones = 0x0101010101010101ULL, highs = 0x8080808080808080ULL;
  constexpr std::uint64_t open8 = ones * '{', close8 = ones * '}';
  while (end - s >= 8) {
    std::uint64_t w;
    std::memcpy(&w, s, 8);
    const std::uint64_t a = w ^ open8, b = w ^ close8;
    const std::uint64_t hit = ((a - ones) & ~a & highs) | ((b - ones) & ~b & highs);
    if (hit) return s + (std::countr_zero(hit) >> 3);
    s += 8;
  }
  while (s != end && *s != '{' && *s != '}') ++s;
  return s;
}

#if defined(__SSE2__)
// Bit i of `open` (`close`) set where f[i] is '{' ('}'), for a text of at most 64 bytes: a
// whole message's braces from a few 16-byte compares, the last 16 bytes read as the text's
// last 16 (never past its end), a text shorter than that from a copy.
[[gnu::always_inline]] inline void brace_masks(std::string_view f, std::uint64_t& open,
                                               std::uint64_t& close) {
  const __m128i o = _mm_set1_epi8('{'), c = _mm_set1_epi8('}');
  auto masks = [&](const char* p, std::size_t drop, std::size_t at) {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
    open |= static_cast<std::uint64_t>(
                static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi8(v, o))) >> drop)
            << at;
    close |= static_cast<std::uint64_t>(
                 static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi8(v, c))) >> drop)
             << at;
  };
  open = close = 0;
  const std::size_t n = f.size();
  if (n < 16) {
    char text[16] = {};
    copy_short(text, f.data(), n);
    masks(text, 0, 0);
    return;
  }
  std::size_t at = 0;
  for (; at + 16 <= n; at += 16) masks(f.data() + at, 0, at);
  if (at < n) masks(f.data() + n - 16, 16 - (n - at), at);
}
#endif

// find_plain_fields for a text of any length, a brace at a time.
[[gnu::noinline]] bool find_plain_fields_scan(std::string_view f, std::size_t n, const char** at) {
  const char* s = f.data();
  const char* const end = s + f.size();
  for (std::size_t i = 0; i < n; ++i) {
    s = find_brace(f.data(), s, end);
    if (end - s < 2 || s[0] != '{' || s[1] != '}') return false;
    at[i] = s;
    s += 2;
  }
  return find_brace(f.data(), s, end) == end;
}

}  // namespace

bool find_plain_fields(std::string_view f, std::size_t n, const char** at) {
#if defined(__SSE2__)
  if (f.size() <= 64) {
    std::uint64_t open, close;
    brace_masks(f, open, close);
    // Every '{' followed by a '}' and every '}' preceded by a '{': the braces are all "{}"
    // (a '{' in the last of 64 bytes would lose its bit to the shift, and is no field).
    if (close != open << 1 || (open >> 63) != 0) return false;
    for (std::size_t i = 0; i < n; ++i) {
      if (!open) return false;
      at[i] = f.data() + std::countr_zero(open);
      open &= open - 1;
    }
    return open == 0;
  }
#endif
  return find_plain_fields_scan(f, n, at);
}

bool format_plain(std::string_view f, const PlainArg* args, std::size_t n, TextOut& w) {
  const std::size_t start = w.written();
  const char* s = f.data();
  const char* const end = s + f.size();
  std::size_t next = 0;
  for (;;) {
    const char* text = s;
    s = find_brace(f.data(), s, end);
    w.put(text, static_cast<std::size_t>(s - text));
    if (s == end) return true;
    // "}}" and a lone "}" (an error) are fmt's to handle, as is any field but "{}".
    if (*s == '}' || s + 1 == end) break;
    if (s[1] == '{') {
      w.put("{", 1);
    } else if (s[1] == '}' && next < n) {
      args[next].write(args[next].value, w);
      ++next;
    } else {
      break;
    }
    s += 2;
  }
  w.rewind(start);
  return false;
}

}  // namespace dictlog::detail
