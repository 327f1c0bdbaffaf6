// LogRecord: its construction, msg and message, and the attributes formatters read.
#include "dictlog/record.hpp"

#include "dictlog/detail/clock.hpp"
#include "dictlog/level.hpp"

namespace dictlog {

using detail::wall_clock_ns;

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
      process(detail::current_process_id()) {
  relative_created = static_cast<double>(created_ns - detail::start_time_ns()) / 1e6;
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

void LogRecord::set_prepared_borrowed(std::string_view text) {
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
    // Borrowed (set_prepared_borrowed): a std::string only for a caller that wants one.
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

std::string_view detail::filename_of(std::string_view pathname) {
  auto slash = pathname.rfind('/');
  return slash == std::string_view::npos ? pathname : pathname.substr(slash + 1);
}

std::string_view detail::module_of(std::string_view pathname) {
  std::string_view f = filename_of(pathname);
  auto dot = f.rfind('.');
  // os.path.splitext ignores leading dots: ".bashrc" has no extension.
  if (dot == std::string_view::npos || f.find_first_not_of('.') > dot) return f;
  return f.substr(0, dot);
}

std::string_view detail::func_name_of(std::string_view func) {
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

double detail::msecs_of(std::int64_t ns) {
  double ms = static_cast<double>((ns % 1'000'000'000) / 1'000'000);
  const auto created = static_cast<double>(ns) / 1e9;
  if (ms == 999.0 && static_cast<std::int64_t>(created) != ns / 1'000'000'000) ms = 0.0;
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
  if (context) [[unlikely]]
    for (const auto& [k, v] : *context)
      if (k == key) return &v;
  return nullptr;
}

}  // namespace dictlog
