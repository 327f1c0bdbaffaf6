// Formatter: turns a record into text with a `%`, `{` or `$` style format, as Python's
// logging.Formatter does, byte for byte.
//
// The format is parsed and validated once, at construction, into a template; format()
// only walks it. Time fields use a per-thread cache of the last second rendered, so that
// format_to() (asctime included) allocates nothing once its thread is warm.
//
//   dictlog::Formatter f("%(asctime)s %(levelname)-8s %(name)s: %(message)s");
//   dictlog::Formatter g("{levelname:<8} {message}", std::nullopt, '{');
//   std::string line = f.format(record);
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <typeinfo>
#include <vector>

#include "dictlog/record.hpp"
#include "dictlog/value.hpp"

namespace dictlog {

namespace detail {
struct CompiledFormat;  // the parsed template; lib/src/format/format_template.hpp
struct ArgVTable;       // detail/capture.hpp

// A queued logging call's fields, for a consumer that writes its line without building its
// LogRecord (QueueListener's direct path): the values the record would hold, and its
// message, which is `msg` formatted with the arguments encoded at `args` (decoded by `vt`),
// or `msg` itself when there are none.
struct CallFields {
  std::string_view name, levelname, pathname, func, msg;
  int levelno = 0;
  std::uint32_t lineno = 0;
  std::int64_t created_ns = 0;
  const ArgVTable* vt = nullptr;
  const std::byte* args = nullptr;
  const std::byte* extras = nullptr;  // the call's `extra` (detail/call_extras.hpp), if any
};
}  // namespace detail

class Formatter {
 public:
  // Python's Formatter(fmt=None, datefmt=None, style='%', validate=True, defaults=None).
  // An empty or absent fmt means the style's "%(message)s"; throws ValueError for a bad
  // style ("Style must be one of: %,{,$") and, with validate, for every format Python's
  // validation rejects, with Python's message.
  explicit Formatter(std::optional<std::string> fmt = std::nullopt,
                     std::optional<std::string> datefmt = std::nullopt, char style = '%',
                     bool validate = true, dictlog::extra defaults = {});
  virtual ~Formatter();
  Formatter(const Formatter&) = delete;
  Formatter& operator=(const Formatter&) = delete;

  // Python's format(record): message, asctime if the format uses it, the substitution,
  // then exception text and stack info on their own lines. Throws what Python raises at
  // emit time (ValueError "Formatting field not found in record: 'foo'", TypeError, ...),
  // for the handler to pass to handle_error.
  virtual std::string format(const LogRecord& record) const;
  // The same, appended to `out` (the listener's batched path).
  virtual void format_to(const LogRecord& record, std::string& out) const;
  // Whether format() is format_to() into a new string, so that a handler may append in
  // place: true for Formatter and for a library class that overrides format_to() alone
  // (format_to_type() names it), false for any class derived further, which may override
  // format() alone as Python's subclasses do.
  bool formats_in_place() const {
    const std::type_info& t = typeid(*this);
    return t == typeid(Formatter) || t == format_to_type();
  }

  // Appends the line format_to() would append for the record of the call `c`, when that
  // line depends on the call's fields alone: this object is exactly a Formatter, its format
  // uses only name, levelname, message and asctime with no widths, and asctime comes from
  // the thread's cache. Otherwise, or when the message does not format, returns false with
  // `out` unchanged: the call's record then goes through format_to(), which reports it.
  // JsonFormatter has its own.
  virtual bool format_call_to(const detail::CallFields& c, std::string& out) const;

  // Python's formatTime: strftime(datefmt) if datefmt is set, else
  // default_time_format then default_msec_format % (text, msecs).
  virtual std::string format_time(const LogRecord& record,
                                  const std::optional<std::string>& datefmt) const;
  virtual std::string format_exception(const std::string& exc_text) const { return exc_text; }
  virtual std::string format_stack(const std::string& stack_info) const { return stack_info; }
  // Python's formatMessage: the substitution alone (asctime computed if used).
  std::string format_message(const LogRecord& record) const;

  bool uses_time() const { return uses_time_; }
  char style() const { return style_; }
  const std::string& fmt() const { return fmt_; }
  const std::optional<std::string>& datefmt() const { return datefmt_; }
  const dictlog::extra& defaults() const { return defaults_; }

  // Python's `converter`: local time by default; utc=true is time.gmtime.
  void set_utc(bool utc) { utc_ = utc; }
  bool utc() const { return utc_; }
  // Python's class attributes, settable per instance (dictConfig's "." key).
  std::optional<std::string> default_time_format{"%Y-%m-%d %H:%M:%S"};
  std::optional<std::string> default_msec_format{"%s,%03d"};

 protected:
  // The class whose format() is its format_to(): a library formatter that overrides
  // format_to() alone returns its own typeid.
  virtual const std::type_info& format_to_type() const { return typeid(Formatter); }
  // format_time()'s text from this thread's cache (valid until the thread's next time
  // formatting) when this object is exactly of type `exact`, the calling class, whose
  // format_time() is Formatter's; nullptr when format_time() itself must run (a subclass
  // that may override it, an unusual default_msec_format, no default_time_format).
  const std::string* cached_asctime(const LogRecord& record, const std::type_info& exact) const;
  // cached_asctime() for a record created at `created_ns`, the type already checked.
  const std::string* cached_asctime_at(std::int64_t created_ns) const;

 private:
  std::string fmt_;
  std::optional<std::string> datefmt_;
  char style_;
  dictlog::extra defaults_;
  bool uses_time_ = false;
  bool utc_ = false;
  std::unique_ptr<detail::CompiledFormat> compiled_;
};

// Python's BufferingFormatter: header + each record through linefmt + footer.
class BufferingFormatter {
 public:
  explicit BufferingFormatter(std::shared_ptr<const Formatter> linefmt = nullptr);
  virtual ~BufferingFormatter() = default;
  virtual std::string format_header(const std::vector<const LogRecord*>&) const { return ""; }
  virtual std::string format_footer(const std::vector<const LogRecord*>&) const { return ""; }
  std::string format(const std::vector<const LogRecord*>& records) const;

 private:
  std::shared_ptr<const Formatter> linefmt_;
};

}  // namespace dictlog
