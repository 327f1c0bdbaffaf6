// fmt's "{}"-only messages, formatted without fmt's format-string parser.
#include <bit>
#include <cstdint>
#include <cstring>

#include "dictlog/detail/capture.hpp"

namespace dictlog::detail {

namespace {

// The first '{' or '}' in [s, end), or end: eight bytes at a time (a word has a zero byte
// where it equals the brace's repeated byte).
const char* find_brace(const char* s, const char* end) {
  constexpr std::uint64_t ones = 0x0101010101010101ULL, highs = 0x8080808080808080ULL;
  constexpr std::uint64_t open = ones * '{', close = ones * '}';
  while (end - s >= 8) {
    std::uint64_t w;
    std::memcpy(&w, s, 8);
    const std::uint64_t a = w ^ open, b = w ^ close;
    const std::uint64_t hit = ((a - ones) & ~a & highs) | ((b - ones) & ~b & highs);
    if (hit) return s + (std::countr_zero(hit) >> 3);
    s += 8;
  }
  while (s != end && *s != '{' && *s != '}') ++s;
  return s;
}

}  // namespace

bool format_plain(std::string_view f, const PlainArg* args, std::size_t n, std::string& out) {
  const std::size_t start = out.size();
  PlainOut w(out);
  const char* s = f.data();
  const char* const end = s + f.size();
  std::size_t next = 0;
  for (;;) {
    const char* text = s;
    s = find_brace(s, end);
    w.put(text, static_cast<std::size_t>(s - text));
    if (s == end) {
      w.flush();
      return true;
    }
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
  w.flush();
  out.resize(start);
  return false;
}

}  // namespace dictlog::detail
