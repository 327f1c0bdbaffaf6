// LoggerAdapter: a logger with context, as Python's logging.LoggerAdapter (3.13).
//
// An adapter wraps a Logger (or another adapter) with `extra` attributes that every record
// logged through it carries, and a process() step that may rewrite each call's message and
// options before the logger sees them. The call syntax is the Logger's: fmt format strings
// checked at compile time, literals, runtime strings, Options.
//
//   dictlog::LoggerAdapter log(dictlog::get_logger("app.conn"), {{"conn", 7}});
//   log.info("served {} in {} ms", path, ms);  // the record has conn=7 -> %(conn)s
//
// To prefix messages, override process():
//
//   struct ConnAdapter : dictlog::LoggerAdapter {
//     using LoggerAdapter::LoggerAdapter;
//     void process(dictlog::AdapterCall& c) const override { c.prefix("[conn 7] "); }
//   };
//
// Differences from Python: no warn() (deprecated) and no fatal() (LoggerAdapter has none);
// no `manager` (dictlog's manager is internal); exc_info is a bool, as in Options; `extra`
// None is the empty list.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "dictlog/logger.hpp"

namespace dictlog {

// One logging call as LoggerAdapter::process sees it: Python's (msg, kwargs).
class AdapterCall {
 public:
  AdapterCall(std::string_view msg, const Options& kwargs, bool has_args)
      : msg_(msg), kwargs_(&kwargs), has_args_(has_args) {}
  AdapterCall(const AdapterCall&) = delete;
  AdapterCall& operator=(const AdapterCall&) = delete;

  // The message as written, or as an earlier process() left it. With arguments it is the
  // fmt format string they go into.
  std::string_view msg() const { return msg_; }
  // Whether the call has arguments: the message is then fmt syntax, where a literal brace
  // is written "{{" (as a literal % is "%%" in Python's).
  bool has_args() const { return has_args_; }
  // Replaces the message (the msg Python's process returns); taken as written, so with
  // arguments it is a format string, checked only when the message is built.
  void set_msg(std::string m);
  // Puts `text` before the message, its braces doubled when the call has arguments.
  void prefix(std::string_view text);
  bool msg_changed() const { return msg_changed_; }
  // The replaced message, moved out (for the adapter, once process() is done).
  std::string take_msg() { return std::move(owned_msg_); }

  // Python's kwargs: the call's options as passed, or as process() left them.
  const Options& kwargs() const { return *kwargs_; }
  // The options, to change in place: the first use copies kwargs().
  Options& mutable_kwargs();
  // Makes `o` the options, copying nothing; `o` must outlive the call (an adapter member).
  void set_kwargs(const Options& o) { kwargs_ = &o; }

 private:
  std::string_view msg_;
  std::string owned_msg_;
  const Options* kwargs_;
  std::optional<Options> owned_kwargs_;
  bool has_args_;
  bool msg_changed_ = false;
};

#define DICTLOG_ADAPTER_LEVEL_METHODS(fn, LEVEL)                                                   \
  void fn(Literal m, const Options& o = Options::none()) const {                                   \
    if (is_enabled_for(LEVEL)) forward_text(LEVEL, m, o);                                          \
  }                                                                                                \
  template <detail::RuntimeText S>                                                                 \
  void fn(S&& s, const Options& o = Options::none(), SourceLocation w = SourceLocation::current()) \
      const {                                                                                      \
    if (is_enabled_for(LEVEL)) forward_text(LEVEL, std::string_view(s), o, w);                     \
  }                                                                                                \
  template <detail::LogArg... A>                                                                   \
  requires(sizeof...(A) > 0) void fn(FormatString<std::type_identity_t<A>...> f, A&&... a) const { \
    if (is_enabled_for(LEVEL)) forward_args<A...>(LEVEL, Options::none(), f, a...);                \
  }                                                                                                \
  template <detail::LogArg... A>                                                                   \
  requires(sizeof...(A) > 0) void fn(const Options& o, FormatString<std::type_identity_t<A>...> f, \
                                     A&&... a) const {                                             \
    if (is_enabled_for(LEVEL)) forward_args<A...>(LEVEL, o, f, a...);                              \
  }

// Thread-safety: an adapter is immutable after construction, so any thread may log
// through it at any time; process() is const and must stay safe to run concurrently.
// set_level changes the logger, under the logger's own rules. The logger (or inner
// adapter) must outlive the adapter; loggers live until the process ends.
class LoggerAdapter {
 public:
  // Python's LoggerAdapter(logger, extra, merge_extra). merge_extra false: the adapter's
  // extra replaces the call's; true: the call's extra is merged over the adapter's (the
  // adapter's keys first, the call's values win).
  explicit LoggerAdapter(Logger& logger, dictlog::extra extra = {}, bool merge_extra = false);
  // An adapter over an adapter: this process() runs first, then inner's, then the logger
  // logs. `extra` has no default so that this is not a copy constructor: adapters are not
  // copied (a subclass would be sliced), and LoggerAdapter(inner, {}) nests.
  LoggerAdapter(const LoggerAdapter& inner, dictlog::extra extra, bool merge_extra = false);
  LoggerAdapter& operator=(const LoggerAdapter&) = delete;
  virtual ~LoggerAdapter();

  // Python's process(msg, kwargs): may change the message and the options of each call.
  // This one applies `extra` by the merge_extra rule, copying nothing when the call has no
  // options; an override that still wants it calls LoggerAdapter::process(call).
  virtual void process(AdapterCall& call) const;
  // For repr(): "<LoggerAdapter app (INFO)>".
  virtual std::string_view class_name() const { return "LoggerAdapter"; }

  // The logger at the end of the chain, and the adapter in between (null when none).
  Logger& logger() const { return *logger_; }
  const LoggerAdapter* inner() const { return inner_; }
  const dictlog::extra& extra() const { return extra_; }
  bool merge_extra() const { return merge_extra_; }

  // What Python delegates to the logger.
  const std::string& name() const { return logger_->name(); }
  bool is_enabled_for(int level) const { return logger_->is_enabled_for(level); }
  int get_effective_level() const { return logger_->get_effective_level(); }
  void set_level(int level) const { logger_->set_level(level); }
  void set_level(std::string_view level) const { logger_->set_level(level); }
  bool has_handlers() const { return logger_->has_handlers(); }
  std::string repr() const;

  DICTLOG_ADAPTER_LEVEL_METHODS(debug, DEBUG)
  DICTLOG_ADAPTER_LEVEL_METHODS(info, INFO)
  DICTLOG_ADAPTER_LEVEL_METHODS(warning, WARNING)
  DICTLOG_ADAPTER_LEVEL_METHODS(error, ERROR)
  DICTLOG_ADAPTER_LEVEL_METHODS(critical, CRITICAL)

  // error() with exc_info set before process() sees the options, as Python's.
  void exception(Literal m, Options o = {}) const {
    o.exc_info = true;
    if (is_enabled_for(ERROR)) forward_text(ERROR, m, o);
  }
  template <detail::RuntimeText S>
  void exception(S&& s, Options o = {}, SourceLocation w = SourceLocation::current()) const {
    o.exc_info = true;
    if (is_enabled_for(ERROR)) forward_text(ERROR, std::string_view(s), o, w);
  }
  template <detail::LogArg... A>
  requires(sizeof...(A) > 0) void exception(FormatString<std::type_identity_t<A>...> f,
                                            A&&... a) const {
    if (is_enabled_for(ERROR)) forward_args<A...>(ERROR, exc_info_options(), f, a...);
  }
  template <detail::LogArg... A>
  requires(sizeof...(A) > 0) void exception(Options o, FormatString<std::type_identity_t<A>...> f,
                                            A&&... a) const {
    o.exc_info = true;
    if (is_enabled_for(ERROR)) forward_args<A...>(ERROR, o, f, a...);
  }

  // Logging at a level chosen at run time.
  void log(int level, Literal m, const Options& o = Options::none()) const {
    if (is_enabled_for(level)) forward_text(level, m, o);
  }
  template <detail::RuntimeText S>
  void log(int level, S&& s, const Options& o = Options::none(),
           SourceLocation w = SourceLocation::current()) const {
    if (is_enabled_for(level)) forward_text(level, std::string_view(s), o, w);
  }
  template <detail::LogArg... A>
  requires(sizeof...(A) > 0) void log(int level, FormatString<std::type_identity_t<A>...> f,
                                      A&&... a) const {
    if (is_enabled_for(level)) forward_args<A...>(level, Options::none(), f, a...);
  }
  template <detail::LogArg... A>
  requires(sizeof...(A) > 0) void log(int level, const Options& o,
                                      FormatString<std::type_identity_t<A>...> f, A&&... a) const {
    if (is_enabled_for(level)) forward_args<A...>(level, o, f, a...);
  }

 private:
  // Options with exc_info and nothing else: exception()'s when the call passes none.
  static const Options& exc_info_options();
  // This adapter's process(), then the inner adapters', outermost first.
  void run_process(AdapterCall& call) const;
  void forward_text(int level, const Literal& m, const Options& o) const;
  void forward_text(int level, std::string_view text, const Options& o,
                    const SourceLocation& w) const;
  // An unchanged message goes to the logger as the checked format string it was (the
  // logger's fast paths included); a changed one as a runtime format.
  template <class... A>
  void forward_args(int level, const Options& o, const FormatString<std::type_identity_t<A>...>& f,
                    A&... a) const {
    const fmt::string_view fs(f.fmt);
    AdapterCall call(std::string_view(fs.data(), fs.size()), o, true);
    run_process(call);
    if (!call.msg_changed())
      logger_->log(level, call.kwargs(), f, std::forward<A>(a)...);
    else
      logger_->log_runtime_format(level, call.take_msg(), call.kwargs(), f.where,
                                  std::forward<A>(a)...);
  }

  Logger* logger_;
  const LoggerAdapter* inner_ = nullptr;
  dictlog::extra extra_;
  bool merge_extra_;
  // Python's kwargs["extra"] = self.extra, built once for the calls that pass no options
  // (and exception()'s), so that replacing the extra copies nothing per call.
  Options with_extra_;
  Options with_extra_exc_;
};

#undef DICTLOG_ADAPTER_LEVEL_METHODS

}  // namespace dictlog
