// Formatter and BufferingFormatter: Python's logging.Formatter, byte for byte.
#include "dictlog/formatter.hpp"

#include <array>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <ctime>
#include <typeinfo>

#include "dictlog/errors.hpp"
#include "format/format_template.hpp"

namespace dictlog {

namespace {

// render_plain's asctime when the format has none (a static, so no per-call guard check).
const std::string no_time;

const char* default_format(char style) {
  switch (style) {
    case '{':
      return "{message}";
    case '$':
      return "${message}";
    default:
      return "%(message)s";
  }
}

bool contains(std::string_view s, std::string_view what) {
  return s.find(what) != std::string_view::npos;
}

// time.strftime: grow the buffer until the text fits; an empty result is legitimate.
void append_strftime(const std::string& format, const std::tm& tm, std::string& out) {
  if (format.empty()) return;
  std::size_t start = out.size();
  std::size_t size = format.size() * 4 + 64;
  for (;;) {
    out.resize(start + size);
    std::size_t n = std::strftime(out.data() + start, size, format.c_str(), &tm);
    if (n > 0 || size >= format.size() * 256 + 256) {
      out.resize(start + n);
      return;
    }
    size *= 2;
  }
}

// The last second rendered on this thread, per formatter slot: no lock, no copy. Keyed by
// content (second, converter, strftime format, msecs or not), so a slot shared by two
// formatters, or reused after one is destroyed, only costs a strftime.
struct LocalTime {
  std::int64_t second = 0;
  // second's first ns, when its records can take the integer path (second_and_msecs): a
  // record then belongs here if it lies within the first 999 ms after it.
  std::int64_t start_ns = 0;
  bool fast = false;
  bool valid = false;
  bool utc = false;
  bool msecs = false;    // text ends in ",mmm", rewritten in place for each record
  std::size_t base = 0;  // length of the strftime part
  std::string format;
  std::string text;
};
constexpr std::size_t kTimeSlots = 4;
// The slots are reached through a pointer set on a thread's first use: the array's own
// first-use guard is a thread-local the compiler reaches through __tls_get_addr on every
// access, where this pointer is one load.
[[gnu::tls_model("initial-exec")]] constinit thread_local LocalTime* t_times = nullptr;
[[gnu::noinline]] LocalTime* thread_times() {
  thread_local LocalTime times[kTimeSlots];
  return t_times = times;
}

// Python's default_msec_format, compared as one word (its terminating NUL included).
bool is_plain_msec_format(const std::string& f) {
  if (f.size() != 7) return false;
  std::uint64_t word, plain;
  std::memcpy(&word, f.c_str(), 8);
  std::memcpy(&plain, "%s,%03d", 8);
  return word == plain;
}

// a == b without a memcmp call for the formats a time cache holds (8 to 32 bytes): the call
// costs more than comparing them a word at a time.
bool same_text(const std::string& a, const std::string& b) {
  const std::size_t n = a.size();
  if (n != b.size()) return false;
  if (n < 8 || n > 32) return std::memcmp(a.data(), b.data(), n) == 0;
  std::uint64_t x, y, diff = 0;
  for (std::size_t i = 0; i + 8 < n; i += 8) {
    std::memcpy(&x, a.data() + i, 8);
    std::memcpy(&y, b.data() + i, 8);
    diff |= x ^ y;
  }
  std::memcpy(&x, a.data() + n - 8, 8);
  std::memcpy(&y, b.data() + n - 8, 8);
  return (diff | (x ^ y)) == 0;
}

// Seconds whose records take the integer path of second_and_msecs: before 4e18 ns.
constexpr std::int64_t kFastSeconds = 4'000'000'000;

// Fills a slot that did not hold `second` in `tfmt`: out of line, so that the check that
// finds it does (every record but one a second) has no frame to build.
[[gnu::noinline]] void fill_time(LocalTime& c, std::int64_t second, bool utc, bool msecs,
                                 const std::string& tfmt) {
  std::time_t t = static_cast<std::time_t>(second);
  std::tm tm{};
  if (utc)
    gmtime_r(&t, &tm);
  else
    localtime_r(&t, &tm);
  c.text.clear();
  append_strftime(tfmt, tm, c.text);
  c.base = c.text.size();
  if (msecs) c.text += ",000";
  c.second = second;
  c.fast = second >= 0 && second < kFastSeconds;
  c.start_ns = c.fast ? second * 1'000'000'000 : 0;
  c.utc = utc;
  c.msecs = msecs;
  c.format = tfmt;
  c.valid = true;
}

// The strftime text for `second`, followed by ",000" when `msecs`, from this thread's cache.
inline LocalTime& cached_time(const void* owner, std::int64_t second, bool utc, bool msecs,
                              const std::string& tfmt) {
  LocalTime* times = t_times;
  if (!times) [[unlikely]]
    times = thread_times();
  LocalTime& c = times[(reinterpret_cast<std::uintptr_t>(owner) >> 4) % kTimeSlots];
  if (!(c.valid && c.second == second && c.utc == utc && c.msecs == msecs &&
        same_text(c.format, tfmt))) [[unlikely]]
    fill_time(c, second, utc, msecs, tfmt);
  return c;
}

// What formatTime takes from the record: floor(record.created) and record.msecs. From the
// integer ns where the float gives the same: before 4e18 ns (the year 2096) a whole
// second's ns is exact as a double, so created = ns / 1e9 is never below the second, and
// while the fraction is below .999 s it cannot round up into the next one. Otherwise (and
// later, where Python's float shows the second before), Python's own arithmetic.
struct SecondAndMsecs {
  std::int64_t second;
  unsigned msecs;
};
inline SecondAndMsecs second_and_msecs(std::int64_t created_ns) {
  if (created_ns >= 0 && created_ns < kFastSeconds * 1'000'000'000) {
    const auto ns = static_cast<std::uint64_t>(created_ns);
    const std::uint64_t fraction = ns % 1'000'000'000;
    if (fraction < 999'000'000)
      return {static_cast<std::int64_t>(ns / 1'000'000'000),
              static_cast<unsigned>(fraction / 1'000'000)};
  }
  LogRecord r;  // rare: LogRecord's created() and msecs() say what Python's floats give
  r.created_ns = created_ns;
  return {static_cast<std::int64_t>(std::floor(r.created())), static_cast<unsigned>(r.msecs())};
}

// ",000" .. ",999": the ",mmm" of Python's "%s,%03d" % (text, msecs), one load per record.
constexpr auto kMsecsText = [] {
  std::array<std::array<char, 4>, 1000> t{};
  for (unsigned ms = 0; ms < 1000; ++ms)
    t[ms] = {',', static_cast<char>('0' + ms / 100), static_cast<char>('0' + ms / 10 % 10),
             static_cast<char>('0' + ms % 10)};
  return t;
}();

// Python's "%s,%03d" % (text, msecs) for the record's msecs, over the ",mmm" at `p`.
void put_msecs(unsigned msecs, char* p) {
  std::memcpy(p, kMsecsText[msecs % 1000].data(), 4);
}

}  // namespace

Formatter::Formatter(std::optional<std::string> fmt, std::optional<std::string> datefmt, char style,
                     bool validate, dictlog::extra defaults)
    : datefmt_(std::move(datefmt)), style_(style), defaults_(std::move(defaults)) {
  if (style != '%' && style != '{' && style != '$') throw ValueError("Style must be one of: %,{,$");
  fmt_ = (fmt && !fmt->empty()) ? *fmt : std::string(default_format(style));
  compiled_ = std::make_unique<detail::CompiledFormat>();
  compiled_->style = style;
  switch (style) {
    case '%':
      if (validate && !detail::percent_validates(fmt_))
        throw ValueError("Invalid format '" + fmt_ + "' for '%' style");
      compiled_->percent = detail::compile_percent(fmt_);
      uses_time_ = contains(fmt_, "%(asctime)");
      break;
    case '{':
      compiled_->brace = detail::compile_brace(fmt_, validate);
      uses_time_ = contains(fmt_, "{asctime");
      break;
    default:
      compiled_->dollar = detail::compile_dollar(fmt_, validate);
      uses_time_ = contains(fmt_, "$asctime") || contains(fmt_, "${asctime}");
      break;
  }
  detail::check_field_widths(*compiled_);
  compiled_->plain = detail::plain_steps(*compiled_);
}

Formatter::~Formatter() = default;

std::string Formatter::format_time(const LogRecord& record,
                                   const std::optional<std::string>& datefmt) const {
  // converter(record.created): Python floors the float seconds.
  const SecondAndMsecs when = second_and_msecs(record.created_ns);
  bool custom = datefmt && !datefmt->empty();
  if (!custom && !default_time_format)
    throw TypeError("strftime() argument 1 must be str, not None");
  const std::string& tfmt = custom ? *datefmt : *default_time_format;
  const LocalTime& c = cached_time(this, when.second, utc_, false, tfmt);
  std::string s = c.text;
  if (custom || !default_msec_format || default_msec_format->empty()) return s;
  if (is_plain_msec_format(*default_msec_format)) {
    s.resize(s.size() + 4);
    put_msecs(when.msecs, s.data() + s.size() - 4);
    return s;
  }
  // Any other msec format: Python's `default_msec_format % (s, msecs)`.
  detail::PercentFormat pf = detail::compile_percent(*default_msec_format);
  detail::PyVal items[2];
  items[0] = detail::PyVal::of_str(s);
  items[1].kind = detail::PyVal::floating;
  items[1].d = when.msecs;
  detail::PercentArgs args;
  args.items = items;
  args.count = 2;
  std::string out;
  detail::render_percent(pf, args, out);
  return out;
}

namespace {

void substitute(const detail::CompiledFormat& c, const LogRecord& record,
                const dictlog::extra& defaults, const std::string* asctime, std::string& out) {
  detail::FieldSource src(record, defaults, asctime);
  switch (c.style) {
    case '%': {
      detail::PercentArgs args;
      args.mapping = &src;
      detail::render_percent(c.percent, args, out);
      break;
    }
    case '{':
      detail::render_brace(*c.brace, src, out);
      break;
    default:
      detail::render_dollar(c.dollar, src, out);
      break;
  }
}

void append_section(std::string& out, std::size_t start, const std::string& text) {
  if (text.empty()) return;
  if (out.size() == start || out.back() != '\n') out += '\n';
  out += text;
}

}  // namespace

const std::string* Formatter::cached_asctime(const LogRecord& record,
                                             const std::type_info& exact) const {
  // format_time may be overridden (Python's formatTime): it then runs itself.
  if (typeid(*this) != exact) [[unlikely]]
    return nullptr;
  return cached_asctime_at(record.created_ns);
}

const std::string* Formatter::cached_asctime_at(std::int64_t created_ns) const {
  // An unusual msec format needs Python's % formatting: format_time does it.
  bool custom = datefmt_ && !datefmt_->empty();
  bool msecs = false;
  if (!custom) {
    if (!default_time_format) return nullptr;
    if (default_msec_format && !default_msec_format->empty()) {
      if (!is_plain_msec_format(*default_msec_format)) return nullptr;
      msecs = true;
    }
  }
  const std::string& tfmt = custom ? *datefmt_ : *default_time_format;
  // The record within the first 999 ms of the second this thread's slot holds: its msecs
  // are the ns past the second's start, with no division of the whole time.
  LocalTime* times = t_times;
  if (times) [[likely]] {
    LocalTime& c = times[(reinterpret_cast<std::uintptr_t>(this) >> 4) % kTimeSlots];
    const auto into =
        static_cast<std::uint64_t>(created_ns) - static_cast<std::uint64_t>(c.start_ns);
    if (into < 999'000'000 && c.fast && c.valid && c.utc == utc_ && c.msecs == msecs &&
        same_text(c.format, tfmt)) [[likely]] {
      if (msecs) put_msecs(static_cast<unsigned>(into / 1'000'000), c.text.data() + c.base);
      return &c.text;
    }
  }
  const SecondAndMsecs when = second_and_msecs(created_ns);
  LocalTime& c = cached_time(this, when.second, utc_, msecs, tfmt);
  if (msecs) put_msecs(when.msecs, c.text.data() + c.base);
  return &c.text;
}

bool Formatter::format_call_to(const detail::CallFields& c, std::string& out) const {
  if (typeid(*this) != typeid(Formatter) || !compiled_->plain || compiled_->plain->padded)
    return false;
  const std::string* asctime = nullptr;
  if (uses_time_) {
    asctime = cached_asctime_at(c.created_ns);
    if (!asctime) return false;
  } else if (compiled_->plain->needs_asctime) {
    return false;
  }
  const std::size_t start = out.size();
  try {
    detail::render_plain_call(*compiled_->plain, c, asctime ? *asctime : no_time, out);
  } catch (...) {
    out.resize(start);  // format_to() will say why
    return false;
  }
  return true;
}

std::string Formatter::format_message(const LogRecord& record) const {
  std::string out;
  std::optional<std::string> asctime;
  if (uses_time_) asctime = format_time(record, datefmt_);
  substitute(*compiled_, record, defaults_, asctime ? &*asctime : nullptr, out);
  return out;
}

void Formatter::format_to(const LogRecord& record, std::string& out) const {
  std::size_t start = out.size();
  record.message_text();  // Python's record.message = record.getMessage(): it may raise
  // asctime from this thread's cache when it can be, else a string of its own.
  std::optional<std::string> own_asctime;
  const std::string* asctime = nullptr;
  if (uses_time_) {
    asctime = cached_asctime(record, typeid(Formatter));
    if (!asctime) {
      own_asctime = format_time(record, datefmt_);
      asctime = &*own_asctime;
    }
  }
  // Python sets record.message and record.asctime before it substitutes.
  record.message_set = true;
  if (asctime) record.asctime.assign(*asctime);
  try {
    if (compiled_->plain && (asctime || !compiled_->plain->needs_asctime))
      detail::render_plain(*compiled_->plain, record, asctime ? *asctime : no_time, out);
    else
      substitute(*compiled_, record, defaults_, asctime, out);
  } catch (...) {
    out.resize(start);
    throw;
  }
  if (record.exc_text) {
    // Python renders exc_info once and caches it on the record as exc_text.
    if (!record.exc_formatted) {
      record.exc_formatted = true;
      append_section(out, start, format_exception(*record.exc_text));
    } else {
      append_section(out, start, *record.exc_text);
    }
  }
  if (record.stack_info) append_section(out, start, format_stack(*record.stack_info));
}

std::string Formatter::format(const LogRecord& record) const {
  std::string out;
  format_to(record, out);
  return out;
}

BufferingFormatter::BufferingFormatter(std::shared_ptr<const Formatter> linefmt)
    : linefmt_(std::move(linefmt)) {
  if (!linefmt_) {
    static const auto default_formatter = std::make_shared<const Formatter>();
    linefmt_ = default_formatter;
  }
}

std::string BufferingFormatter::format(const std::vector<const LogRecord*>& records) const {
  std::string rv;
  if (!records.empty()) {
    rv += format_header(records);
    for (const LogRecord* r : records) linefmt_->format_to(*r, rv);
    rv += format_footer(records);
  }
  return rv;
}

}  // namespace dictlog
