// libFuzzer target over the three format-string parsers and formatting with them: the
// first byte picks the style (%, { or $) and whether Python's validation runs, the rest is
// split at the first NUL into a format and a datefmt. A format is either refused with a
// dictlog::Error (ValueError, as Python) or compiled; a compiled one formats records whose
// attributes and extras cover every kind of value, raising only what Python raises at emit
// time (dictlog errors). Anything else (a crash, a hang, a leak, a foreign exception)
// fails.
//
// Built by tools/fuzz.sh (meson -Dfuzz=true, clang, ASan+UBSan):
//   build-fuzz/tests/fuzz/fuzz_format [-dict=tests/fuzz/format.dict] CORPUS_DIR...
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <limits>
#include <optional>
#include <string>

#include "dictlog/errors.hpp"
#include "dictlog/formatter.hpp"
#include "dictlog/record.hpp"
#include "dictlog/value.hpp"

namespace {

[[noreturn]] void foreign(const char* what) {
  std::fprintf(stderr, "fuzz_format: unexpected exception: %s\n", what);
  std::abort();
}

const dictlog::LogRecord& record(int which) {
  using dictlog::Value;
  static const dictlog::LogRecord plain = dictlog::make_log_record(
      {{"name", "app.db"}, {"msg", "plain message"}, {"levelno", 20}, {"levelname", "INFO"}});
  static const dictlog::LogRecord rich = dictlog::make_log_record(
      {{"name", "app"},
       {"msg", "caf\xc3\xa9 \xf0\x9f\x98\x80"},
       {"levelno", 40},
       {"levelname", "ERROR"},
       {"user", "ann"},
       {"n", 42},
       {"big", Value(static_cast<std::int64_t>(-9223372036854775807LL - 1))},
       {"x", 2.5},
       {"nan", Value(std::numeric_limits<double>::quiet_NaN())},
       {"flag", true},
       {"none", Value()},
       {"ids", Value::list({1, "two", 3.0})},
       {"ctx", Value::dict({{"k", "v"}, {"n", Value::list({})}})}});
  return which ? rich : plain;
}

// The same bytes as a log call's message must have as fmt's own: dictlog formats "{}"-only
// messages without fmt's parser and hands the rest to fmt, so any text is checked against
// fmt::format, errors included.
void same_message_as_fmt(const std::string& f) {
  // fmt pads to any width it is given ("{:833333333}" is an 833 MB message, which fmt
  // itself takes seconds to write under the sanitizers): widths of five digits or more are
  // fmt's own cost, not a parser's, and are left out.
  int digits = 0;
  for (char c : f)
    if ((digits = (c >= '0' && c <= '9') ? digits + 1 : 0) >= 5) return;
  const std::string arg = "s\xc3\xa9{}";
  dictlog::LogRecord r;
  r.set_msg_copy(f);
  r.capture_args(-7, arg, 2.5, true, 'c', std::numeric_limits<unsigned long long>::max());
  std::optional<std::string> want;
  try {
    want = fmt::format(fmt::runtime(f), -7, arg, 2.5, true, 'c',
                       std::numeric_limits<unsigned long long>::max());
  } catch (const fmt::format_error&) {
  }
  try {
    const std::string got = r.get_message();
    if (!want || got != *want) foreign("a message fmt formats differently or refuses");
  } catch (const fmt::format_error&) {
    if (want) foreign("a message fmt formats was refused");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const char style = "%{$"[data[0] % 3];
  const bool validate = (data[0] & 4) != 0;
  std::string rest(reinterpret_cast<const char*>(data + 1), size - 1);
  std::optional<std::string> datefmt;
  if (auto nul = rest.find('\0'); nul != std::string::npos) {
    datefmt = rest.substr(nul + 1);
    rest.resize(nul);
  }
  // dictlog refuses a width or precision past 1,000,000 (kMaxFieldWidth); one just under it
  // still makes each record that long, so inputs with many such numbers (eight fields of a
  // megabyte each, for two records) are left out to stay within the fuzzer's memory limit.
  int digits = 0, long_numbers = 0;
  for (char c : rest) {
    digits = (c >= '0' && c <= '9') ? digits + 1 : 0;
    if (digits == 6 && ++long_numbers > 8) return 0;
  }
  try {
    dictlog::Formatter f(rest, datefmt, style, validate);
    for (int which : {0, 1}) {
      try {
        std::string out = f.format(record(which));
        f.format_to(record(which), out);
      } catch (const dictlog::Error&) {
        // Python raises at emit time too (a missing field, a bad conversion).
      }
    }
  } catch (const dictlog::Error&) {
    // Refused at construction, as Python's validation or style check refuses it.
  } catch (const std::exception& e) {
    foreign(e.what());
  } catch (...) {
    foreign("not a std::exception");
  }
  same_message_as_fmt(rest);
  return 0;
}
