// Writing a message's text: TextOut, the free run of the text's final storage, and the
// "{}"-only fast path that writes a captured argument list into it without fmt's parser.
//
//   std::string m;
//   dictlog::detail::StringOut out(m);
//   out.put("n=", 2);
//   char* w = out.room(24);
//   out.commit(dictlog::detail::write_decimal(w, 42u));  // m is "n=42" once out is gone
//
// Used by one thread at a time (the one formatting the record).
#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>
#include <string>
#include <string_view>
#include <type_traits>

#include <fmt/format.h>

namespace dictlog::detail {

// Copies n <= 32 bytes as two overlapping moves: the runs between fields, an asctime and
// most messages are that short, and a call to memcpy costs more than such a copy.
inline void copy_short(char* d, const char* s, std::size_t n) {
  if (n > 16) {
    char a[16], b[16];
    std::memcpy(a, s, 16);
    std::memcpy(b, s + n - 16, 16);
    std::memcpy(d, a, 16);
    std::memcpy(d + n - 16, b, 16);
  } else if (n >= 8) {
    std::uint64_t a, b;
    std::memcpy(&a, s, 8);
    std::memcpy(&b, s + n - 8, 8);
    std::memcpy(d, &a, 8);
    std::memcpy(d + n - 8, &b, 8);
  } else if (n >= 4) {
    std::uint32_t a, b;
    std::memcpy(&a, s, 4);
    std::memcpy(&b, s + n - 4, 4);
    std::memcpy(d, &a, 4);
    std::memcpy(d + n - 4, &b, 4);
  } else if (n > 0) {
    d[0] = s[0];
    d[n / 2] = s[n / 2];
    d[n - 1] = s[n - 1];
  }
}

// Where a message is written while it is formatted: the free run [w_, end_) of its final
// storage, so that each piece costs one copy there. grow() makes room and keeps what was
// written; written() and rewind() let a formatter that gives up take its bytes back.
class TextOut {
 public:
  TextOut(const TextOut&) = delete;
  TextOut& operator=(const TextOut&) = delete;
  void put(const char* p, std::size_t n) {
    if (n > static_cast<std::size_t>(end_ - w_)) [[unlikely]]
      make_room(n);
    if (n <= 32)
      copy_short(w_, p, n);
    else
      std::memcpy(w_, p, n);
    w_ += n;
  }
  // Room for n bytes at the returned pointer; commit(end) after writing them.
  char* room(std::size_t n) {
    if (n > static_cast<std::size_t>(end_ - w_)) [[unlikely]]
      make_room(n);
    return w_;
  }
  void commit(char* end) { w_ = end; }
  std::size_t written() const { return moved_ + static_cast<std::size_t>(w_ - start_); }
  // Drops what was written after written() returned n.
  virtual void rewind(std::size_t n) = 0;

 protected:
  TextOut() = default;
  ~TextOut() = default;
  // At least n bytes free at w_ afterwards, the text written so far kept.
  virtual void grow(std::size_t n) = 0;
  // grow() behind a call the compiler may not inline: it would otherwise guess the
  // subclass, inline its grow into every writer and make each save registers it rarely needs.
  [[gnu::noinline]] void make_room(std::size_t n) { grow(n); }

  char* start_ = nullptr;  // where the text in [start_, w_) begins
  char* w_ = nullptr;
  char* end_ = nullptr;
  std::size_t moved_ = 0;  // bytes written before start_, kept elsewhere
};

// A TextOut appending to a std::string: through a buffer on the formatting thread's stack,
// moved into the string when it fills and at the end, so that each piece costs a copy and
// not a string append. A piece longer than the buffer goes into the string directly.
class StringOut final : public TextOut {
 public:
  explicit StringOut(std::string& out) : out_(out), base_(out.size()) { use_buffer(); }
  ~StringOut() { finish(); }
  // Everything written is in the string.
  void finish() {
    if (in_string_)
      out_.resize(static_cast<std::size_t>(w_ - out_.data()));
    else
      out_.append(buf_, static_cast<std::size_t>(w_ - buf_));
    use_buffer();
  }
  void rewind(std::size_t n) override {
    finish();
    out_.resize(base_ + n);
    moved_ = n;
  }

 private:
  void use_buffer() {
    in_string_ = false;
    moved_ = out_.size() - base_;
    start_ = w_ = buf_;
    end_ = buf_ + sizeof buf_;
  }
  void grow(std::size_t n) override {
    finish();
    if (n <= sizeof buf_) return;
    const std::size_t at = out_.size();
    out_.resize(at + n);
    in_string_ = true;
    start_ = w_ = out_.data() + at;
    end_ = w_ + n;
  }

  std::string& out_;
  const std::size_t base_;
  bool in_string_ = false;
  char buf_[256];
};

// One decoded argument of a message whose fields are all "{}": the value and how fmt's
// "{}" writes it.
struct PlainArg {
  const void* value;
  void (*write)(const void* value, TextOut& out);
};

// fmt::format(f, args...) when every replacement field of `f` is "{}" and "{{" its only
// escape, appended to `out`: true. Anything else (an index, a spec, "}}", too few
// arguments) leaves `out` as it was and returns false, for fmt itself to format (or
// reject) the whole message. Logs are mostly "{}": this skips fmt's parse of each field.
bool format_plain(std::string_view f, const PlainArg* args, std::size_t n, TextOut& out);

// Where the fields of `f` start when it has exactly n of them, each "{}", and no other
// brace: at[i] is the i-th field's '{'. False otherwise (format_plain takes "{{" and fewer
// fields, fmt the rest). With it, an argument list's own code writes the message, each
// argument's writer inlined, where format_plain calls one through a pointer.
bool find_plain_fields(std::string_view f, std::size_t n, const char** at);

template <class D>
inline constexpr bool is_plain_int =
    std::is_same_v<D, short> || std::is_same_v<D, unsigned short> || std::is_same_v<D, int> ||
    std::is_same_v<D, unsigned> || std::is_same_v<D, long> || std::is_same_v<D, unsigned long> ||
    std::is_same_v<D, long long> || std::is_same_v<D, unsigned long long>;

inline constexpr char kDigitPairs[] =
    "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
    "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
    "8081828384858687888990919293949596979899";

// fmt's "{}" of an unsigned integer at `w`, its end returned: the digit count from the
// highest bit, then two digits at a time from the end (fewer steps than std::to_chars'
// length loop).
template <class U>
char* write_decimal(char* w, U v) {
  static constexpr std::uint64_t pow10[] = {1ULL,
                                            10ULL,
                                            100ULL,
                                            1000ULL,
                                            10000ULL,
                                            100000ULL,
                                            1000000ULL,
                                            10000000ULL,
                                            100000000ULL,
                                            1000000000ULL,
                                            10000000000ULL,
                                            100000000000ULL,
                                            1000000000000ULL,
                                            10000000000000ULL,
                                            100000000000000ULL,
                                            1000000000000000ULL,
                                            10000000000000000ULL,
                                            100000000000000000ULL,
                                            1000000000000000000ULL,
                                            10000000000000000000ULL};
  // v | 1 has v's digit count (a power of ten is even) and one digit for 0.
  const U odd = v | 1;
  const int log = ((std::numeric_limits<U>::digits - std::countl_zero(odd)) * 1233) >> 12;
  char* const end = w + log + (odd >= pow10[log]);
  char* p = end;
  while (v >= 100) {
    p -= 2;
    std::memcpy(p, kDigitPairs + static_cast<std::size_t>(v % 100) * 2, 2);
    v /= 100;
  }
  if (v >= 10)
    std::memcpy(p - 2, kDigitPairs + static_cast<std::size_t>(v) * 2, 2);
  else
    p[-1] = static_cast<char>('0' + v);
  return end;
}

// fmt's "{}" of d, appended to out.
template <class D>
inline void write_plain_value(const D& d, TextOut& out) {
  if constexpr (std::is_same_v<D, std::string_view>) {
    out.put(d.data(), d.size());
  } else if constexpr (is_plain_int<D>) {
    using U = std::conditional_t<sizeof(D) <= 4, std::uint32_t, std::uint64_t>;
    char* w = out.room(24);
    U u = static_cast<U>(d);
    if constexpr (std::is_signed_v<D>) {
      if (d < 0) {
        *w++ = '-';
        u = U(0) - u;
      }
    }
    out.commit(write_decimal(w, u));
  } else {
    fmt::memory_buffer buf;
    fmt::format_to(fmt::appender(buf), "{}", d);
    out.put(buf.data(), buf.size());
  }
}

template <class D>
void write_plain(const void* p, TextOut& out) {
  write_plain_value(*static_cast<const D*>(p), out);
}

}  // namespace dictlog::detail
