// The registry of class and object names a configuration may use, Args (a constructor's
// keyword arguments), and the built-in Python names.
#include "dictlog/registry.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <climits>
#include <map>
#include <mutex>

#include "config/builder.hpp"
#include "dictlog/file_handler.hpp"
#include "dictlog/memory_handler.hpp"
#include "dictlog/null_handler.hpp"
#include "dictlog/rotating_file_handler.hpp"
#include "dictlog/stream_handler.hpp"
#include "dictlog/timed_rotating_file_handler.hpp"
#include "dictlog/watched_file_handler.hpp"

namespace dictlog::config {

namespace detail {
std::vector<Entry> network_entries();
}

using detail::Converted;
using detail::Entry;
using detail::Fail;
using detail::Json;
using detail::py_repr;

// ---------------------------------------------------------------- Args

struct Args::Entry {
  std::string key;
  Converted value;
  bool used = false;
};

Args::Args(detail::Builder& b, std::string class_name, std::string pointer, bool dry)
    : builder_(b), class_name_(std::move(class_name)), pointer_(std::move(pointer)), dry_(dry) {}

Args::~Args() = default;

void Args::add(std::string key, Converted v) {
  auto e = std::make_unique<Entry>();
  e->key = std::move(key);
  e->value = std::move(v);
  entries_.push_back(std::move(e));
}

void Args::rename(std::string_view from, std::string to) {
  if (Entry* e = find(from)) e->key = std::move(to);
  for (auto& e : entries_) e->used = false;
}

std::vector<std::string> Args::unused() const {
  std::vector<std::string> out;
  for (const auto& e : entries_)
    if (!e->used) out.push_back(e->key);
  return out;
}

Args::Entry* Args::find(std::string_view key) {
  for (auto& e : entries_)
    if (e->key == key) return e.get();
  return nullptr;
}

bool Args::has(std::string_view key) const {
  for (const auto& e : entries_)
    if (e->key == key) return true;
  return false;
}

const Converted& Args::value(std::string_view key) {
  static const Converted absent;
  Entry* e = find(key);
  if (!e) return absent;
  e->used = true;
  return e->value;
}

void Args::fail(std::string_view key, const std::string& message) const {
  for (const auto& e : entries_)
    if (e->key == key) throw Fail{e->value.pointer, message};
  throw Fail{pointer_, message};
}

namespace {
std::string describe(const Converted& v) {
  if (v.entry)
    return "ext://" + v.entry->name + " (" + std::string(detail::kind_text(v.entry->kind)) + ")";
  if (v.is_handler) return "the handler '" + v.handler + "'";
  return py_repr(*v.json);
}
}  // namespace

std::optional<std::string> Args::get_string(std::string_view key) {
  const Converted& v = value(key);
  if (v.absent() || v.is_null()) return std::nullopt;
  if (!v.is_string())
    fail(key, class_name_ + ": '" + std::string(key) + "' must be a string, not " + describe(v));
  return v.str();
}

std::string Args::required_string(std::string_view key) {
  if (!has(key))
    fail("", class_name_ + " needs '" + std::string(key) + "' (missing required argument)");
  auto s = get_string(key);
  if (!s) fail(key, class_name_ + ": '" + std::string(key) + "' must be a string, not None");
  return *s;
}

std::optional<std::int64_t> Args::get_int(std::string_view key) {
  const Converted& v = value(key);
  if (v.absent() || v.is_null()) return std::nullopt;
  if (v.json && v.json->is_boolean()) return v.json->get<bool>() ? 1 : 0;
  if (v.json && v.json->is_number_integer()) {
    if (v.json->is_number_unsigned() && v.json->get<std::uint64_t>() > INT64_MAX)
      fail(key, class_name_ + ": '" + std::string(key) + "' is out of range");
    return v.json->get<std::int64_t>();
  }
  fail(key, class_name_ + ": '" + std::string(key) + "' must be an integer, not " + describe(v));
}

std::int64_t Args::required_int(std::string_view key) {
  if (!has(key))
    fail("", class_name_ + " needs '" + std::string(key) + "' (missing required argument)");
  auto i = get_int(key);
  if (!i) fail(key, class_name_ + ": '" + std::string(key) + "' must be an integer, not None");
  return *i;
}

bool Args::get_bool(std::string_view key, bool fallback) {
  const Converted& v = value(key);
  if (v.absent()) return fallback;
  if (v.json) return detail::truthy(*v.json);
  return true;
}

std::optional<int> Args::get_level(std::string_view key) {
  const Converted& v = value(key);
  if (v.absent()) return std::nullopt;
  return detail::check_level_value(v);
}

std::shared_ptr<Stream> Args::get_stream(std::string_view key) {
  const Converted& v = value(key);
  if (v.absent() || v.is_null()) return nullptr;
  if (v.entry && v.entry->kind == detail::Entry::Kind::stream) return v.entry->stream;
  fail(key, class_name_ + ": '" + std::string(key) +
                "' must be a stream such as \"ext://sys.stdout\" or \"ext://sys.stderr\", not " +
                describe(v));
}

std::shared_ptr<Handler> Args::get_handler(std::string_view key) {
  const Converted& v = value(key);
  if (v.absent() || v.is_null()) return nullptr;
  return builder_.handler_named(v, class_name_);
}

const Json* Args::get_json(std::string_view key) {
  const Converted& v = value(key);
  if (v.entry || v.is_handler)
    fail(key,
         class_name_ + ": '" + std::string(key) + "' must be a plain value, not " + describe(v));
  return v.json;
}

// ---------------------------------------------------------------- the table

namespace {

struct Table {
  std::mutex mutex;
  std::map<std::string, std::shared_ptr<const Entry>, std::less<>> entries;
};

void add(Table& t, Entry e) {
  auto name = e.name;
  t.entries[name] = std::make_shared<const Entry>(std::move(e));
}

Entry handler_entry(std::string name, HandlerFactory f, bool memory = false) {
  Entry e{Entry::Kind::handler, std::move(name)};
  e.make_handler = std::move(f);
  e.memory_handler = memory;
  return e;
}

// Without `delay`, CPython opens the file at construction: a missing directory rejects
// the configuration. A dry run checks that much without creating anything.
void check_directory(Args& a, const std::string& filename, bool delay) {
  if (delay) return;
  std::string dir = dictlog::detail::abspath(filename);
  dir = dir.substr(0, dir.rfind('/'));
  if (dir.empty()) dir = "/";
  struct stat st {};
  if (::stat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode))
    a.fail("filename", "FileNotFoundError: [Errno 2] No such file or directory: " +
                           py_repr(Json(dictlog::detail::abspath(filename))) +
                           " (its directory does not exist)");
}

// FileHandler(filename, mode='a', encoding=None, delay=False, errors=None) and the
// subclasses with the same parameters.
template <class H>
std::shared_ptr<Handler> plain_file_handler(Args& a) {
  auto filename = a.required_string("filename");
  auto mode = a.get_string("mode").value_or("a");
  auto encoding = a.get_string("encoding");
  bool delay = a.get_bool("delay", false);
  auto errors = a.get_string("errors");
  if (a.dry()) {
    check_directory(a, filename, delay);
    H(filename, mode, encoding, true, errors);
    return nullptr;
  }
  return std::make_shared<H>(filename, mode, encoding, delay, errors);
}

void add_builtins(Table& t) {
  add(t, handler_entry("logging.StreamHandler", [](Args& a) -> std::shared_ptr<Handler> {
        auto stream = a.get_stream("stream");
        if (a.dry()) return nullptr;
        return std::make_shared<StreamHandler>(stream);
      }));
  add(t, handler_entry("logging.NullHandler", [](Args& a) -> std::shared_ptr<Handler> {
        if (a.dry()) return nullptr;
        return std::make_shared<NullHandler>();
      }));
  // File handlers: a dry run constructs them delayed (nothing opened) so that every
  // argument error the constructor finds (mode, encoding, when) is found by `check` too.
  add(t, handler_entry("logging.FileHandler", plain_file_handler<FileHandler>));
  add(t,
      handler_entry("logging.handlers.WatchedFileHandler", plain_file_handler<WatchedFileHandler>));
  add(t, handler_entry(
             "logging.handlers.RotatingFileHandler", [](Args& a) -> std::shared_ptr<Handler> {
               auto filename = a.required_string("filename");
               auto mode = a.get_string("mode").value_or("a");
               auto max_bytes = a.get_int("maxBytes").value_or(0);
               auto backup_count = a.get_int("backupCount").value_or(0);
               auto encoding = a.get_string("encoding");
               bool delay = a.get_bool("delay", false);
               auto errors = a.get_string("errors");
               if (backup_count > INT_MAX || backup_count < INT_MIN)
                 a.fail("backupCount", "backupCount is out of range");
               if (a.dry()) {
                 check_directory(a, filename, delay);
                 RotatingFileHandler(filename, mode, max_bytes, static_cast<int>(backup_count),
                                     encoding, true, errors);
                 return nullptr;
               }
               return std::make_shared<RotatingFileHandler>(filename, mode, max_bytes,
                                                            static_cast<int>(backup_count),
                                                            encoding, delay, errors);
             }));
  add(t, handler_entry(
             "logging.handlers.TimedRotatingFileHandler", [](Args& a) -> std::shared_ptr<Handler> {
               auto filename = a.required_string("filename");
               auto when = a.get_string("when").value_or("h");
               auto interval = a.get_int("interval").value_or(1);
               auto backup_count = a.get_int("backupCount").value_or(0);
               auto encoding = a.get_string("encoding");
               bool delay = a.get_bool("delay", false);
               bool utc = a.get_bool("utc", false);
               const Json* at = a.get_json("atTime");
               auto errors = a.get_string("errors");
               if (backup_count > INT_MAX || backup_count < INT_MIN)
                 a.fail("backupCount", "backupCount is out of range");
               std::optional<TimedRotatingFileHandler::AtTime> at_time;
               if (a.has("atTime") && !(at && at->is_null())) {
                 // Python needs a datetime.time here, which JSON cannot give; CPython fails the
                 // same way for MIDNIGHT and weekly rollover, and ignores it otherwise.
                 std::string w = when;
                 for (auto& c : w)
                   c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
                 if (w == "MIDNIGHT" || w.starts_with('W'))
                   a.fail("atTime",
                          "AttributeError: atTime must be a datetime.time, which a JSON file "
                          "cannot give ('str' object has no attribute 'hour')");
               }
               if (a.dry()) {
                 check_directory(a, filename, delay);
                 TimedRotatingFileHandler(filename, when, interval, static_cast<int>(backup_count),
                                          encoding, true, utc, at_time, errors);
                 return nullptr;
               }
               return std::make_shared<TimedRotatingFileHandler>(
                   filename, when, interval, static_cast<int>(backup_count), encoding, delay, utc,
                   at_time, errors);
             }));
  add(t,
      handler_entry("logging.handlers.BufferingHandler", [](Args& a) -> std::shared_ptr<Handler> {
        auto capacity = a.required_int("capacity");
        if (a.dry()) return nullptr;
        return std::make_shared<BufferingHandler>(static_cast<long>(capacity));
      }));
  add(t, handler_entry(
             "logging.handlers.MemoryHandler",
             [](Args& a) -> std::shared_ptr<Handler> {
               auto capacity = a.required_int("capacity");
               auto flush_level = a.get_level("flushLevel").value_or(ERROR);
               auto target = a.get_handler("target");
               bool flush_on_close = a.get_bool("flushOnClose", true);
               if (a.dry()) return nullptr;
               return std::make_shared<MemoryHandler>(static_cast<long>(capacity), flush_level,
                                                      target, flush_on_close);
             },
             true));
  for (auto& e : detail::network_entries()) add(t, std::move(e));  // network_handlers.cpp

  Entry qh{Entry::Kind::queue_handler, "logging.handlers.QueueHandler"};
  qh.make_queue_handler = [](std::shared_ptr<LogQueue> q,
                             Args& a) -> std::shared_ptr<QueueHandler> {
    if (a.dry()) return nullptr;
    return std::make_shared<QueueHandler>(std::move(q));
  };
  add(t, std::move(qh));

  Entry fmt{Entry::Kind::formatter, "logging.Formatter"};
  fmt.make_formatter = [](Args& a) -> std::shared_ptr<Formatter> {
    std::optional<std::string> f;
    if (const Json* j = a.get_json("fmt"); j && detail::truthy(*j)) {
      if (!j->is_string()) a.fail("fmt", "a format must be a string, not " + py_repr(*j));
      f = j->get<std::string>();
    }
    std::optional<std::string> datefmt;
    if (const Json* j = a.get_json("datefmt"); j && detail::truthy(*j)) {
      if (!j->is_string()) a.fail("datefmt", "datefmt must be a string, not " + py_repr(*j));
      datefmt = j->get<std::string>();
    }
    char style = '%';
    if (a.has("style")) {
      const Json* j = a.get_json("style");
      if (!j || !j->is_string() || j->get_ref<const std::string&>().size() != 1 ||
          std::string_view("%{$").find(j->get_ref<const std::string&>()[0]) ==
              std::string_view::npos)
        a.fail("style",
               "Style must be one of: %,{,$ (not " + (j ? py_repr(*j) : "an object") + ")");
      style = j->get_ref<const std::string&>()[0];
    }
    bool validate = a.get_bool("validate", true);
    dictlog::extra defaults;
    if (const Json* j = a.get_json("defaults"); j && !j->is_null()) {
      if (!j->is_object()) a.fail("defaults", "defaults must be an object, not " + py_repr(*j));
      for (const auto& [k, v] : j->items()) {
        switch (v.type()) {
          case Json::value_t::null:
            defaults.emplace_back(k, Value());
            break;
          case Json::value_t::boolean:
            defaults.emplace_back(k, Value(v.get<bool>()));
            break;
          case Json::value_t::number_integer:
            defaults.emplace_back(k, Value(v.get<std::int64_t>()));
            break;
          case Json::value_t::number_unsigned:
            defaults.emplace_back(k, Value(v.get<std::int64_t>()));
            break;
          case Json::value_t::number_float:
            defaults.emplace_back(k, Value(v.get<double>()));
            break;
          case Json::value_t::string:
            defaults.emplace_back(k, Value(v.get<std::string>()));
            break;
          default:
            a.fail("defaults",
                   "defaults values must be scalars (dictlog records hold None, bool, "
                   "int, float or str); '" +
                       k + "' is " + py_repr(v));
        }
      }
    }
    try {
      return std::make_shared<Formatter>(f, datefmt, style, validate, std::move(defaults));
    } catch (const ValueError& e) {
      a.fail(a.has("fmt") ? "fmt" : "", e.what());
    }
  };
  add(t, std::move(fmt));

  Entry filter{Entry::Kind::filter, "logging.Filter"};
  filter.make_filter = [](Args& a) -> std::shared_ptr<const Filter> {
    auto name = a.has("name") ? a.required_string("name") : std::string();
    return std::make_shared<Filter>(name);
  };
  add(t, std::move(filter));

  Entry queue{Entry::Kind::queue, "queue.Queue"};
  queue.make_queue = [](Args& a) -> std::shared_ptr<LogQueue> {
    auto maxsize = a.get_int("maxsize").value_or(0);
    if (a.dry()) return nullptr;
    return std::make_shared<Queue>(maxsize > 0 ? static_cast<std::size_t>(maxsize) : 0);
  };
  add(t, std::move(queue));
  Entry simple{Entry::Kind::queue, "queue.SimpleQueue"};
  simple.make_queue = [](Args& a) -> std::shared_ptr<LogQueue> {
    if (a.dry()) return nullptr;
    return std::make_shared<SimpleQueue>();
  };
  add(t, std::move(simple));

  Entry listener{Entry::Kind::listener, "logging.handlers.QueueListener"};
  listener.make_listener = [](std::shared_ptr<LogQueue> q, std::vector<std::shared_ptr<Handler>> hs,
                              bool rhl) {
    return std::make_shared<QueueListener>(std::move(q), std::move(hs), rhl);
  };
  add(t, std::move(listener));

  Entry out{Entry::Kind::stream, "sys.stdout"};
  out.stream = stdout_stream();
  add(t, std::move(out));
  Entry err{Entry::Kind::stream, "sys.stderr"};
  err.stream = stderr_stream();
  add(t, std::move(err));
  Entry maxsize{Entry::Kind::constant, "sys.maxsize"};
  maxsize.constant = INT64_MAX;
  add(t, std::move(maxsize));
  for (auto [name, level] : {std::pair{"NOTSET", NOTSET},
                             {"DEBUG", DEBUG},
                             {"INFO", INFO},
                             {"WARNING", WARNING},
                             {"WARN", WARNING},
                             {"ERROR", ERROR},
                             {"CRITICAL", CRITICAL},
                             {"FATAL", CRITICAL}}) {
    Entry e{Entry::Kind::constant, std::string("logging.") + name};
    e.constant = level;
    add(t, std::move(e));
  }
}

Table& table() {
  static Table* t = [] {
    auto* t = new Table;  // leaked: configurations may be applied during static destruction
    add_builtins(*t);
    return t;
  }();
  return *t;
}

void put(Entry e) {
  auto& t = table();
  std::lock_guard lock(t.mutex);
  add(t, std::move(e));
}

}  // namespace

namespace detail {
std::shared_ptr<const Entry> lookup(std::string_view name) {
  auto& t = table();
  std::lock_guard lock(t.mutex);
  auto it = t.entries.find(name);
  return it == t.entries.end() ? nullptr : it->second;
}

std::string_view kind_text(Entry::Kind k) {
  switch (k) {
    case Entry::Kind::handler:
    case Entry::Kind::queue_handler:
      return "a handler class";
    case Entry::Kind::formatter:
      return "a formatter class";
    case Entry::Kind::filter:
      return "a filter class";
    case Entry::Kind::queue:
      return "a queue class";
    case Entry::Kind::listener:
      return "a listener class";
    case Entry::Kind::stream:
      return "a stream";
    case Entry::Kind::queue_object:
      return "a queue";
    case Entry::Kind::constant:
      return "a constant";
  }
  return "a name";
}
}  // namespace detail

namespace {
// Registers `value` in the Entry member `slot` under `name`.
template <class T>
void put_entry(Entry::Kind kind, std::string name, T Entry::*slot, T value) {
  Entry e{kind, std::move(name)};
  e.*slot = std::move(value);
  put(std::move(e));
}
}  // namespace

void register_handler(std::string name, HandlerFactory f) {
  put_entry(Entry::Kind::handler, std::move(name), &Entry::make_handler, std::move(f));
}
void register_queue_handler(std::string name, QueueHandlerFactory f) {
  put_entry(Entry::Kind::queue_handler, std::move(name), &Entry::make_queue_handler, std::move(f));
}
void register_formatter(std::string name, FormatterFactory f) {
  put_entry(Entry::Kind::formatter, std::move(name), &Entry::make_formatter, std::move(f));
}
void register_filter(std::string name, FilterFactory f) {
  put_entry(Entry::Kind::filter, std::move(name), &Entry::make_filter, std::move(f));
}
void register_queue(std::string name, QueueFactory f) {
  put_entry(Entry::Kind::queue, std::move(name), &Entry::make_queue, std::move(f));
}
void register_listener(std::string name, ListenerFactory f) {
  put_entry(Entry::Kind::listener, std::move(name), &Entry::make_listener, std::move(f));
}
void register_object(std::string name, std::shared_ptr<Stream> stream) {
  put_entry(Entry::Kind::stream, std::move(name), &Entry::stream, std::move(stream));
}
void register_object(std::string name, std::shared_ptr<LogQueue> queue) {
  put_entry(Entry::Kind::queue_object, std::move(name), &Entry::queue, std::move(queue));
}
void register_object(std::string name, nlohmann::ordered_json value) {
  put_entry(Entry::Kind::constant, std::move(name), &Entry::constant, std::move(value));
}

std::vector<std::string> registered_names() {
  auto& t = table();
  std::lock_guard lock(t.mutex);
  std::vector<std::string> out;
  for (const auto& kv : t.entries) out.push_back(kv.first);
  return out;
}

}  // namespace dictlog::config
