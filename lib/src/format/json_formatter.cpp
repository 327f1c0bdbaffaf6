// JsonFormatter: python-json-logger 4.x's BaseJsonFormatter: its constructor, and format
// with add_fields and merge_record_extra (the text pieces are in json_text.cpp).
#include "dictlog/json_formatter.hpp"

#include <algorithm>
#include <memory>
#include <type_traits>
#include <typeinfo>

#include "dictlog/errors.hpp"
#include "format/json_items.hpp"
#include "format/json_text.hpp"

namespace dictlog {

namespace {

bool is_field_style(const std::string& s) {
  return s == "%" || s == "{" || s == "$";
}

// What logging.Formatter.__init__ gets: the format only for a `%`, `{` or `$` style; 4.x's
// errors for any other.
std::optional<std::string> base_fmt(const JsonFormatterOptions& o) {
  if (o.fields) return std::nullopt;
  if (is_field_style(o.style)) return o.fmt;
  if (o.style != "," && o.validate) throw ValueError("Style must be one of: '%{$,'");
  if (o.style != ",") throw ValueError("Style '" + o.style + "' is not supported");
  return std::nullopt;
}

char base_style(const JsonFormatterOptions& o) {
  return !o.fields && is_field_style(o.style) ? o.style[0] : '%';
}

}  // namespace

const std::vector<std::string>& JsonFormatter::reserved_attrs_default() {
  static const std::vector<std::string> attrs = {"args",
                                                 "asctime",
                                                 "created",
                                                 "exc_info",
                                                 "exc_text",
                                                 "filename",
                                                 "funcName",
                                                 "levelname",
                                                 "levelno",
                                                 "lineno",
                                                 "message",
                                                 "module",
                                                 "msecs",
                                                 "msg",
                                                 "name",
                                                 "pathname",
                                                 "process",
                                                 "processName",
                                                 "relativeCreated",
                                                 "stack_info",
                                                 "taskName",
                                                 "thread",
                                                 "threadName"};
  return attrs;
}

JsonFormatter::JsonFormatter(JsonFormatterOptions options)
    : Formatter(base_fmt(options), options.datefmt, base_style(options),
                options.validate && !options.fields && is_field_style(options.style)),
      options_(std::move(options)) {
  if (options_.fields)
    required_ = *options_.fields;
  else if (is_field_style(options_.style))
    required_ = detail::parse_json_fields(fmt(), options_.style[0]);
  else
    required_ = detail::comma_json_fields(options_.fmt);
  skip_.insert(required_.begin(), required_.end());
  const auto& reserved =
      options_.reserved_attrs ? *options_.reserved_attrs : reserved_attrs_default();
  skip_.insert(reserved.begin(), reserved.end());
  for (const auto& name : skip_) skip_filter_.add(name);
  uses_asctime_ = std::find(required_.begin(), required_.end(), "asctime") != required_.end();
  skips_every_attribute_ = true;
  for (int a = 0; a < attr_count; ++a)
    if (!skipped(attr_name(static_cast<Attr>(a)))) skips_every_attribute_ = false;
  // log_data's first keys, in the order format() puts them: defaults, the fields, static.
  for (const auto& [k, v] : options_.defaults) put_slot(k, &v, {});
  for (const auto& field : required_) put_slot(field, nullptr, field);
  for (const auto& [k, v] : options_.static_fields) put_slot(k, &v, {});
  for (const Slot& s : slots_) slot_keys_.add(s.key);
  one_line_ = !options_.json_indent && !options_.timestamp && !options_.rename_fields_keep_missing;
  takes_calls_ = skips_every_attribute_ &&
                 std::all_of(slots_.begin(), slots_.end(),
                             [](const Slot& s) { return !s.attr || call_carries(*s.attr); });
}

void JsonFormatter::put_slot(std::string_view key, const Value* fixed, std::string_view field) {
  const std::string_view to = renamed(key);
  auto it = std::find_if(slots_.begin(), slots_.end(), [&](const Slot& s) { return s.key == to; });
  if (it == slots_.end()) {
    Slot s;
    s.key = to;
    {
      detail::StringOut key(s.key_json);  // in the string when it goes
      key.put(", ", 2);
      detail::append_json_string(to, options_.json_ensure_ascii, key);
      key.put(": ", 2);
    }
    slots_.push_back(std::move(s));
    it = slots_.end() - 1;
  }
  it->fixed = fixed;
  it->attr = fixed ? std::nullopt : attr_from_name(field);
  it->extra_name = fixed || it->attr ? std::string() : std::string(field);
}

bool JsonFormatter::skipped(std::string_view key) const {
  return skip_filter_.may_contain(key) && skip_.find(key) != skip_.end();
}

std::string_view JsonFormatter::renamed(std::string_view key) const {
  for (const auto& [from, to] : options_.rename_fields)
    if (from == key) return to;
  return key;
}

namespace {

const ValueList* empty_list() {
  static const ValueList none{{}, "[]"};
  return &none;
}

}  // namespace

void JsonFormatter::format_to(const LogRecord& record, std::string& out) const {
  // BaseJsonFormatter.format: record.message, then asctime only when a field names it.
  record.message_text();  // Python's record.message = record.getMessage(): it may raise
  record.message_set = true;
  std::string own_asctime;
  std::string_view asctime;
  if (uses_asctime_) {
    if (const std::string* cached = cached_asctime(record, typeid(JsonFormatter))) {
      asctime = *cached;
    } else {
      own_asctime = format_time(record, datefmt());
      asctime = own_asctime;
    }
    record.asctime.assign(asctime);
    asctime = record.asctime.view();  // the thread's cache may change before the line is written
  }
  // record.args is a tuple in Python (a list in JSON); a captured call's arguments have no
  // typed form here, so a non-empty one is written as the text of its repr, made only
  // when a key takes it.
  std::optional<std::string> args_text;
  auto attribute = [&](Attr a) -> ValueView {
    switch (a) {
      case Attr::args:
        if (!args_text) args_text = record.args_repr();
        if (*args_text == "()") return empty_list();
        if (*args_text == "None") return std::monostate{};
        return std::string_view(*args_text);
      case Attr::asctime:
        return uses_asctime_ ? ValueView(asctime) : ValueView{};
      default:
        return record.attribute(a);
    }
  };

  detail::JsonItems items;
  for (const Slot& s : slots_) {
    ValueView v;
    if (s.fixed)
      v = s.fixed->view();
    else if (s.attr)
      v = attribute(*s.attr);
    else if (const Value* x = record.find_extra(s.extra_name))
      v = x->view();
    items.push_back({s.key, v, nullptr, s.key_json});
  }
  std::string exc, stack;
  std::vector<std::string> exc_lines, stack_lines;
  if (record.exc_text) {
    exc = format_exception(*record.exc_text);
    if (options_.exc_info_as_array) exc_lines = detail::split_lines(exc);
    items.put(renamed("exc_info"), std::string_view(exc),
              options_.exc_info_as_array ? &exc_lines : nullptr);
  }
  if (record.stack_info && !record.stack_info->empty()) {  // Python: if record.stack_info
    stack = format_stack(*record.stack_info);
    if (options_.stack_info_as_array) stack_lines = detail::split_lines(stack);
    items.put(renamed("stack_info"), std::string_view(stack),
              options_.stack_info_as_array ? &stack_lines : nullptr);
  }
  // merge_record_extra: record.__dict__ in its order, minus the skipped and private keys.
  auto extra_item = [&](std::string_view key, ValueView v) {
    if (!key.starts_with('_') && !skipped(key)) items.put(renamed(key), v);
  };
  if (skips_every_attribute_) {
    for_each_extra(record, extra_item);
  } else {
    std::string dict_args;
    for (const auto& [key, v] : record_dict(record, dict_args)) {
      auto a = attr_from_name(key);
      extra_item(key, a ? attribute(*a) : v);
    }
  }
  add_last_items(items, record.created());
  detail::write_json_object(options_, items, out);
}

void JsonFormatter::add_last_items(detail::JsonItems& items, double created) const {
  if (options_.timestamp) {
    thread_local std::string ts;  // no allocation per line once it has grown
    detail::iso_utc(created, ts);
    items.put(renamed(*options_.timestamp), std::string_view(ts));
  }
  if (options_.rename_fields_keep_missing)
    for (const auto& [from, to] : options_.rename_fields) {
      bool present = std::any_of(items.begin(), items.end(),
                                 [&to = to](const detail::JsonItem& it) { return it.key == to; });
      if (!present) items.push_back({to, std::monostate{}, nullptr, {}});
    }
}

namespace detail {

void write_json_object(const JsonFormatterOptions& o, JsonItems& items, std::string& out) {
  // Through a buffer on the stack rather than a string append per piece.
  JsonLayout layout;
  layout.indent = o.json_indent ? &*o.json_indent : nullptr;
  layout.ensure_ascii = o.json_ensure_ascii;
  StringOut w(out);
  w.put(o.prefix.data(), o.prefix.size());
  w.put("{", 1);
  for (std::size_t i = 0; i < items.size(); ++i) {
    const JsonItem& item = items[i];
    if (!item.key_json.empty() && !layout.indent) {
      const std::size_t skip = i == 0 ? 2 : 0;  // ", " starts the key of every item but one
      w.put(item.key_json.data() + skip, item.key_json.size() - skip);
    } else {
      append_json_item_start(layout, 1, i == 0, w);
      if (!item.key_json.empty()) {
        w.put(item.key_json.data() + 2, item.key_json.size() - 2);
      } else {
        append_json_string(item.key, layout.ensure_ascii, w);
        w.put(": ", 2);
      }
    }
    if (!item.lines) {
      append_json_value(item.value, layout, 1, w);
      continue;
    }
    const auto& lines = *item.lines;
    w.put("[", 1);
    for (std::size_t j = 0; j < lines.size(); ++j) {
      append_json_item_start(layout, 2, j == 0, w);
      append_json_string(lines[j], layout.ensure_ascii, w);
    }
    if (!lines.empty()) append_json_close_line(layout, 2, w);
    w.put("]", 1);
  }
  if (!items.empty()) append_json_close_line(layout, 1, w);
  w.put("}", 1);
}

}  // namespace detail

}  // namespace dictlog
