// Capturing a log call's arguments by value, to format them later on another thread.
//
// A call `log.info("served {} in {} us", path, us)` encodes its arguments into a byte
// buffer (strings copied, numbers by value) and keeps a pointer to a function, made once
// per argument-type list, that decodes the buffer and formats it. The buffer lives inline
// in the record up to inline_arg_bytes; past that it is on the heap. User types are
// formatted at the call (the whole message, so format specs keep their meaning) unless
// they declare themselves safe to copy with dictlog::copy_safe.
#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>
#include <memory>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>

#include <fmt/format.h>

#include "dictlog/detail/pystr.hpp"
#include "dictlog/detail/text_out.hpp"

namespace dictlog {

// Specialise to std::true_type for a trivially copyable type whose fmt::formatter only
// reads the object's own bytes: it is then copied into the record and formatted on the
// listener thread instead of at the call.
template <class T>
struct copy_safe : std::false_type {};

namespace detail {

// Arguments up to this many encoded bytes (strings count their length + 4) cost no
// heap allocation.
inline constexpr std::size_t inline_arg_bytes = 128;

struct CapturedString {};  // tag: stored as uint32 length + bytes, decoded as string_view

template <class T>
struct ArgTraits {
  using D = std::remove_cvref_t<T>;
  static constexpr bool is_string =
      std::is_same_v<D, std::string> || std::is_same_v<D, std::string_view> ||
      std::is_same_v<std::decay_t<D>, const char*> || std::is_same_v<std::decay_t<D>, char*>;
  static constexpr bool is_scalar = std::is_arithmetic_v<D> || std::is_same_v<D, const void*> ||
                                    std::is_same_v<D, void*> || std::is_same_v<D, std::nullptr_t>;
  static constexpr bool is_copied =
      !is_string && !is_scalar && copy_safe<D>::value && std::is_trivially_copyable_v<D>;
  static constexpr bool capturable = is_string || is_scalar || is_copied;
  // What the buffer holds (and the decoder hands to fmt).
  using stored = std::conditional_t<is_string, CapturedString, std::decay_t<D>>;
};

template <class S>
struct Codec {
  using decoded = S;
  static std::size_t size(std::size_t off) {
    return (off + alignof(S) - 1) / alignof(S) * alignof(S) + sizeof(S);
  }
  template <class T>
  static std::size_t encode(std::byte* p, std::size_t off, const T& v) {
    off = (off + alignof(S) - 1) / alignof(S) * alignof(S);
    S s = static_cast<S>(v);
    std::memcpy(p + off, &s, sizeof(S));
    return off + sizeof(S);
  }
  static S decode(const std::byte* p, std::size_t& off) {
    off = (off + alignof(S) - 1) / alignof(S) * alignof(S);
    S s;
    std::memcpy(&s, p + off, sizeof(S));
    off += sizeof(S);
    return s;
  }
};

template <>
struct Codec<CapturedString> {
  using decoded = std::string_view;
  static std::string_view view(std::string_view s) { return s; }
  static std::string_view view(const char* s) { return s ? std::string_view(s) : "(null)"; }
  template <class T>
  static std::size_t size_of(std::size_t off, const T& v) {
    return (off + 3) / 4 * 4 + 4 + view(v).size();
  }
  template <class T>
  static std::size_t encode(std::byte* p, std::size_t off, const T& v) {
    std::string_view s = view(v);
    off = (off + 3) / 4 * 4;
    auto n = static_cast<std::uint32_t>(s.size());
    std::memcpy(p + off, &n, 4);
    std::memcpy(p + off + 4, s.data(), s.size());
    return off + 4 + s.size();
  }
  static std::string_view decode(const std::byte* p, std::size_t& off) {
    off = (off + 3) / 4 * 4;
    std::uint32_t n;
    std::memcpy(&n, p + off, 4);
    std::string_view s(reinterpret_cast<const char*>(p + off + 4), n);
    off += 4 + n;
    return s;
  }
};

template <class T>
std::size_t encoded_size(std::size_t off, const T& v) {
  using S = typename ArgTraits<T>::stored;
  if constexpr (std::is_same_v<S, CapturedString>)
    return Codec<S>::size_of(off, v);
  else
    return Codec<S>::size(off);
}

// Python's repr of one decoded argument, for %(args)s.
template <class D>
void append_arg_repr(const D& d, std::string& out) {
  if constexpr (std::is_same_v<D, std::string_view>) {
    append_str_repr(d, out);
  } else if constexpr (std::is_same_v<D, bool>) {
    out += d ? "True" : "False";
  } else if constexpr (std::is_same_v<D, char>) {
    append_str_repr(std::string_view(&d, 1), out);
  } else if constexpr (std::is_floating_point_v<D>) {
    append_float_repr(static_cast<double>(d), out);
  } else if constexpr (std::is_integral_v<D>) {
    fmt::format_to(std::back_inserter(out), "{}", d);
  } else if constexpr (std::is_pointer_v<D> || std::is_same_v<D, std::nullptr_t>) {
    if (d == nullptr)
      out += "None";
    else
      fmt::format_to(std::back_inserter(out), "{}", static_cast<const void*>(d));
  } else {
    fmt::format_to(std::back_inserter(out), "{}", d);
  }
}

// One instance per argument-type list: how to format and show a buffer of that list.
struct ArgVTable {
  void (*format)(const std::byte* data, std::string_view fmt, TextOut& out);
  void (*repr)(const std::byte* data, std::string& out);
  std::uint8_t count;
};

template <class... S>
struct VTableFor {
  static auto decode_all(const std::byte* p) {
    std::size_t off = 0;
    // Braced initialisation evaluates left to right: the decoders walk the buffer in order.
    return std::tuple<typename Codec<S>::decoded...>{Codec<S>::decode(p, off)...};
  }
  static void format(const std::byte* p, std::string_view f, TextOut& out) {
    auto t = decode_all(p);
    const char* at[sizeof...(S) + 1];
    if (find_plain_fields(f, sizeof...(S), at)) {
      const char* s = f.data();
      std::size_t i = 0;
      std::apply(
          [&](const auto&... a) {
            ((out.put(s, static_cast<std::size_t>(at[i] - s)), write_plain_value(a, out),
              s = at[i++] + 2),
             ...);
          },
          t);
      out.put(s, static_cast<std::size_t>(f.data() + f.size() - s));
      return;
    }
    const bool plain = std::apply(
        [&](const auto&... a) {
          const PlainArg args[] = {PlainArg{&a, &write_plain<std::remove_cvref_t<decltype(a)>>}...,
                                   PlainArg{}};
          return format_plain(f, args, sizeof...(S), out);
        },
        t);
    if (plain) return;
    // Into fmt's own buffer, then one copy.
    fmt::memory_buffer buf;
    std::apply(
        [&](auto&... a) {
          fmt::vformat_to(fmt::appender(buf), fmt::string_view(f.data(), f.size()),
                          fmt::make_format_args(a...));
        },
        t);
    out.put(buf.data(), buf.size());
  }
  static void repr(const std::byte* p, std::string& out) {
    auto t = decode_all(p);
    out += '(';
    std::size_t i = 0;
    std::apply(
        [&](const auto&... a) { ((out += (i++ ? ", " : ""), append_arg_repr(a, out)), ...); }, t);
    if (sizeof...(S) == 1) out += ',';
    out += ')';
  }
  static constexpr ArgVTable table{&format, &repr, static_cast<std::uint8_t>(sizeof...(S))};
};

// The captured arguments of one record. Copying copies bytes: everything stored is
// trivially copyable.
class ArgPack {
 public:
  ArgPack() = default;
  ArgPack(const ArgPack& o) { assign(o); }
  ArgPack& operator=(const ArgPack& o) {
    if (this != &o) assign(o);
    return *this;
  }
  ArgPack(ArgPack&& o) noexcept { steal(o); }
  ArgPack& operator=(ArgPack&& o) noexcept {
    if (this != &o) steal(o);
    return *this;
  }

  template <class... A>
  void capture(const A&... a) {
    static_assert((ArgTraits<A>::capturable && ...));
    vt_ = encode_to(reserve(encoded_size_of(a...)), a...);
  }

  // capture() in two steps, for a caller that stores the bytes elsewhere (a queue's
  // per-thread buffer): how many bytes, then encode into `p` and return the decoder.
  template <class... A>
  static std::size_t encoded_size_of(const A&... a) {
    std::size_t n = 0;
    ((n = encoded_size(n, a)), ...);
    return n;
  }
  template <class... A>
  static const ArgVTable* encode_to(std::byte* p, const A&... a) {
    std::size_t off = 0;
    ((off = Codec<typename ArgTraits<A>::stored>::encode(p, off, a)), ...);
    return &VTableFor<typename ArgTraits<A>::stored...>::table;
  }
  // The arguments encode_to wrote, copied in.
  void assign_raw(const ArgVTable* vt, const std::byte* p, std::size_t n) {
    vt_ = vt;
    auto* d = reinterpret_cast<char*>(reserve(n));
    // Mostly a few numbers: a libc call would cost more than the copy.
    if (n <= 32)
      copy_short(d, reinterpret_cast<const char*>(p), n);
    else
      std::memcpy(d, p, n);
  }

  bool empty() const { return vt_ == nullptr || vt_->count == 0; }
  std::size_t count() const { return vt_ ? vt_->count : 0; }
  void clear() {
    vt_ = nullptr;
    heap_.reset();
    size_ = 0;
  }
  bool on_heap() const { return heap_ != nullptr; }

  // fmt-formats `fmt` with the captured arguments, appending to out. Throws fmt::format_error
  // for a runtime format string that does not fit them.
  void format_to(std::string_view fmt, TextOut& out) const { vt_->format(data(), fmt, out); }
  void format_to(std::string_view fmt, std::string& out) const {
    StringOut o(out);
    format_to(fmt, o);
  }
  // Python's repr of the args tuple: "()", "('w',)", "(1, 'x')".
  void repr_to(std::string& out) const {
    if (empty())
      out += "()";
    else
      vt_->repr(data(), out);
  }

 private:
  const std::byte* data() const { return heap_ ? heap_.get() : inline_; }
  std::byte* reserve(std::size_t n) {
    size_ = n;
    if (n <= inline_arg_bytes) {
      heap_.reset();
      return inline_;
    }
    heap_.reset(new std::byte[n]);
    return heap_.get();
  }
  void assign(const ArgPack& o) {
    vt_ = o.vt_;
    std::memcpy(reserve(o.size_), o.data(), o.size_);
  }
  void steal(ArgPack& o) noexcept {
    vt_ = o.vt_;
    size_ = o.size_;
    heap_ = std::move(o.heap_);
    if (!heap_) std::memcpy(inline_, o.inline_, size_);
    o.vt_ = nullptr;
    o.size_ = 0;
  }

  const ArgVTable* vt_ = nullptr;
  std::size_t size_ = 0;
  std::unique_ptr<std::byte[]> heap_;
  alignas(16) std::byte inline_[inline_arg_bytes];
};

}  // namespace detail
}  // namespace dictlog
