#include "dictlog/handler.hpp"

#include <cxxabi.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <exception>
#include <map>
#include <typeinfo>

#include <fmt/format.h>

#include "core/listener_thread.hpp"
#include "core/system_calls.hpp"
#include "dictlog/detail/pystr.hpp"
#include "dictlog/errors.hpp"
#include "record/at_fork.hpp"

namespace dictlog {

namespace {

// Python's _handlerList and _handlers, under one lock. Leaked on purpose: handlers may be
// destroyed during static destruction, after a function-local static would be gone.
struct Registry {
  std::mutex mutex;
  std::vector<Handler*> creation_order;
  std::map<std::string, Handler*, std::less<>> by_name;
};
Registry& registry() {
  static auto* r = new Registry;
  return *r;
}

std::atomic<bool> g_raise_exceptions{true};

}  // namespace

namespace detail {
struct HandlerAccess {
  // Every handler between two emits across a fork; in the child each drops the parent's.
  static bool prepare_fork(ForkLocks& locks) {
    auto& r = registry();
    if (!locks.take(r.mutex)) return false;
    for (Handler* h : r.creation_order)
      if (!locks.take(h->lock_) || !locks.take(h->formatter_mutex_)) return false;
    return true;
  }
  static void after_fork_child() {
    for (Handler* h : registry().creation_order) h->at_fork_reinit();
  }
};
}  // namespace detail

namespace {

const int g_at_fork = [] {
  detail::add_fork_participant(detail::ForkRank::core, {&detail::HandlerAccess::prepare_fork,
                                                        &detail::HandlerAccess::after_fork_child});
  return 0;
}();

std::string demangle(const char* name) {
  int status = 0;
  char* d = abi::__cxa_demangle(name, nullptr, nullptr, &status);
  std::string s = status == 0 && d ? d : name;
  std::free(d);
  return s;
}

void describe(std::exception_ptr e, std::string& out, int depth) {
  try {
    std::rethrow_exception(e);
  } catch (const std::exception& ex) {
    // A nested exception (std::throw_with_nested) is the cause: Python prints it first.
    if (depth < 16) {
      if (auto* nested = dynamic_cast<const std::nested_exception*>(&ex);
          nested && nested->nested_ptr()) {
        describe(nested->nested_ptr(), out, depth + 1);
        out += "\n\nThe above exception was the direct cause of the following exception:\n\n";
      }
    }
    if (auto* de = dynamic_cast<const Error*>(&ex)) {
      out += de->python_type();
      std::string_view what = ex.what();
      if (dynamic_cast<const KeyError*>(&ex)) {
        out += ": ";
        detail::append_str_repr(what, out);
      } else if (!what.empty()) {
        out += ": ";
        out += what;
      }
      return;
    }
    if (dynamic_cast<const fmt::format_error*>(&ex)) {
      out += "ValueError: ";
      out += ex.what();
      return;
    }
    std::string type = demangle(typeid(ex).name());
    // std::throw_with_nested wraps the type; show the one the user threw.
    constexpr std::string_view wrapper = "std::_Nested_exception<";
    if (type.starts_with(wrapper) && type.ends_with('>'))
      type = type.substr(wrapper.size(), type.size() - wrapper.size() - 1);
    out += type;
    out += ": ";
    out += ex.what();
  } catch (...) {
    auto* t = abi::__cxa_current_exception_type();
    out += t ? demangle(t->name()) : std::string("unknown exception");
  }
}

void write_stderr(std::string_view s) {
  detail::write_all(2, s);  // Python swallows OSError while reporting
}

// Stops a handler that logs from inside handle_error (or emit) from recursing forever.
thread_local int t_handling_error = 0;

}  // namespace

Handler::Handler(int level) : level_(level) {
  auto& r = registry();
  std::lock_guard lock(r.mutex);
  r.creation_order.push_back(this);
}

Handler::~Handler() {
  auto& r = registry();
  std::lock_guard lock(r.mutex);
  std::erase(r.creation_order, this);
  for (auto it = r.by_name.begin(); it != r.by_name.end();) {
    if (it->second == this)
      it = r.by_name.erase(it);
    else
      ++it;
  }
}

std::shared_ptr<const Formatter> Handler::formatter() const {
  std::lock_guard lock(formatter_mutex_);
  return formatter_;
}

void Handler::set_formatter(std::shared_ptr<const Formatter> f) {
  std::lock_guard lock(formatter_mutex_);
  formatter_ = std::move(f);
  has_formatter_.store(formatter_ != nullptr, std::memory_order_release);
  formatter_version_.fetch_add(1, std::memory_order_release);
}

std::string Handler::format(const LogRecord& record) const {
  static const auto* default_formatter = new Formatter();
  auto f = formatter();
  return (f ? *f : *default_formatter).format(record);
}

const Formatter& Handler::emit_formatter_slow() const {
  static const auto* default_formatter = new Formatter();
  // A set_formatter racing with this record may or may not apply to it, as in Python; the
  // version is read before the formatter, so a change is never missed for good.
  std::uint64_t v = formatter_version_.load(std::memory_order_acquire);
  if (v != emit_version_) [[unlikely]] {
    emit_formatter_ = formatter();
    emit_version_ = v;
  }
  return emit_formatter_ ? *emit_formatter_ : *default_formatter;
}

bool Handler::handle(LogRecord& record) noexcept {
  if (has_filters()) {
    try {
      if (!filter(record)) {
        count_filtered();
        return false;
      }
    } catch (...) {
      handle_error(record);
      return false;
    }
  }
  std::lock_guard lock(lock_);
  emit_counted(record);
  return true;
}

void Handler::emit_counted(LogRecord& record) noexcept {
  emitted_.store(emitted_.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
  try {
    emit(record);
  } catch (...) {
    handle_error(record);
  }
}

void Handler::handle_run(LogRecord* records, std::size_t n, bool respect_level) noexcept {
  if (has_filters() || !plain_handle()) {
    for (std::size_t i = 0; i < n; ++i)
      if (!respect_level || records[i].levelno >= level()) handle(records[i]);
    return;
  }
  std::lock_guard lock(lock_);
  for (std::size_t i = 0; i < n; ++i) {
    if (!respect_level || records[i].levelno >= level()) emit_counted(records[i]);
  }
}

bool Handler::emit_call_locked(const detail::CallFields& c) noexcept {
  if (has_filters() || !plain_handle()) return false;
  try {
    if (!emit_call(c)) return false;
  } catch (...) {
    return false;  // nothing written: the record's handle() meets the error again
  }
  emitted_.store(emitted_.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
  return true;
}

HandlerStats Handler::stats() const {
  HandlerStats s;
  s.emitted = emitted_.load(std::memory_order_relaxed);
  s.filtered = filtered_.load(std::memory_order_relaxed);
  s.dropped_peer_down = dropped_peer_down_.load(std::memory_order_relaxed);
  s.dropped_write_failed = dropped_write_failed_.load(std::memory_order_relaxed);
  s.errors = errors_.load(std::memory_order_relaxed);
  return s;
}

std::vector<std::pair<std::string, HandlerStats>> stats() {
  std::vector<std::pair<std::string, std::shared_ptr<Handler>>> named;
  {
    auto& r = registry();
    std::lock_guard lock(r.mutex);
    for (auto& [name, h] : r.by_name)
      if (auto sp = h->weak_from_this().lock()) named.emplace_back(name, std::move(sp));
  }
  std::vector<std::pair<std::string, HandlerStats>> out;
  for (auto& [name, h] : named) out.emplace_back(name, h->stats());
  return out;
}

void Handler::close() {
  closed_.store(true, std::memory_order_relaxed);
  auto& r = registry();
  std::lock_guard lock(r.mutex);
  // Python deletes the entry for its own name even if another handler owns it now.
  if (!name_.empty()) r.by_name.erase(name_);
}

std::string Handler::name() const {
  std::lock_guard lock(registry().mutex);
  return name_;
}

void Handler::set_name(std::string name) {
  auto& r = registry();
  std::lock_guard lock(r.mutex);
  if (!name_.empty()) {
    auto it = r.by_name.find(name_);
    if (it != r.by_name.end() && it->second == this) r.by_name.erase(it);
  }
  name_ = std::move(name);
  if (!name_.empty()) r.by_name[name_] = this;
}

std::string Handler::repr() const {
  return fmt::format("<{} ({})>", class_name(), get_level_name(level()));
}

void Handler::handle_error(const LogRecord& record) noexcept {
  errors_.fetch_add(1, std::memory_order_relaxed);
  if (!g_raise_exceptions.load(std::memory_order_relaxed) || t_handling_error > 2) return;
  ++t_handling_error;
  try {
    std::string out = "--- Logging error ---\n";
    out += detail::describe_current_exception();
    out += '\n';
    out += fmt::format("Logged from file {}, line {}\n", record.filename(), record.lineno);
    try {
      std::string m = "Message: ";
      detail::append_str_repr(record.msg(), m);
      m += "\nArguments: ";
      m += record.args_repr();
      m += '\n';
      out += m;
    } catch (...) {
      out +=
          "Unable to print the message and arguments - possible formatting error.\n"
          "Use the traceback above to help find the error.\n";
    }
    write_stderr(out);
  } catch (...) {
  }
  --t_handling_error;
}

std::shared_ptr<Handler> get_handler_by_name(std::string_view name) {
  auto& r = registry();
  std::lock_guard lock(r.mutex);
  auto it = r.by_name.find(name);
  if (it == r.by_name.end()) return nullptr;
  return it->second->weak_from_this().lock();
}

std::vector<std::string> get_handler_names() {
  auto& r = registry();
  std::lock_guard lock(r.mutex);
  std::vector<std::string> names;
  for (const auto& kv : r.by_name) names.push_back(kv.first);
  return names;
}

bool raise_exceptions() {
  return g_raise_exceptions.load(std::memory_order_relaxed);
}
void set_raise_exceptions(bool on) {
  g_raise_exceptions.store(on, std::memory_order_relaxed);
}

namespace detail {

std::vector<std::shared_ptr<Handler>> handlers_in_creation_order() {
  auto& r = registry();
  std::lock_guard lock(r.mutex);
  std::vector<std::shared_ptr<Handler>> out;
  for (Handler* h : r.creation_order)
    if (auto sp = h->weak_from_this().lock()) out.push_back(std::move(sp));
  return out;
}

std::string describe_current_exception() {
  auto e = std::current_exception();
  if (!e) return "NoneType: None";
  std::string out;
  describe(e, out, 0);
  return out;
}

namespace {
// Read for every record a listener writes: no __tls_get_addr call (see chain.hpp's t_hazard).
[[gnu::tls_model("initial-exec")]] constinit thread_local const void* t_listener = nullptr;
}  // namespace
const void* current_listener() noexcept {
  return t_listener;
}
void set_current_listener(const void* listener) noexcept {
  t_listener = listener;
}

}  // namespace detail
}  // namespace dictlog
