// LogRecord: one logging event, with every attribute Python's formatters can name.
//
// Loggers create records; handlers, filters and formatters read them. A record captures
// rather than formats: the message is built from `msg` and the captured arguments the
// first time something asks for it (get_message), usually a formatter on the handler's
// or the listener's thread. Strings a record points to (logger and level names, source
// location) live for the whole process, so copying a record is cheap.
//
//   dictlog::LogRecord r = dictlog::make_log_record({{"name", "app"}, {"msg", "hi"}});
//   r.get_message();                                   // "hi"
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "dictlog/source_location.hpp"

#include "dictlog/detail/capture.hpp"
#include "dictlog/level.hpp"
#include "dictlog/value.hpp"
// threadName, thread and process come from there; set_thread_name names threads.
#include "dictlog/thread_name.hpp"

namespace dictlog {

namespace detail {

// A record's derived attributes from the fields they derive from (a queued call has those
// fields and no record): basename of pathname; that minus its last extension; the
// unqualified function name ("connect"); msecs by CPython 3.13's rule, with its 999 -> 0 fix.
std::string_view filename_of(std::string_view pathname);
std::string_view module_of(std::string_view pathname);
std::string_view func_name_of(std::string_view func);
double msecs_of(std::int64_t created_ns);

// A short text held in place (an asctime fits), so that setting it on a record allocates
// nothing; a longer one goes to the heap. set() is false until assigned.
class ShortText {
 public:
  ShortText() = default;
  ShortText(const ShortText& o) { *this = o; }
  ShortText& operator=(const ShortText& o) {
    if (o.len_ == kLong)
      long_ = o.long_;
    else if (o.set())
      std::copy_n(o.buf_, o.len_, buf_);
    len_ = o.len_;
    return *this;
  }
  ShortText(ShortText&& o) noexcept { *this = std::move(o); }
  ShortText& operator=(ShortText&& o) noexcept {
    if (o.len_ == kLong)
      long_ = std::move(o.long_);
    else if (o.set())
      std::copy_n(o.buf_, o.len_, buf_);
    len_ = o.len_;
    return *this;
  }
  bool set() const { return len_ != kUnset; }
  std::string_view view() const {
    if (len_ == kLong) return long_;
    return set() ? std::string_view(buf_, len_) : std::string_view();
  }
  void assign(std::string_view s) {
    if (const std::size_t n = s.size(); n < sizeof buf_) {
      // An asctime (23 bytes) is two 16-byte copies; a libc call would cost more.
      if (n <= 32)
        detail::copy_short(buf_, s.data(), n);
      else
        std::memcpy(buf_, s.data(), n);
      len_ = static_cast<std::uint8_t>(n);
    } else {
      long_.assign(s);
      len_ = kLong;
    }
  }
  void reset() { len_ = kUnset; }

 private:
  static constexpr std::uint8_t kUnset = 0xFF, kLong = 0xFE;
  char buf_[47];
  std::uint8_t len_ = kUnset;
  std::string long_;
};
}  // namespace detail

// The attributes of a record that formats can name, in Python's __dict__ order, then
// the two a formatter adds.
enum class Attr : std::uint8_t {
  name,
  msg,
  args,
  levelname,
  levelno,
  pathname,
  filename,
  module,
  exc_info,
  exc_text,
  stack_info,
  lineno,
  funcName,
  created,
  msecs,
  relativeCreated,
  thread,
  threadName,
  processName,
  process,
  taskName,
  message,
  asctime
};
inline constexpr int attr_count = static_cast<int>(Attr::asctime) + 1;

// Python's attribute name for `a` ("funcName"), and back (nullopt for a name that is no
// record attribute, i.e. an `extra` key or a formatter default).
std::string_view attr_name(Attr a);
std::optional<Attr> attr_from_name(std::string_view name);

class LogRecord {
 public:
  // Not defaulted: a value-initialised record (`emplace_back()`, `LogRecord{}`) then
  // skips zeroing its 600-odd bytes before the members' own initialisers run.
  LogRecord() noexcept {}
  // What a logger fills in; the time, thread and process are read here.
  LogRecord(std::string_view name, int level, const SourceLocation& where);

  // A copy owns the text the original borrows (set_prepared_borrowed): it may outlive the
  // storage. Assignment goes member by member, so a queue slot reuses the strings it holds.
  LogRecord(const LogRecord&) = default;
  LogRecord& operator=(const LogRecord&) = default;
  LogRecord(LogRecord&&) noexcept = default;
  LogRecord& operator=(LogRecord&&) noexcept = default;

  // Python attributes. Strings are views of storage that outlives every record.
  std::string_view name;
  int levelno = NOTSET;
  std::string_view levelname;
  std::string_view pathname = "(unknown file)";
  std::string_view func = "(unknown function)";  // as the compiler spells it; see func_name()
  std::uint32_t lineno = 0;
  std::int64_t created_ns = 0;  // wall clock, ns since the epoch
  std::uint64_t thread = 0;
  std::string_view thread_name;
  std::string_view process_name = "MainProcess";
  std::int64_t process = 0;
  double relative_created = 0;  // ms from the library's start to created_ns
  // Set when the record was logged with exc_info: the exception rendered as text
  // ("std::runtime_error: disk full"), or "NoneType: None" when there was none.
  std::optional<std::string> exc_text;
  // Python fills record.exc_text only when a formatter first renders the exception, so
  // %(exc_text)s reads None until then; Formatter::format sets this.
  mutable bool exc_formatted = false;
  // What Python's Formatter.format leaves on the record for the handlers after it: the
  // `message` attribute, and `asctime` when its format used the time. SocketHandler's
  // pickle and HTTPHandler's form carry them, as CPython's do.
  mutable bool message_set = false;
  mutable detail::ShortText asctime;
  std::optional<std::string> stack_info;
  dictlog::extra extra;
  // The context bound on the logging thread when the record was made (dictlog/context.hpp),
  // shared and immutable; null when nothing was bound. Its keys are record attributes as
  // `extra`'s are, and an `extra` key of the same name wins.
  std::shared_ptr<const dictlog::extra> context;

  // msg is the format string as logged; args are the captured arguments.
  std::string_view msg() const { return text_.msg_; }
  void set_msg(std::string_view static_text) {
    unalias_message();
    text_.msg_ = static_text, text_.owned_msg_.clear(), text_.owned_ = false;
  }
  void set_msg_copy(std::string text);  // msg owned by the record
  const detail::ArgPack& args() const { return args_; }
  detail::ArgPack& args() { return args_; }
  template <class... A>
  void capture_args(const A&... a) {
    args_.capture(a...);
    text_.message_.reset();
    text_.message_is_msg_ = false;
  }

  // Python's getMessage: msg formatted with args (fmt syntax), or msg itself when there
  // are none. Cached after the first call. Throws fmt::format_error on a mismatch.
  const std::string& get_message() const;
  // Stores an already-formatted message (eager capture, QueueHandler.prepare).
  void set_message(std::string m) const {
    text_.message_ = std::move(m);
    text_.message_is_msg_ = false;
  }
  bool has_message() const { return text_.message_is_msg_ || text_.message_.has_value(); }
  // msg and message both `text`, stored once (QueueHandler.prepare's result).
  void set_prepared(std::string text);
  // The same with `text` borrowed from storage the caller keeps alive while the record is
  // used (a QueueListener's batch), so nothing is copied; the args are cleared. A copy of
  // the record owns its text.
  void set_prepared_borrowed(std::string_view text);
  // msg is the message and args are None: set_prepared's or set_prepared_borrowed's result.
  bool is_prepared() const { return text_.message_is_msg_; }
  // msg is text the record holds (set_msg_copy, set_prepared), not a view of text that
  // outlives it.
  bool owns_msg() const { return text_.owned_; }
  // get_message(), moved out of the record's cache (which is then empty).
  std::string take_message();
  // get_message() as a view, which for a record prepared borrowed makes no copy.
  std::string_view message_text() const {
    return text_.message_is_msg_ ? text_.msg_ : std::string_view(get_message());
  }

  // Derived attributes, computed from the ones above.
  std::string_view filename() const { return detail::filename_of(pathname); }
  std::string_view module() const { return detail::module_of(pathname); }
  std::string_view func_name() const { return detail::func_name_of(func); }
  double created() const { return static_cast<double>(created_ns) / 1e9; }
  double msecs() const { return detail::msecs_of(created_ns); }
  bool has_exc_info() const { return exc_text.has_value(); }

  // Any attribute, by enum; `message` is get_message(). `asctime` and `args` are not
  // scalars here: formatters compute asctime, args_repr() renders args.
  ValueView attribute(Attr a) const;
  std::string args_repr() const;
  const Value* find_extra(std::string_view key) const;

 private:
  // msg and the cached message: the part of a record that a member-wise copy would get
  // wrong, since msg may be borrowed.
  struct Text {
    Text() = default;
    Text(const Text& o) : message_(o.message_), message_is_msg_(o.message_is_msg_) { copy_msg(o); }
    Text& operator=(const Text& o) {
      if (this == &o) return *this;
      copy_msg(o);
      message_ = o.message_;
      message_is_msg_ = o.message_is_msg_;
      return *this;
    }
    Text(Text&& o) noexcept
        : owned_msg_(std::move(o.owned_msg_)),
          owned_(o.owned_),
          message_(std::move(o.message_)),
          message_is_msg_(o.message_is_msg_) {
      msg_ = owned_ ? std::string_view(owned_msg_) : o.msg_;
      o.message_is_msg_ = false;
    }
    Text& operator=(Text&& o) noexcept {
      if (this == &o) return *this;
      owned_msg_ = std::move(o.owned_msg_);
      owned_ = o.owned_;
      msg_ = owned_ ? std::string_view(owned_msg_) : o.msg_;
      message_ = std::move(o.message_);
      message_is_msg_ = o.message_is_msg_;
      o.message_is_msg_ = false;
      return *this;
    }

    // Prepared in storage the caller keeps alive: msg_ (and so the message) points into it.
    bool borrowed() const { return message_is_msg_ && !owned_; }
    // A copy owns the text a borrowed record points into: the copy may outlive the storage.
    void copy_msg(const Text& o) {
      owned_ = o.owned_ || o.borrowed();
      if (owned_) {
        owned_msg_ = o.msg_;
        msg_ = owned_msg_;
      } else {
        owned_msg_.clear();
        msg_ = o.msg_;
      }
    }

    std::string_view msg_;
    std::string owned_msg_;
    bool owned_ = false;
    mutable std::optional<std::string> message_;
    // message is msg_: owned_msg_ (set_prepared) or borrowed text (set_prepared_borrowed).
    mutable bool message_is_msg_ = false;
  };

  // Before msg changes: a message that is msg gets its own copy.
  void unalias_message() {
    if (text_.message_is_msg_)
      text_.message_ = std::string(text_.msg_), text_.message_is_msg_ = false;
  }

  Text text_;
  detail::ArgPack args_;
};

// Python's makeLogRecord: a record with name None (shown "None"), level None, pathname ""
// etc., overlaid with the given attributes. For tests and the CLI.
LogRecord make_log_record(const dictlog::extra& attrs);

// The key clash rule for `extra`: KeyError("Attempt to overwrite 'msg' in LogRecord")
// for `message`, `asctime` or any record attribute.
void check_extra_keys(const dictlog::extra& e);

// The record's attributes beyond LogRecord.__init__'s, in __dict__ order, as
// f(std::string_view key, ValueView value): the bound context's keys (with the value of an
// `extra` key of the same name), then the other `extra` keys.
template <class F>
void for_each_extra(const LogRecord& r, F&& f) {
  if (r.context) [[unlikely]] {
    auto in_extra = [&r](std::string_view k) -> const Value* {
      for (const auto& kv : r.extra)
        if (kv.first == k) return &kv.second;
      return nullptr;
    };
    auto in_context = [&r](std::string_view k) {
      for (const auto& kv : *r.context)
        if (kv.first == k) return true;
      return false;
    };
    for (const auto& [k, v] : *r.context) {
      const Value* over = in_extra(k);
      f(std::string_view(k), (over ? *over : v).view());
    }
    for (const auto& [k, v] : r.extra)
      if (!in_context(k)) f(std::string_view(k), v.view());
    return;
  }
  for (const auto& [k, v] : r.extra) f(std::string_view(k), v.view());
}

// One entry of Python's record.__dict__.
using RecordItem = std::pair<std::string_view, ValueView>;

// Python's record.__dict__ as it stands, in its order: what LogRecord.__init__ sets, the
// extras, then `message` and `asctime` once a formatter set them (what CPython's
// SocketHandler pickles and HTTPHandler sends). `args` is the text of its repr, kept in
// `args_text`, which must outlive the items; the other views point into the record.
std::vector<RecordItem> record_dict(const LogRecord& r, std::string& args_text);

}  // namespace dictlog
