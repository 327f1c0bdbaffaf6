// The scan of JsonFormatter's escaper: where a run of bytes json.dumps copies unchanged
// ends, many bytes at a time (16 with SSE2, else 8 in a word).
#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace dictlog::detail {

template <class T>
inline std::uint64_t load(const char* p) {
  T v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

#if defined(__SSE2__)
// The bytes of x json.dumps does not copy unchanged, one bit per byte: below
// 0x20 or from 0x80 (as signed bytes, both below 0x20), 0x7f, '"' and '\\'.
inline unsigned special_mask(__m128i x) {
  const __m128i m = _mm_or_si128(
      _mm_or_si128(_mm_cmplt_epi8(x, _mm_set1_epi8(0x20)), _mm_cmpeq_epi8(x, _mm_set1_epi8(0x7f))),
      _mm_or_si128(_mm_cmpeq_epi8(x, _mm_set1_epi8('"')), _mm_cmpeq_epi8(x, _mm_set1_epi8('\\'))));
  return static_cast<unsigned>(_mm_movemask_epi8(m));
}

// The end of the run from s[i] of bytes json.dumps copies unchanged, tested 16 bytes at a
// time, the last ones by a load that overlaps bytes already tested; a run shorter than 16
// bytes as two overlapping loads of 8 (or 4). Every load stays inside the text.
inline std::size_t plain_run_end(std::string_view s, std::size_t i) {
  const char* p = s.data();
  const std::size_t n = s.size();
  if (n - i >= 16) {
    for (; i + 16 <= n; i += 16)
      if (const unsigned m = special_mask(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p + i))))
        return i + static_cast<std::size_t>(std::countr_zero(m));
    if (i == n) return n;
    const unsigned m = special_mask(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p + n - 16)));
    return m ? n - 16 + static_cast<std::size_t>(std::countr_zero(m)) : n;
  }
  // Shorter: its bytes, some twice. No flag: the run goes to the end; else the byte loop
  // finds the first special byte from i.
  if (n - i >= 8) {
    const __m128i x =
        _mm_unpacklo_epi64(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(p + i)),
                           _mm_loadl_epi64(reinterpret_cast<const __m128i*>(p + n - 8)));
    if (!special_mask(x)) return n;
  } else if (n - i >= 4) {
    // Each word twice: a lane left zero would read as a control character.
    const int first = static_cast<int>(load<std::uint32_t>(p + i));
    const int last = static_cast<int>(load<std::uint32_t>(p + n - 4));
    const __m128i x = _mm_set_epi32(last, first, last, first);
    if (!special_mask(x)) return n;
  }
  for (; i < n; ++i) {
    const auto c = static_cast<unsigned char>(p[i]);
    if (c < 0x20 || c >= 0x7f || c == '"' || c == '\\') break;
  }
  return i;
}
#else
// Bytes in each lane of a 64-bit word, for testing 8 bytes at once.
constexpr std::uint64_t kOnes = 0x0101010101010101ULL, kHighs = 0x8080808080808080ULL;

// The high bit of each zero byte of x. Only the lowest flag is exact (a byte above a zero
// byte may be flagged through the borrow); the lowest is all that is read of it.
constexpr std::uint64_t zero_bytes(std::uint64_t x) {
  return (x - kOnes) & ~x & kHighs;
}

// The high bit of each byte of x that json.dumps does not copy unchanged: < 0x20 (the
// borrow trick again), >= 0x7f (0x7f, or the high bit), '"' or '\\'. The lowest flag of
// each mask is exact, so the lowest of their union is.
constexpr std::uint64_t special_bytes(std::uint64_t x) {
  return ((x - kOnes * 0x20) & ~x & kHighs) | (x & kHighs) | zero_bytes(x ^ (kOnes * 0x7f)) |
         zero_bytes(x ^ (kOnes * '"')) | zero_bytes(x ^ (kOnes * '\\'));
}

// The end of the run from s[i] of bytes json.dumps copies unchanged, tested 8 bytes at a
// time, the last ones by a word that overlaps bytes already tested (a byte loop over the
// tail cost more than the words).
inline std::size_t plain_run_end(std::string_view s, std::size_t i) {
  const char* p = s.data();
  const std::size_t n = s.size();
  for (; i + 8 <= n; i += 8)
    if (const std::uint64_t m = special_bytes(load<std::uint64_t>(p + i)))
      return i + static_cast<std::size_t>(std::countr_zero(m) / 8);
  if (i == n) return n;
  constexpr std::uint64_t kPad = kOnes * 'a';
  if (n >= 8) {
    // The last word; its bytes before i (tested above, or before this run) read as plain,
    // so that no flag of theirs can carry into the run's.
    const auto before = 8 * static_cast<unsigned>(8 - (n - i));
    const std::uint64_t low = (std::uint64_t{1} << before) - 1;
    const std::uint64_t x = (load<std::uint64_t>(p + n - 8) & ~low) | (kPad & low);
    const std::uint64_t m = special_bytes(x);
    return m ? n - 8 + static_cast<std::size_t>(std::countr_zero(m) / 8) : n;
  }
  // Shorter than a word: all its bytes, overlapping, padded with a plain byte. No flag: the
  // whole text is plain; else the byte loop finds the first special byte from i.
  std::uint64_t x;
  if (n >= 4)
    x = load<std::uint32_t>(p) | load<std::uint32_t>(p + n - 4) << 32;
  else if (n >= 2)
    x = load<std::uint16_t>(p) | load<std::uint16_t>(p + n - 2) << 16 | (kPad << 32);
  else
    x = static_cast<unsigned char>(p[0]) | (kPad << 8);
  if (!special_bytes(x)) return n;
  for (; i < n; ++i) {
    const char c = p[i];
    if (c < 0x20 || c >= 0x7f || c == '"' || c == '\\') break;
  }
  return i;
}

#endif

}  // namespace dictlog::detail
