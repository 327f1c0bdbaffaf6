#include "dictlog/logger.hpp"

#include <execinfo.h>

#include <algorithm>
#include <climits>
#include <cstdlib>
#include <mutex>

#include "core/last_resort.hpp"
#include "core/manager.hpp"
#include "dictlog/context.hpp"
#include "dictlog/detail/chain.hpp"
#include "dictlog/detail/thread_buffer.hpp"

namespace dictlog {

using detail::Manager;

namespace detail {
constinit const Options g_no_options{};
}

Logger::Logger(std::string name, int level) : name_(std::move(name)), level_(level) {}

Logger::~Logger() {
  delete chain_.load(std::memory_order_relaxed);
}

int Logger::level() const {
  std::lock_guard lock(Manager::get().mutex);
  return level_;
}

void Logger::set_level(int level) {
  auto& m = Manager::get();
  std::lock_guard lock(m.mutex);
  level_ = level;
  m.changed();
}

int Logger::get_effective_level() const {
  std::lock_guard lock(Manager::get().mutex);
  for (const Logger* l = this; l; l = l->parent_)
    if (l->level_ != NOTSET) return l->level_;
  return NOTSET;
}

void Logger::add_handler(std::shared_ptr<Handler> h) {
  auto& m = Manager::get();
  std::lock_guard lock(m.mutex);
  if (std::find(handlers_.begin(), handlers_.end(), h) != handlers_.end()) return;
  handlers_.push_back(std::move(h));
  m.changed();
}

void Logger::remove_handler(const std::shared_ptr<Handler>& h) {
  auto& m = Manager::get();
  std::lock_guard lock(m.mutex);
  auto it = std::find(handlers_.begin(), handlers_.end(), h);
  if (it == handlers_.end()) return;
  handlers_.erase(it);
  m.changed();
}

std::vector<std::shared_ptr<Handler>> Logger::handlers() const {
  std::lock_guard lock(Manager::get().mutex);
  return handlers_;
}

bool Logger::has_handlers() const {
  std::lock_guard lock(Manager::get().mutex);
  for (const Logger* l = this; l; l = l->parent_) {
    if (!l->handlers_.empty()) return true;
    if (!l->propagate_) break;
  }
  return false;
}

bool Logger::propagate() const {
  std::lock_guard lock(Manager::get().mutex);
  return propagate_;
}

void Logger::set_propagate(bool p) {
  auto& m = Manager::get();
  std::lock_guard lock(m.mutex);
  propagate_ = p;
  m.changed();
}

bool Logger::disabled() const {
  std::lock_guard lock(Manager::get().mutex);
  return disabled_;
}

void Logger::set_disabled(bool d) {
  auto& m = Manager::get();
  std::lock_guard lock(m.mutex);
  disabled_ = d;
  m.changed();
}

Logger* Logger::parent() const {
  std::lock_guard lock(Manager::get().mutex);
  return parent_;
}

Logger& Logger::get_child(std::string_view suffix) {
  if (this == Manager::get().root) return get_logger(suffix);
  return get_logger(name_ + "." + std::string(suffix));
}

std::vector<Logger*> Logger::get_children() const {
  auto& m = Manager::get();
  std::lock_guard lock(m.mutex);
  std::vector<Logger*> out;
  for (auto& [n, lg] : m.loggers)
    if (lg->parent_ == this) out.push_back(lg.get());
  return out;
}

LogRecord Logger::new_record(int level, const SourceLocation& w) const {
  LogRecord r(name_, level, w);
  if (detail::t_call.context_bound) [[unlikely]]
    r.context = current_context().shared();
  return r;
}

namespace {
std::string current_stack() {
  void* frames[64];
  int n = ::backtrace(frames, 64);
  std::string out = "Stack (most recent call last):";
  char** syms = ::backtrace_symbols(frames, n);
  // Oldest first, as Python prints it; skip this function and the logging call.
  for (int i = n - 1; i >= 2; --i) {
    out += "\n  ";
    out += syms ? syms[i] : "?";
  }
  std::free(syms);
  return out;
}
}  // namespace

void Logger::log_text(int level, std::string_view text, bool is_static, const SourceLocation& w,
                      const Options& o) {
  // A literal goes into the queue as a call without arguments, its extras with it.
  if (is_static && !o.exc_info && !o.stack_info) {
    const std::size_t ex = o.extra.empty() ? 0 : detail::call_extras_size(o.extra);
    if ((ex || o.extra.empty()) &&
        log_direct(
            level, ex,
            [&](detail::DirectCall& c) {
              c.fmt = text.data();
              c.fmt_size = static_cast<std::uint32_t>(text.size());
              c.file = w.file;
              c.function = w.function;
              c.line = w.line_;
              if (ex) detail::encode_call_extras(c.args(), o.extra, ex);
              c.vt = nullptr;
            },
            ex ? detail::EntryKind::call_extra : detail::EntryKind::call))
      return;
  }
  LogRecord r = new_record(level, w);
  if (is_static)
    r.set_msg(text);
  else
    r.set_msg_copy(std::string(text));
  dispatch(r, o);
}

void Logger::dispatch(LogRecord& r, const Options& o) {
  if (&o != &Options::none()) {
    if (!o.extra.empty()) {
      check_extra_keys(o.extra);  // Python raises KeyError to the caller here
      r.extra = o.extra;
    }
    if (o.exc_info) r.exc_text = detail::describe_current_exception();
    if (o.stack_info) r.stack_info = current_stack();
  }
  handle(r);
}

void Logger::handle(LogRecord& record) {
  if (threshold_.load(std::memory_order_relaxed) == INT_MAX) {
    std::lock_guard lock(Manager::get().mutex);
    if (disabled_) return;
  }
  if (has_filters() && !filter(record)) return;
  call_handlers(record);
}

void Logger::call_handlers(LogRecord& record) {
  detail::ChainUse use(chain_);
  const detail::Chain* chain = use.get();
  if (chain && !chain->handlers.empty()) {
    for (const auto& h : chain->handlers)
      if (record.levelno >= h->level()) h->handle(record);
    return;
  }
  detail::call_last_resort(name_, record);
}

}  // namespace dictlog
