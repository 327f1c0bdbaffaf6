// A logging call's `extra` written into its queue entry, so that a call with a few extra
// attributes takes the direct path (detail::DirectCall) as a call without them does.
//
// The block sits between the DirectCall and its arguments, its size first so that the
// reader finds the arguments after it:
//   u32 block size (a multiple of 8, this field included) | u32 count | items | padding
// and an item is
//   u8 tag | u8 key size | key | value: nothing (None, False, True), 8 bytes (int, float)
//   or u32 size + bytes (str)
// Only None, bool, int, float and str values are written here; a list or dict, a key of
// more than 255 bytes or one that clashes with a record attribute sends the call the usual
// way (which raises the KeyError Python raises for the clash).
//
//   if (std::size_t n = detail::call_extras_size(e)) {   // 0: not this way
//     detail::encode_call_extras(p, e, n);                // p: n bytes, 8-aligned
//     detail::for_each_call_extra(p, [](std::string_view k, ValueView v) { ... });
//   }
//
// Thread-safety: pure functions of their arguments.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>
#include <variant>

#include "dictlog/value.hpp"

namespace dictlog::detail {

// The block's size for `e` (a multiple of 8), or 0 when `e` cannot be written this way.
std::size_t call_extras_size(const dictlog::extra& e) noexcept;

enum class ExtraTag : std::uint8_t { none, no, yes, integer, real, text };

// Writes the block call_extras_size(e) measured at `p`.
inline void encode_call_extras(std::byte* p, const dictlog::extra& e, std::size_t size) {
  const auto block = static_cast<std::uint32_t>(size);
  const auto count = static_cast<std::uint32_t>(e.size());
  std::memcpy(p, &block, 4);
  std::memcpy(p + 4, &count, 4);
  std::byte* w = p + 8;
  for (const auto& [key, value] : e) {
    ExtraTag tag;
    const auto& v = value.get();
    switch (v.index()) {
      case 0:
        tag = ExtraTag::none;
        break;
      case 1:
        tag = std::get<bool>(v) ? ExtraTag::yes : ExtraTag::no;
        break;
      case 2:
        tag = ExtraTag::integer;
        break;
      case 3:
        tag = ExtraTag::real;
        break;
      default:
        tag = ExtraTag::text;  // call_extras_size let nothing else through
        break;
    }
    w[0] = static_cast<std::byte>(tag);
    w[1] = static_cast<std::byte>(key.size());
    std::memcpy(w + 2, key.data(), key.size());
    w += 2 + key.size();
    if (tag == ExtraTag::integer) {
      std::memcpy(w, &std::get<std::int64_t>(v), 8);
      w += 8;
    } else if (tag == ExtraTag::real) {
      std::memcpy(w, &std::get<double>(v), 8);
      w += 8;
    } else if (tag == ExtraTag::text) {
      const std::string& s = std::get<std::string>(v);
      const auto n = static_cast<std::uint32_t>(s.size());
      std::memcpy(w, &n, 4);
      std::memcpy(w + 4, s.data(), n);
      w += 4 + n;
    }
  }
}

// The block's size, as written first.
inline std::size_t call_extras_block_size(const std::byte* p) {
  std::uint32_t n;
  std::memcpy(&n, p, 4);
  return n;
}

// f(std::string_view key, ValueView value) for each item, in the order given; the views
// point into the block.
template <class F>
void for_each_call_extra(const std::byte* p, F&& f) {
  std::uint32_t count;
  std::memcpy(&count, p + 4, 4);
  const std::byte* r = p + 8;
  for (std::uint32_t i = 0; i < count; ++i) {
    const auto tag = static_cast<ExtraTag>(r[0]);
    const std::string_view key(reinterpret_cast<const char*>(r + 2),
                               static_cast<std::size_t>(r[1]));
    r += 2 + key.size();
    ValueView v;
    switch (tag) {
      case ExtraTag::none:
        break;
      case ExtraTag::no:
      case ExtraTag::yes:
        v = tag == ExtraTag::yes;
        break;
      case ExtraTag::integer: {
        std::int64_t x;
        std::memcpy(&x, r, 8);
        v = x;
        r += 8;
        break;
      }
      case ExtraTag::real: {
        double x;
        std::memcpy(&x, r, 8);
        v = x;
        r += 8;
        break;
      }
      case ExtraTag::text: {
        std::uint32_t n;
        std::memcpy(&n, r, 4);
        v = std::string_view(reinterpret_cast<const char*>(r + 4), n);
        r += 4 + n;
        break;
      }
    }
    f(key, v);
  }
}

}  // namespace dictlog::detail
