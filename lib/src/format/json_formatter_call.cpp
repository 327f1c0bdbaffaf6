// JsonFormatter's line for a queued call (QueueListener's direct path): the object
// format_to() writes for the call's record, made from the call's fields and its encoded
// extras, so that the listener builds no LogRecord for it.
#include <algorithm>
#include <cstring>
#include <iterator>
#include <string>
#include <typeinfo>

#include "dictlog/detail/call_extras.hpp"
#include "dictlog/detail/capture.hpp"
#include "dictlog/detail/clock.hpp"
#include "dictlog/json_formatter.hpp"
#include "format/json_items.hpp"
#include "format/json_text.hpp"

namespace dictlog {

namespace {

// A longer message's room, kept by the thread from line to line: no allocation per line
// once it has grown, up to kKeptScratch (a rare giant message does not stay resident).
// `busy`: a message formatted while another is (an argument's formatter that formats
// another call on this thread) takes its own.
constexpr std::size_t kKeptScratch = 64 * 1024;
struct MessageScratch {
  std::string text;
  bool busy = false;
};
thread_local MessageScratch t_message_scratch;

// A call's message, formatted on the stack (most are short), moved to the thread's
// scratch past that.
class MessageOut final : public detail::TextOut {
 public:
  MessageOut() {
    start_ = w_ = buf_;
    end_ = buf_ + sizeof buf_;
  }
  ~MessageOut() {
    if (!in_scratch_) return;
    t_message_scratch.busy = false;
    if (t_message_scratch.text.size() > kKeptScratch) std::string().swap(t_message_scratch.text);
  }
  std::string_view text() const { return {start_, static_cast<std::size_t>(w_ - start_)}; }
  void rewind(std::size_t n) override { w_ = start_ + n; }

 private:
  void grow(std::size_t n) override {
    const auto used = static_cast<std::size_t>(w_ - start_);
    if (!heap_) {
      in_scratch_ = !t_message_scratch.busy;
      heap_ = in_scratch_ ? &t_message_scratch.text : &own_;
      if (in_scratch_) t_message_scratch.busy = true;
      if (heap_->size() < 2 * (used + n)) heap_->resize(2 * (used + n));
      std::memcpy(heap_->data(), start_, used);
    } else {
      heap_->resize(2 * (used + n));  // keeps the bytes written
    }
    start_ = heap_->data();
    w_ = start_ + used;
    end_ = start_ + heap_->size();
  }

  std::string* heap_ = nullptr;
  bool in_scratch_ = false;  // the thread-local is reached only past the stack buffer
  std::string own_;
  char buf_[256];
};

}  // namespace

bool JsonFormatter::call_carries(Attr a) {
  switch (a) {
    // Not in a call's fields; msg and args are also what QueueHandler.prepare replaced.
    case Attr::msg:
    case Attr::args:
    case Attr::thread:
    case Attr::threadName:
    case Attr::process:
    case Attr::processName:
      return false;
    default:
      return true;
  }
}

bool JsonFormatter::is_slot_key_slow(std::string_view key) const {
  return std::any_of(slots_.begin(), slots_.end(), [key](const Slot& s) { return s.key == key; });
}

bool JsonFormatter::format_call_to(const detail::CallFields& c, std::string& out) const {
  if (!takes_calls_ || typeid(*this) != typeid(JsonFormatter)) return false;
  std::string_view asctime;
  if (uses_asctime_) {
    // Valid until this thread formats another time: the line is written before that.
    const std::string* cached = cached_asctime_at(c.created_ns);
    if (!cached) return false;
    asctime = *cached;
  }
  // LogRecord::get_message(): msg as it is when there are no arguments.
  MessageOut message;
  std::string_view text = c.msg;
  if (c.vt && c.vt->count > 0) {
    try {
      c.vt->format(c.args, c.msg, message);
    } catch (...) {
      return false;  // format_to() will say why
    }
    text = message.text();
  }
  auto attribute = [&](Attr a) -> ValueView {
    switch (a) {
      case Attr::name:
        return c.name;
      case Attr::levelname:
        return c.levelname;
      case Attr::levelno:
        return std::int64_t{c.levelno};
      case Attr::pathname:
        return c.pathname;
      case Attr::filename:
        return detail::filename_of(c.pathname);
      case Attr::module:
        return detail::module_of(c.pathname);
      case Attr::lineno:
        return std::int64_t{c.lineno};
      case Attr::funcName:
        return detail::func_name_of(c.func);
      case Attr::created:
        return static_cast<double>(c.created_ns) / 1e9;
      case Attr::msecs:
        return detail::msecs_of(c.created_ns);
      case Attr::relativeCreated:
        return static_cast<double>(c.created_ns - detail::start_time_ns()) / 1e6;
      case Attr::message:
        return text;
      case Attr::asctime:
        return asctime;
      default:
        return std::monostate{};  // exc_info, exc_text, stack_info, taskName: None
    }
  };

  auto slot_value = [&](const Slot& s) -> ValueView {
    if (s.fixed) return s.fixed->view();
    if (s.attr) return attribute(*s.attr);
    ValueView v;
    if (c.extras) {
      bool found = false;  // the first of a repeated key, as LogRecord::find_extra
      detail::for_each_call_extra(c.extras, [&](std::string_view k, ValueView x) {
        if (!found && k == s.extra_name) v = x, found = true;
      });
    }
    return v;
  };
  // merge_record_extra: only the call's extras, every record attribute being reserved.
  auto merged = [this](std::string_view k) { return !k.starts_with('_') && !skipped(k); };
  auto rename = [this](std::string_view k) {
    return options_.rename_fields.empty() ? k : renamed(k);
  };

  if (one_line_) {
    // Each key once, the usual case: the object in the order its keys come, with no dict
    // built. An extra whose key comes again takes the dict's way below, from the start.
    // The extras' keys written (more: taken as a repeat); not zeroed, only n_seen are read.
    const char* seen_data[16];
    std::size_t seen_size[16];
    std::size_t n_seen = 0;
    auto seen_before = [&](std::string_view key) {
      for (std::size_t i = 0; i < n_seen; ++i)
        if (std::string_view(seen_data[i], seen_size[i]) == key) return true;
      return false;
    };
    bool repeats = false;
    detail::JsonLayout layout;
    layout.ensure_ascii = options_.json_ensure_ascii;
    detail::StringOut w(out);
    w.put(options_.prefix.data(), options_.prefix.size());
    w.put("{", 1);
    std::size_t skip = 2;  // ", " starts the key of every item but the first
    for (const Slot& s : slots_) {
      w.put(s.key_json.data() + skip, s.key_json.size() - skip);
      skip = 0;
      detail::append_json_value(slot_value(s), layout, 1, w);
    }
    if (c.extras)
      detail::for_each_call_extra(c.extras, [&](std::string_view k, ValueView v) {
        if (repeats || !merged(k)) return;
        const std::string_view key = rename(k);
        repeats = n_seen == std::size(seen_data) || is_slot_key(key) || seen_before(key);
        if (repeats) return;
        seen_data[n_seen] = key.data();
        seen_size[n_seen++] = key.size();
        if (skip == 0) w.put(", ", 2);
        skip = 0;
        detail::append_json_string(key, layout.ensure_ascii, w);
        w.put(": ", 2);
        detail::append_json_value(v, layout, 1, w);
      });
    if (!repeats) {
      w.put("}", 1);
      return true;
    }
    w.rewind(0);  // `out` as it was, before the dict's way writes it
  }

  detail::JsonItems items;
  for (const Slot& s : slots_) items.push_back({s.key, slot_value(s), nullptr, s.key_json});
  if (c.extras)
    detail::for_each_call_extra(c.extras, [&](std::string_view k, ValueView v) {
      if (merged(k)) items.put(rename(k), v);
    });
  add_last_items(items, static_cast<double>(c.created_ns) / 1e9);
  detail::write_json_object(options_, items, out);
  return true;
}

}  // namespace dictlog
