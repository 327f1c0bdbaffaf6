// The registry: the only names a configuration file can use for classes and objects.
//
// Python's dictConfig imports whatever dotted name a file gives it ("()": "os.system" runs
// code). dictlog resolves `class`, `()`, `ext://` and the QueueHandler `queue`/`listener`
// keys only through this table: the built-in Python names (`logging.StreamHandler`,
// `logging.handlers.QueueHandler`, `queue.Queue`, `ext://sys.stderr`, ...) plus what the
// application registers before it loads a configuration. An unknown name is a
// configuration error naming it; nothing is ever loaded because a file named it.
//
//   dictlog::config::register_handler("myapp.AuditHandler", [](dictlog::config::Args& a) {
//     auto path = a.required_string("path");       // "path": "audit.log" in the file
//     bool sync = a.get_bool("sync", false);
//     if (a.dry()) return std::shared_ptr<dictlog::Handler>();   // `check`: build nothing
//     return std::shared_ptr<dictlog::Handler>(std::make_shared<AuditHandler>(path, sync));
//   });
//   // "stream": "ext://myapp.audit_stream" in a file:
//   dictlog::config::register_object("myapp.audit_stream", my_stream);
//
// Thread safety: the register_* functions may be called from any thread. An Args lives on
// the thread that applies a configuration, for one factory call.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "dictlog/filter.hpp"
#include "dictlog/formatter.hpp"
#include "dictlog/handler.hpp"
#include "dictlog/queue.hpp"
#include "dictlog/queue_handler.hpp"
#include "dictlog/queue_listener.hpp"
#include "dictlog/stream.hpp"
#include "dictlog/value.hpp"

namespace dictlog::config {

namespace detail {
class Builder;
struct Converted;
struct ArgsAccess;
}  // namespace detail

// The keyword arguments of one constructor call, as a configuration gives them: every key
// of the object except `class`, `()`, `.` and the keys dictConfig consumes itself (level,
// formatter, filters). Values have been through Python's conversion (`ext://`, `cfg://`).
//
// A factory reads each argument it takes through a typed reader; a reader that finds a
// value of the wrong type throws, and the loader reports it with the value's JSON Pointer.
// A key no reader asked for is an error too, as Python's "unexpected keyword argument".
// Readers take Python's parameter names ("maxBytes", "backupCount").
class Args {
 public:
  ~Args();
  Args(const Args&) = delete;
  Args& operator=(const Args&) = delete;

  bool has(std::string_view key) const;
  // `str`; nullopt when absent or null.
  std::optional<std::string> get_string(std::string_view key);
  std::string required_string(std::string_view key);
  // `int` (a JSON integer; true/false count as 1/0, as Python's bool is an int).
  std::optional<std::int64_t> get_int(std::string_view key);
  std::int64_t required_int(std::string_view key);
  // `float` (a JSON number; true/false count as 1.0/0.0).
  std::optional<double> get_float(std::string_view key);
  // Python's truthiness: "false" is true, 0 and "" are false, null gives `fallback`.
  bool get_bool(std::string_view key, bool fallback);
  // A level as Python's _checkLevel takes it: an int or exactly a registered name.
  std::optional<int> get_level(std::string_view key);
  // An `ext://` stream (ext://sys.stdout, or one the application registered).
  std::shared_ptr<Stream> get_stream(std::string_view key);
  // The handler whose name the value is, built before this one (Python's MemoryHandler
  // `target`). If it is configured but not built yet, the loader retries this handler
  // once after the others, as CPython does.
  std::shared_ptr<Handler> get_handler(std::string_view key);
  // Any scalar (None, bool, int, float or str), for an argument that takes several types;
  // nullopt when absent. A list or an object is rejected.
  std::optional<Value> get_value(std::string_view key);

  // True in `dictlog check` and in dict_config's validation pass: read every argument,
  // then return an empty pointer without constructing anything (no file, no socket).
  bool dry() const { return dry_; }
  // Rejects the value of `key` (or the whole object, for an empty key).
  [[noreturn]] void fail(std::string_view key, const std::string& message) const;

  // Keys no reader has asked for yet (the loader rejects them once the factory returns).
  std::vector<std::string> unused() const;

  // The class name being built ("logging.FileHandler"), for messages.
  const std::string& class_name() const { return class_name_; }

 private:
  friend class detail::Builder;
  friend struct detail::ArgsAccess;
  struct Entry;
  Args(detail::Builder& b, std::string class_name, std::string pointer, bool dry);
  Entry* find(std::string_view key);
  const detail::Converted& value(std::string_view key);
  void add(std::string key, detail::Converted v);
  void rename(std::string_view from, std::string to);

  detail::Builder& builder_;
  std::string class_name_;
  std::string pointer_;
  bool dry_;
  std::vector<std::unique_ptr<Entry>> entries_;
};

using HandlerFactory = std::function<std::shared_ptr<Handler>(Args&)>;
// A QueueHandler class: built with the queue the configuration's `queue` key gives.
using QueueHandlerFactory =
    std::function<std::shared_ptr<QueueHandler>(std::shared_ptr<LogQueue>, Args&)>;
// Arguments: fmt (also given as `format`), datefmt, style, validate, defaults.
using FormatterFactory = std::function<std::shared_ptr<Formatter>(Args&)>;
using FilterFactory = std::function<std::shared_ptr<const Filter>(Args&)>;
using QueueFactory = std::function<std::shared_ptr<LogQueue>(Args&)>;
using ListenerFactory = std::function<std::shared_ptr<QueueListener>(
    std::shared_ptr<LogQueue>, std::vector<std::shared_ptr<Handler>>, bool respect_handler_level)>;

// Each registers a class under a dotted name usable as `class`, `()` and `ext://NAME`.
// Registering a name again replaces it (built-in names included). Thread-safe; takes
// effect for configurations applied afterwards.
void register_handler(std::string name, HandlerFactory f);
void register_queue_handler(std::string name, QueueHandlerFactory f);
void register_formatter(std::string name, FormatterFactory f);
void register_filter(std::string name, FilterFactory f);
void register_queue(std::string name, QueueFactory f);
void register_listener(std::string name, ListenerFactory f);
// Objects for `ext://NAME`: a stream (handler `stream`) or a queue (QueueHandler `queue`).
void register_object(std::string name, std::shared_ptr<Stream> stream);
void register_object(std::string name, std::shared_ptr<LogQueue> queue);
// Constants (any JSON value) are registered through config_json.hpp's register_object.

// Every registered name, sorted (the README's list of built-in names comes from this).
std::vector<std::string> registered_names();

}  // namespace dictlog::config
