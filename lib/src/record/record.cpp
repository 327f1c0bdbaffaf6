#include "dictlog/record.hpp"

#include <pthread.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cstring>
#include <mutex>
#include <set>

#include "dictlog/errors.hpp"
#include "dictlog/level.hpp"
#include "record/clock.hpp"

namespace dictlog {

namespace {

constexpr std::array<std::string_view, attr_count> kAttrNames = {
    "name",        "msg",     "args",     "levelname",       "levelno",    "pathname",
    "filename",    "module",  "exc_info", "exc_text",        "stack_info", "lineno",
    "funcName",    "created", "msecs",    "relativeCreated", "thread",     "threadName",
    "processName", "process", "taskName", "message",         "asctime"};

using detail::wall_clock_ns;

// Read once at load, like CPython's _startTime at import.
const std::int64_t g_start_ns = wall_clock_ns();

std::atomic<std::int64_t> g_pid{::getpid()};
const int g_atfork = [] {
  pthread_atfork(nullptr, nullptr, [] { g_pid.store(::getpid(), std::memory_order_relaxed); });
  return 0;
}();

std::string_view os_thread_name() {
  if (::syscall(SYS_gettid) == ::getpid()) return detail::intern("MainThread");
  char buf[64] = {};
  if (pthread_getname_np(pthread_self(), buf, sizeof buf) == 0 && buf[0])
    return detail::intern(buf);
  return detail::intern("Thread-" + std::to_string(::syscall(SYS_gettid)));
}

}  // namespace

std::string_view attr_name(Attr a) {
  return kAttrNames[static_cast<std::size_t>(a)];
}

std::optional<Attr> attr_from_name(std::string_view name) {
  for (std::size_t i = 0; i < kAttrNames.size(); ++i)
    if (kAttrNames[i] == name) return static_cast<Attr>(i);
  return std::nullopt;
}

namespace detail {

// Constant-initialised: no TLS wrapper or __tls_get_addr call on a logging call.
constinit __attribute__((tls_model("initial-exec"))) thread_local ThreadInfo t_thread;

std::string_view intern(std::string_view s) {
  static auto* mutex = new std::mutex;
  static auto* pool = new std::set<std::string, std::less<>>;
  std::lock_guard lock(*mutex);
  auto it = pool->find(s);
  if (it == pool->end()) it = pool->emplace(s).first;
  return *it;
}

std::int64_t start_time_ns() {
  return g_start_ns;
}

namespace {
// Big enough that a batch of 4096 short lines fills a few chunks.
constexpr std::size_t kArenaChunk = 64 * 1024;
// Chunks kept past those the last batch used, for a batch that is a little longer.
constexpr std::size_t kArenaSpare = 2;
__attribute__((tls_model("initial-exec"))) thread_local TextArena* t_batch_arena = nullptr;
}  // namespace

std::string_view TextArena::store(std::string_view s) {
  if (s.empty()) return {};
  if (chunks_.empty() || chunks_[current_].size - used_ < s.size()) {
    if (!chunks_.empty()) ++current_;
    used_ = 0;
    if (current_ == chunks_.size() || chunks_[current_].size < s.size()) {
      Chunk c;
      c.size = std::max(kArenaChunk, s.size());
      c.data.reset(new char[c.size]);
      chunks_.insert(chunks_.begin() + static_cast<std::ptrdiff_t>(current_), std::move(c));
    }
  }
  char* p = chunks_[current_].data.get() + used_;
  std::memcpy(p, s.data(), s.size());
  used_ += s.size();
  return {p, s.size()};
}

void TextArena::reset() {
  std::size_t keep = chunks_.empty() ? 0 : current_ + 1 + kArenaSpare;
  if (chunks_.size() > keep) chunks_.resize(keep);
  current_ = 0;
  used_ = 0;
}

TextArena* batch_arena() {
  return t_batch_arena;
}

BatchArenaScope::BatchArenaScope(TextArena* arena) : prev_(t_batch_arena) {
  t_batch_arena = arena;
}

BatchArenaScope::~BatchArenaScope() {
  t_batch_arena = prev_;
}

std::int64_t current_process_id() {
  return g_pid.load(std::memory_order_relaxed);
}

std::string_view current_thread_name_slow() {
  if (!t_thread.named) {
    t_thread.name = os_thread_name();
    t_thread.named = true;
  }
  return t_thread.name;
}

std::uint64_t current_thread_ident_slow() {
  t_thread.ident = static_cast<std::uint64_t>(pthread_self());
  return t_thread.ident;
}

}  // namespace detail

void set_thread_name(std::string_view name) {
  detail::t_thread.name = detail::intern(name);
  detail::t_thread.named = true;
  std::string os(name.substr(0, 15));
  pthread_setname_np(pthread_self(), os.c_str());
}

LogRecord::LogRecord(std::string_view logger_name, int level, const SourceLocation& where)
    : name(logger_name),
      levelno(level),
      levelname(detail::interned_level_name(level)),
      pathname(where.file_name()),
      func(where.function_name()),
      lineno(where.line()),
      created_ns(wall_clock_ns()),
      thread(detail::current_thread_ident()),
      thread_name(detail::current_thread_name()),
      process(g_pid.load(std::memory_order_relaxed)) {
  relative_created = static_cast<double>(created_ns - g_start_ns) / 1e6;
}

void LogRecord::set_msg_copy(std::string text) {
  text_.owned_msg_ = std::move(text);
  text_.owned_ = true;
  text_.msg_ = text_.owned_msg_;
  text_.message_.reset();
  text_.message_is_msg_ = false;
}

void LogRecord::set_prepared(std::string text) {
  set_msg_copy(std::move(text));
  text_.message_is_msg_ = true;
}

void LogRecord::set_prepared_in(detail::TextArena& arena) {
  if (text_.message_is_msg_) return;  // prepared already: msg is the message, args are gone
  std::string_view text;
  if (text_.message_) {
    text = arena.store(*text_.message_);  // formatted at the call, or read by a filter
  } else if (args_.empty()) {
    text = text_.owned_ ? arena.store(text_.msg_) : text_.msg_;  // static text needs no copy
  } else {
    // Reused: formatting allocates nothing once this thread's scratch has grown.
    __attribute__((tls_model("initial-exec"))) thread_local std::string scratch;
    scratch.clear();
    args_.format_to(text_.msg_, scratch);
    text = arena.store(scratch);
  }
  args_.clear();
  text_.message_.reset();
  text_.owned_msg_.clear();
  text_.owned_ = false;
  text_.msg_ = text;
  text_.message_is_msg_ = true;
}

std::string LogRecord::take_message() {
  get_message();
  if (text_.message_is_msg_) return std::string(text_.msg_);
  std::string m = std::move(*text_.message_);
  text_.message_.reset();
  return m;
}

const std::string& LogRecord::get_message() const {
  if (text_.message_is_msg_) {
    if (text_.owned_) return text_.owned_msg_;
    // Borrowed (set_prepared_in): a std::string only for a caller that wants one.
    if (!text_.message_) text_.message_.emplace(text_.msg_);
    return *text_.message_;
  }
  if (!text_.message_) {
    std::string m;
    if (args_.empty())
      m.assign(text_.msg_);
    else
      args_.format_to(text_.msg_, m);
    text_.message_ = std::move(m);
  }
  return *text_.message_;
}

std::string_view LogRecord::filename() const {
  auto slash = pathname.rfind('/');
  return slash == std::string_view::npos ? pathname : pathname.substr(slash + 1);
}

std::string_view LogRecord::module() const {
  std::string_view f = filename();
  auto dot = f.rfind('.');
  // os.path.splitext ignores leading dots: ".bashrc" has no extension.
  if (dot == std::string_view::npos || f.find_first_not_of('.') > dot) return f;
  return f.substr(0, dot);
}

std::string_view LogRecord::func_name() const {
  std::string_view f = func;
  if (f.empty() || f.front() == '(') return f;  // "(unknown function)"
  // "void app::Db::connect(int) [with T = int]" -> "connect": cut the parameters, the return
  // type and the qualification, minding template brackets.
  int depth = 0;
  std::size_t end = f.size();
  for (std::size_t i = 0; i < f.size(); ++i) {
    char c = f[i];
    if (c == '<')
      ++depth;
    else if (c == '>' && depth > 0)
      --depth;
    else if (c == '(' && depth == 0 && i > 0) {
      end = i;
      break;
    }
  }
  f = f.substr(0, end);
  depth = 0;
  std::size_t start = 0;
  for (std::size_t i = f.size(); i-- > 0;) {
    char c = f[i];
    if (c == '>')
      ++depth;
    else if (c == '<' && depth > 0)
      --depth;
    else if (depth == 0 && (c == ' ' || (c == ':' && i > 0 && f[i - 1] == ':'))) {
      start = i + 1;
      break;
    }
  }
  f = f.substr(start);
  return f.empty() ? func : f;
}

double LogRecord::msecs() const {
  std::int64_t ns = created_ns;
  double ms = static_cast<double>((ns % 1'000'000'000) / 1'000'000);
  if (ms == 999.0 && static_cast<std::int64_t>(created()) != ns / 1'000'000'000) ms = 0.0;
  return ms;
}

ValueView LogRecord::attribute(Attr a) const {
  auto opt = [](const std::optional<std::string>& s) -> ValueView {
    if (s) return std::string_view(*s);
    return std::monostate{};
  };
  switch (a) {
    case Attr::name:
      return name;
    case Attr::msg:
      return text_.msg_;
    case Attr::args:
      return std::monostate{};
    case Attr::levelname:
      return levelname;
    case Attr::levelno:
      return static_cast<std::int64_t>(levelno);
    case Attr::pathname:
      return pathname;
    case Attr::filename:
      return filename();
    case Attr::module:
      return module();
    case Attr::exc_info:
      return opt(exc_text);
    case Attr::exc_text:
      return exc_formatted ? opt(exc_text) : ValueView{};
    case Attr::stack_info:
      return opt(stack_info);
    case Attr::lineno:
      return static_cast<std::int64_t>(lineno);
    case Attr::funcName:
      return func_name();
    case Attr::created:
      return created();
    case Attr::msecs:
      return msecs();
    case Attr::relativeCreated:
      return relative_created;
    case Attr::thread:
      return static_cast<std::int64_t>(thread);
    case Attr::threadName:
      return thread_name;
    case Attr::processName:
      return process_name;
    case Attr::process:
      return process;
    case Attr::taskName:
      return std::monostate{};
    case Attr::message:
      return message_text();
    case Attr::asctime:
      return std::monostate{};
  }
  return std::monostate{};
}

std::string LogRecord::args_repr() const {
  // QueueHandler.prepare sets args to None (set_prepared); CPython's error blocks and
  // %(args)s then show None, not ().
  if (text_.message_is_msg_) return "None";
  std::string out;
  args_.repr_to(out);
  return out;
}

const Value* LogRecord::find_extra(std::string_view key) const {
  for (const auto& [k, v] : extra)
    if (k == key) return &v;
  return nullptr;
}

void check_extra_keys(const dictlog::extra& e) {
  for (const auto& kv : e)
    if (attr_from_name(kv.first))
      throw KeyError("Attempt to overwrite '" + kv.first + "' in LogRecord");
}

LogRecord make_log_record(const dictlog::extra& attrs) {
  LogRecord r;
  r.name = "None";
  r.levelname = detail::intern("Level None");
  r.pathname = "";
  r.func = "None";
  r.created_ns = wall_clock_ns();
  r.relative_created = static_cast<double>(r.created_ns - g_start_ns) / 1e6;
  r.thread = detail::current_thread_ident();
  r.thread_name = detail::current_thread_name();
  r.process = g_pid.load(std::memory_order_relaxed);
  r.set_msg("");
  for (const auto& kv : attrs) {
    const std::string& k = kv.first;
    const Value& v = kv.second;
    auto text = [&] { return detail::intern(str(v)); };
    auto num = [&]() -> std::int64_t {
      if (auto* i = std::get_if<std::int64_t>(&v.get())) return *i;
      if (auto* d = std::get_if<double>(&v.get())) return static_cast<std::int64_t>(*d);
      return 0;
    };
    auto a = attr_from_name(k);
    if (!a) {
      r.extra.emplace_back(k, v);
      continue;
    }
    switch (*a) {
      case Attr::name:
        r.name = text();
        break;
      case Attr::msg:
        r.set_msg_copy(str(v));
        break;
      case Attr::levelname:
        r.levelname = text();
        break;
      case Attr::levelno:
        r.levelno = static_cast<int>(num());
        break;
      case Attr::pathname:
        r.pathname = text();
        break;
      case Attr::funcName:
        r.func = text();
        break;
      case Attr::lineno:
        r.lineno = static_cast<std::uint32_t>(num());
        break;
      case Attr::created:
        if (auto* d = std::get_if<double>(&v.get()))
          r.created_ns = static_cast<std::int64_t>(*d * 1e9);
        else
          r.created_ns = num() * 1'000'000'000;
        break;
      case Attr::relativeCreated:
        if (auto* d = std::get_if<double>(&v.get()))
          r.relative_created = *d;
        else
          r.relative_created = static_cast<double>(num());
        break;
      case Attr::thread:
        r.thread = static_cast<std::uint64_t>(num());
        break;
      case Attr::threadName:
        r.thread_name = text();
        break;
      case Attr::processName:
        r.process_name = text();
        break;
      case Attr::process:
        r.process = num();
        break;
      case Attr::exc_text:
        if (!v.is_none()) r.exc_text = str(v), r.exc_formatted = true;
        break;
      case Attr::stack_info:
        if (!v.is_none()) r.stack_info = str(v);
        break;
      default:
        r.extra.emplace_back(k, v);
        break;
    }
  }
  return r;
}

}  // namespace dictlog
