// Records by attribute name: Python's names for the attributes, makeLogRecord, and the rule
// that keeps `extra` from overwriting an attribute.
#include <array>

#include "dictlog/detail/call_extras.hpp"
#include "dictlog/detail/clock.hpp"
#include "dictlog/detail/name_filter.hpp"
#include "dictlog/errors.hpp"
#include "dictlog/record.hpp"
#include "record/intern.hpp"

namespace dictlog {

namespace {
constexpr std::array<std::string_view, attr_count> kAttrNames = {
    "name",        "msg",     "args",     "levelname",       "levelno",    "pathname",
    "filename",    "module",  "exc_info", "exc_text",        "stack_info", "lineno",
    "funcName",    "created", "msecs",    "relativeCreated", "thread",     "threadName",
    "processName", "process", "taskName", "message",         "asctime"};
constexpr auto kAttrFilter = detail::NameFilter::of(kAttrNames);
}  // namespace

std::string_view attr_name(Attr a) {
  return kAttrNames[static_cast<std::size_t>(a)];
}

std::optional<Attr> attr_from_name(std::string_view name) {
  // Every extra key of every record comes here (check_extra_keys, JsonFormatter).
  if (!kAttrFilter.may_contain(name)) return std::nullopt;
  for (std::size_t i = 0; i < kAttrNames.size(); ++i)
    if (kAttrNames[i] == name) return static_cast<Attr>(i);
  return std::nullopt;
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
  r.created_ns = detail::wall_clock_ns();
  r.relative_created = static_cast<double>(r.created_ns - detail::start_time_ns()) / 1e6;
  r.thread = detail::current_thread_ident();
  r.thread_name = detail::current_thread_name();
  r.process = detail::current_process_id();
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

namespace detail {

std::size_t call_extras_size(const dictlog::extra& e) noexcept {
  std::size_t n = 8;
  for (const auto& [key, value] : e) {
    if (key.size() > 255 || attr_from_name(key)) return 0;
    n += 2 + key.size();
    switch (value.get().index()) {
      case 0:
      case 1:
        break;
      case 2:
      case 3:
        n += 8;
        break;
      case 4:
        n += 4 + std::get<std::string>(value.get()).size();
        break;
      default:
        return 0;  // a list or dict: a pointer to shared storage, kept by the record
    }
  }
  return (n + 7) & ~std::size_t{7};
}

}  // namespace detail

}  // namespace dictlog
