// Logger: Python's hierarchical loggers, with an fmt-checked C++ call syntax.
//
// get_logger("app.db") returns the one logger of that name, creating it (and placeholders
// for missing ancestors) on first use; loggers live until the process ends, so references
// stay valid. A call on a disabled level costs one relaxed load and a compare: each logger
// caches its threshold and its handler chain, and both are rebuilt whenever the tree
// changes (set_level, add_handler, propagate, disable, ...).
//
//   auto& log = dictlog::get_logger("app.db");
//   log.info("connected to {} in {} ms", host, ms);        // fmt syntax, checked at compile time
//   log.warning("slow query", dictlog::extra{{"sql", q}});  // extra -> %(sql)s
//   try { run(); } catch (...) { log.exception("failed"); }
//
// A message without arguments is used as it is, braces and percent signs included
// (Python's "no args, no formatting"). Runtime strings are accepted as messages; a runtime
// format with arguments goes through log_runtime_format.
#pragma once

#include <atomic>
#include <climits>
#include <concepts>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>
#include "dictlog/source_location.hpp"

#include <fmt/format.h>

#include "dictlog/detail/call_extras.hpp"
#include "dictlog/detail/chain.hpp"
#include "dictlog/detail/clock.hpp"
#include "dictlog/detail/direct_call.hpp"
#include "dictlog/detail/thread_buffer.hpp"
#include "dictlog/filter.hpp"
#include "dictlog/handler.hpp"
#include "dictlog/level.hpp"
#include "dictlog/record.hpp"
#include "dictlog/thread_name.hpp"
#include "dictlog/value.hpp"

namespace dictlog {

// Python's keyword arguments of a logging call.
struct Options {
  dictlog::extra extra;     // extra record attributes (clashing keys throw KeyError)
  bool exc_info = false;    // render the exception being handled into exc_text
  bool stack_info = false;  // add "Stack (most recent call last):" and the C++ stack

  constexpr Options() = default;
  Options(dictlog::extra e) : extra(std::move(e)) {}
  static const Options& none();
};

namespace detail {
extern const Options g_no_options;
}
// Inline: every logging call without options passes it, and dispatch compares addresses.
inline const Options& Options::none() {
  return detail::g_no_options;
}

// A message written as a string literal, with where it was written.
struct Literal {
  std::string_view text;
  SourceLocation where;
  template <std::size_t N>
  consteval Literal(const char (&s)[N], SourceLocation w = SourceLocation::current())
      : text(s, N - 1), where(w) {}
};

// An fmt format string checked against the argument types, with where it was written.
template <class... A>
struct FormatString {
  fmt::format_string<A...> fmt;
  SourceLocation where;
  template <class S>
  requires std::convertible_to<const S&, std::string_view>
  consteval FormatString(const S& s, SourceLocation w = SourceLocation::current())
      : fmt(s), where(w) {}
};

namespace detail {
template <class S>
concept RuntimeText =
    std::convertible_to<S, std::string_view> && !std::is_array_v<std::remove_reference_t<S>>;
template <class T>
concept LogArg = !std::same_as<std::remove_cvref_t<T>, dictlog::extra> &&
                 !std::same_as<std::remove_cvref_t<T>, Options>;
struct Chain;
class Manager;
// How log_args receives an argument: numbers and pointers by value, in registers, so that
// nothing of a call is stored before its level check.
template <class A>
using ArgPass = std::conditional_t<std::is_scalar_v<std::remove_cvref_t<A>>, std::remove_cvref_t<A>,
                                   const std::remove_cvref_t<A>&>;
}  // namespace detail

// The format string and source location go to log_args as scalars: passed as one object,
// the compiler would build it on the stack before the level check of every call.
#define DICTLOG_LOG_ARGS(LEVEL, O, F, V)                                                   \
  log_args<A...>(LEVEL, O, fmt::string_view(F.fmt).data(), fmt::string_view(F.fmt).size(), \
                 F.where.file, F.where.function, F.where.line_, V...)

#define DICTLOG_LEVEL_METHODS(fn, LEVEL)                                                           \
  void fn(Literal m, const Options& o = Options::none()) {                                         \
    if (is_enabled_for(LEVEL)) log_text(LEVEL, m.text, true, m.where, o);                          \
  }                                                                                                \
  template <detail::RuntimeText S>                                                                 \
  void fn(S&& s, const Options& o = Options::none(),                                               \
          SourceLocation w = SourceLocation::current()) {                                          \
    if (is_enabled_for(LEVEL)) log_text(LEVEL, std::string_view(s), false, w, o);                  \
  }                                                                                                \
  template <detail::LogArg... A>                                                                   \
  requires(sizeof...(A) > 0) void fn(FormatString<std::type_identity_t<A>...> f, A&&... a) {       \
    if (is_enabled_for(LEVEL)) DICTLOG_LOG_ARGS(LEVEL, Options::none(), f, a);                     \
  }                                                                                                \
  template <detail::LogArg... A>                                                                   \
  requires(sizeof...(A) > 0) void fn(const Options& o, FormatString<std::type_identity_t<A>...> f, \
                                     A&&... a) {                                                   \
    if (is_enabled_for(LEVEL)) DICTLOG_LOG_ARGS(LEVEL, o, f, a);                                   \
  }

// Thread-safety: logging calls may run on any thread at any time, also while another
// thread reconfigures; configuration calls (set_level, add_handler, ...) serialise on the
// manager's lock.
class Logger : public Filterer {
 public:
  const std::string& name() const { return name_; }
  int level() const;
  void set_level(int level);
  void set_level(std::string_view name) { set_level(check_level(name)); }
  // First non-zero level walking up to the root (0 if none).
  int get_effective_level() const;
  // Python's isEnabledFor: not disabled, not under logging.disable, level >= effective.
  bool is_enabled_for(int level) const {
    return level >= threshold_.load(std::memory_order_relaxed);
  }

  void add_handler(std::shared_ptr<Handler> h);
  void remove_handler(const std::shared_ptr<Handler>& h);
  std::vector<std::shared_ptr<Handler>> handlers() const;
  bool has_handlers() const;  // this logger or an ancestor reached by propagation

  bool propagate() const;
  void set_propagate(bool p);
  bool disabled() const;
  void set_disabled(bool d);

  Logger* parent() const;
  Logger& get_child(std::string_view suffix);
  std::vector<Logger*> get_children() const;  // direct real children

  DICTLOG_LEVEL_METHODS(debug, DEBUG)
  DICTLOG_LEVEL_METHODS(info, INFO)
  DICTLOG_LEVEL_METHODS(warning, WARNING)
  DICTLOG_LEVEL_METHODS(error, ERROR)
  DICTLOG_LEVEL_METHODS(critical, CRITICAL)
  DICTLOG_LEVEL_METHODS(fatal, CRITICAL)

  // error() with exc_info: the exception being handled goes into the record's exc_text.
  void exception(Literal m, Options o = {}) {
    o.exc_info = true;
    if (is_enabled_for(ERROR)) log_text(ERROR, m.text, true, m.where, o);
  }
  template <detail::RuntimeText S>
  void exception(S&& s, Options o = {}, SourceLocation w = SourceLocation::current()) {
    o.exc_info = true;
    if (is_enabled_for(ERROR)) log_text(ERROR, std::string_view(s), false, w, o);
  }
  template <detail::LogArg... A>
  requires(sizeof...(A) > 0) void exception(FormatString<std::type_identity_t<A>...> f, A&&... a) {
    static const Options exc = [] {
      Options o;
      o.exc_info = true;
      return o;
    }();
    if (is_enabled_for(ERROR)) DICTLOG_LOG_ARGS(ERROR, exc, f, a);
  }

  // Logging at a level chosen at run time.
  void log(int level, Literal m, const Options& o = Options::none()) {
    if (is_enabled_for(level)) log_text(level, m.text, true, m.where, o);
  }
  template <detail::RuntimeText S>
  void log(int level, S&& s, const Options& o = Options::none(),
           SourceLocation w = SourceLocation::current()) {
    if (is_enabled_for(level)) log_text(level, std::string_view(s), false, w, o);
  }
  template <detail::LogArg... A>
  requires(sizeof...(A) > 0) void log(int level, FormatString<std::type_identity_t<A>...> f,
                                      A&&... a) {
    if (is_enabled_for(level)) DICTLOG_LOG_ARGS(level, Options::none(), f, a);
  }
  template <detail::LogArg... A>
  requires(sizeof...(A) > 0) void log(int level, const Options& o,
                                      FormatString<std::type_identity_t<A>...> f, A&&... a) {
    if (is_enabled_for(level)) DICTLOG_LOG_ARGS(level, o, f, a);
  }

  // A record with a message chosen at run time and already formatted (the CLI's events).
  void log_message(int level, std::string_view msg, const Options& o = Options::none(),
                   SourceLocation w = SourceLocation::current()) {
    if (is_enabled_for(level)) log_text(level, msg, false, w, o);
  }
  // A format string chosen at run time (fmt syntax) with its arguments (LoggerAdapter's
  // rewritten messages). Nothing checks the format before the message is built: with
  // capturable arguments a mismatch reaches the handler's handle_error, as a bad %-format
  // does in Python; with a type formatted at the call, fmt::format_error reaches the caller.
  template <detail::LogArg... A>
  requires(sizeof...(A) > 0) void log_runtime_format(int level, std::string fmt, const Options& o,
                                                     SourceLocation w, A&&... a) {
    if (is_enabled_for(level)) log_runtime_record<A...>(level, std::move(fmt), o, w, a...);
  }

  // Python's Logger.handle: drop if disabled, run this logger's filters, call handlers.
  void handle(LogRecord& record);
  // Python's callHandlers: every handler on the propagation path whose level admits the
  // record; lastResort if the path has no handler at all.
  void call_handlers(LogRecord& record);

  Logger(const Logger&) = delete;
  Logger& operator=(const Logger&) = delete;

 private:
  friend class detail::Manager;
  friend struct std::default_delete<Logger>;
  Logger(std::string name, int level);
  ~Logger();

  void log_text(int level, std::string_view text, bool is_static, const SourceLocation& w,
                const Options& o);
  template <class... A>
  [[gnu::noinline]] void log_args(int level, const Options& o, const char* fmt_data,
                                  std::size_t fmt_size, const char* file, const char* function,
                                  std::uint32_t line, detail::ArgPass<A>... a) {
    if constexpr ((detail::ArgTraits<A>::capturable && ...)) {
      if (&o == &Options::none()) {
        const std::size_t n = detail::ArgPack::encoded_size_of(a...);
        if (log_direct(level, n, [&](detail::DirectCall& c) {
              c.fmt = fmt_data;
              c.fmt_size = static_cast<std::uint32_t>(fmt_size);
              c.file = file;
              c.function = function;
              c.line = line;
              c.vt = detail::ArgPack::encode_to(c.args(), a...);
            }))
          return;
      }
    }
    log_args_record<A...>(level, o, fmt_data, fmt_size, file, function, line, a...);
  }
  // log_args' path through a LogRecord, apart so that the direct path's frame stays small.
  template <class... A>
  [[gnu::noinline]] void log_args_record(int level, const Options& o, const char* fmt_data,
                                         std::size_t fmt_size, const char* file,
                                         const char* function, std::uint32_t line,
                                         detail::ArgPass<A>... a) {
    if constexpr ((detail::ArgTraits<A>::capturable && ...)) {
      // A call with `extra` of scalars and strings only goes into the queue as it is too,
      // its extras between the call and its arguments (without options, log_args tried).
      const std::size_t ex = o.extra.empty() ? 0 : detail::call_extras_size(o.extra);
      if (&o != &Options::none() && !o.exc_info && !o.stack_info && (ex || o.extra.empty())) {
        const std::size_t n = ex + detail::ArgPack::encoded_size_of(a...);
        if (log_direct(
                level, n,
                [&](detail::DirectCall& c) {
                  c.fmt = fmt_data;
                  c.fmt_size = static_cast<std::uint32_t>(fmt_size);
                  c.file = file;
                  c.function = function;
                  c.line = line;
                  if (ex) detail::encode_call_extras(c.args(), o.extra, ex);
                  c.vt = detail::ArgPack::encode_to(c.args() + ex, a...);
                },
                ex ? detail::EntryKind::call_extra : detail::EntryKind::call))
          return;
      }
    }
    LogRecord r = new_record(level, SourceLocation{file, function, line});
    std::string_view fs(fmt_data, fmt_size);
    r.set_msg(fs);
    if constexpr ((detail::ArgTraits<A>::capturable && ...)) {
      r.capture_args(a...);
    } else {
      // A type not declared copy_safe is formatted now, while the caller's object is alive.
      r.set_message(
          fmt::vformat(fmt::string_view(fmt_data, fmt_size), fmt::make_format_args(a...)));
    }
    dispatch(r, o);
  }
  template <class... A>
  [[gnu::noinline]] void log_runtime_record(int level, std::string fmt, const Options& o,
                                            const SourceLocation& w, detail::ArgPass<A>... a) {
    LogRecord r = new_record(level, w);
    if constexpr ((detail::ArgTraits<A>::capturable && ...)) {
      r.set_msg_copy(std::move(fmt));
      r.capture_args(a...);
    } else {
      std::string m = fmt::vformat(fmt::string_view(fmt), fmt::make_format_args(a...));
      r.set_msg_copy(std::move(fmt));
      r.set_message(std::move(m));
    }
    dispatch(r, o);
  }
  // The call written straight into the only handler's queue (detail::DirectSink), when
  // nothing in between needs a LogRecord: this logger has no filters, its records meet one
  // handler, which admits the level and takes direct calls. `fill` writes the call's parts
  // while the handler chain is held as call_handlers holds it. False: take the usual path.
  // Inline, below: the whole path is compiled into the caller's log_args, with no call
  // into the library (each call would save and restore the caller's registers).
  template <class Fill>
  [[gnu::always_inline]] bool log_direct(int level, std::size_t arg_size, Fill&& fill,
                                         detail::EntryKind kind = detail::EntryKind::call);
  LogRecord new_record(int level, const SourceLocation& w) const;
  void dispatch(LogRecord& r, const Options& o);

  std::string name_;
  int level_;
  Logger* parent_ = nullptr;
  bool propagate_ = true;
  bool disabled_ = false;
  std::vector<std::shared_ptr<Handler>> handlers_;
  std::atomic<int> threshold_{INT_MAX};
  // Replaced whole on every tree change and read with no lock and no reference count: a
  // logging thread publishes the chain it uses in a per-thread hazard slot, and a replaced
  // chain (with the handlers only it still holds) is freed once no slot names it, so
  // handlers removed meanwhile live until every thread is done with them.
  std::atomic<const detail::Chain*> chain_{nullptr};
};

#undef DICTLOG_LEVEL_METHODS
#undef DICTLOG_LOG_ARGS

template <class Fill>
[[gnu::always_inline]] inline bool Logger::log_direct(int level, std::size_t arg_size, Fill&& fill,
                                                      detail::EntryKind kind) {
  using namespace detail;
  // The time stamp first: reading the TSC takes tens of cycles on some CPUs (the AMD of
  // bench/README.md), which read here overlap the rest of the call instead of following it
  // (bench (a), 1 producer: p50 from the timer's 50 ns step to the floor's 40 ns in most
  // runs). A call that then takes the usual path stamps its record again.
  const std::uint64_t ticks = clock_ticks();
  HazardRecord* rec = t_hazard;
  // A thread's first call takes the usual path, which gets it a hazard record; a call
  // made while another is in flight on this thread (a handler that logs) does too, and so
  // does one with a context bound (the record carries it).
  if (!rec || !call_state_clear() || has_filters()) [[unlikely]]
    return false;
  std::atomic<const Chain*>& slot = rec->slot[0];
  const Chain* c = publish_chain(slot, chain_);
  DirectSink::Reserved r;
  if (c && c->route.sink && level >= c->direct_handler->level() &&
      !c->direct_handler->has_filters())
    r = c->route.sink->reserve_call(level, arg_size, c->route.tag, ticks, kind);
  if (!r.call) {
    slot.store(nullptr, std::memory_order_release);
    return false;
  }
  // No call into other code before the commit: `fill` copies numbers, strings and
  // trivially copyable objects (detail::ArgTraits), so the call state stays clear.
  DirectCall* call = r.call;
  call->name = &name_;
  call->thread = current_thread_identity();
  fill(*call);
  // The commit orders the call before the closed flag's load (a light fence): a handler
  // closed before its listener's sentinel went in is seen here if the call came after it.
  if (c->route.sink->commit_call(r) || c->direct_handler->closed()) [[unlikely]] {
    t_call.hazard_depth = 1;  // the handler may log: a nested call takes the next slot
    c->direct_target->serve_late_call();
    t_call.hazard_depth = 0;
  }
  slot.store(nullptr, std::memory_order_release);
  maybe_reclaim();
  return true;
}

// The logger of that name; "", "root" give the root logger.
Logger& get_logger(std::string_view name = "");
Logger& root();

// Python's logging.disable: every call at or below `level` is dropped; disable(NOTSET)
// undoes it.
void disable(int level = CRITICAL);
void disable(std::string_view level);
int disabled_level();

// Every logger name the manager knows, placeholders included, sorted (Python's
// loggerDict keys); `is_placeholder` tells them apart.
std::vector<std::string> logger_names();
bool is_placeholder(std::string_view name);
// The logger of that name if one exists (no placeholder, no creation).
Logger* find_logger(std::string_view name);

// Python's lastResort: the handler used when a record meets no handler at all. Default:
// a WARNING handler writing the bare message to stderr. nullptr makes the manager print
// "No handlers could be found for logger "<name>"" once instead.
std::shared_ptr<Handler> last_resort();
void set_last_resort(std::shared_ptr<Handler> h);

// Defers the rebuild of thresholds and handler chains until the outermost guard ends;
// used by dict_config to apply a whole configuration at once.
class TreeUpdate {
 public:
  TreeUpdate();
  ~TreeUpdate();
  TreeUpdate(const TreeUpdate&) = delete;
  TreeUpdate& operator=(const TreeUpdate&) = delete;
};

}  // namespace dictlog
