// JsonFormatter: python-json-logger 4.x's BaseJsonFormatter: its constructor, and format
// with add_fields and merge_record_extra (the text pieces are in json_text.cpp).
#include "dictlog/json_formatter.hpp"

#include <algorithm>

#include "dictlog/errors.hpp"
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
  skip_ = required_;
  const auto& reserved =
      options_.reserved_attrs ? *options_.reserved_attrs : reserved_attrs_default();
  skip_.insert(skip_.end(), reserved.begin(), reserved.end());
  std::sort(skip_.begin(), skip_.end());
  uses_asctime_ = std::find(required_.begin(), required_.end(), "asctime") != required_.end();
  skips_every_attribute_ = true;
  for (int a = 0; a < attr_count; ++a)
    if (!skipped(attr_name(static_cast<Attr>(a)))) skips_every_attribute_ = false;
}

bool JsonFormatter::skipped(std::string_view key) const {
  return std::binary_search(skip_.begin(), skip_.end(), key,
                            [](std::string_view a, std::string_view b) { return a < b; });
}

std::string_view JsonFormatter::renamed(std::string_view key) const {
  for (const auto& [from, to] : options_.rename_fields)
    if (from == key) return to;
  return key;
}

namespace {

// One key of the object being built: a record or configured value, or lines of text.
struct Item {
  std::string_view key;
  ValueView value;
  const std::vector<std::string>* lines = nullptr;
};

// log_data: a dict, so a key written again keeps its first place and takes the new value.
void put(std::vector<Item>& items, std::string_view key, ValueView value,
         const std::vector<std::string>* lines = nullptr) {
  for (auto& it : items)
    if (it.key == key) {
      it.value = value;
      it.lines = lines;
      return;
    }
  items.push_back({key, value, lines});
}

const ValueList* empty_list() {
  static const ValueList none{{}, "[]"};
  return &none;
}

}  // namespace

void JsonFormatter::format_to(const LogRecord& record, std::string& out) const {
  // BaseJsonFormatter.format: record.message, then asctime only when a field names it.
  record.message_text();  // Python's record.message = record.getMessage(): it may raise
  record.message_set = true;
  std::string asctime;
  if (uses_asctime_) {
    asctime = format_time(record, datefmt());
    record.asctime.assign(asctime);
  }
  // record.args is a tuple in Python (a list in JSON); a captured call's arguments have no
  // typed form here, so a non-empty one is written as the text of its repr.
  std::string args_text = record.args_repr();
  auto attribute = [&](Attr a) -> ValueView {
    switch (a) {
      case Attr::args:
        if (args_text == "()") return empty_list();
        if (args_text == "None") return std::monostate{};
        return std::string_view(args_text);
      case Attr::asctime:
        return uses_asctime_ ? ValueView(std::string_view(asctime)) : ValueView{};
      default:
        return record.attribute(a);
    }
  };

  std::vector<Item> items;
  items.reserve(required_.size() + options_.defaults.size() + options_.static_fields.size() + 8);
  for (const auto& [k, v] : options_.defaults) put(items, renamed(k), v.view());
  for (const auto& field : required_) {  // record.__dict__.get(field)
    ValueView v;
    if (auto a = attr_from_name(field))
      v = attribute(*a);
    else if (const Value* x = record.find_extra(field))
      v = x->view();
    put(items, renamed(field), v);
  }
  for (const auto& [k, v] : options_.static_fields) put(items, renamed(k), v.view());
  std::string exc, stack;
  std::vector<std::string> exc_lines, stack_lines;
  if (record.exc_text) {
    exc = format_exception(*record.exc_text);
    if (options_.exc_info_as_array) exc_lines = detail::split_lines(exc);
    put(items, renamed("exc_info"), std::string_view(exc),
        options_.exc_info_as_array ? &exc_lines : nullptr);
  }
  if (record.stack_info && !record.stack_info->empty()) {  // Python: if record.stack_info
    stack = format_stack(*record.stack_info);
    if (options_.stack_info_as_array) stack_lines = detail::split_lines(stack);
    put(items, renamed("stack_info"), std::string_view(stack),
        options_.stack_info_as_array ? &stack_lines : nullptr);
  }
  // merge_record_extra: record.__dict__ in its order, minus the skipped and private keys.
  auto extra_item = [&](std::string_view key, ValueView v) {
    if (!skipped(key) && !key.starts_with('_')) put(items, renamed(key), v);
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
  std::string ts;
  if (options_.timestamp) {
    ts = detail::iso_utc(record.created());
    put(items, renamed(*options_.timestamp), std::string_view(ts));
  }
  if (options_.rename_fields_keep_missing)
    for (const auto& [from, to] : options_.rename_fields) {
      bool present = std::any_of(items.begin(), items.end(),
                                 [&to = to](const Item& it) { return it.key == to; });
      if (!present) items.push_back({to, std::monostate{}});
    }

  // prefix + json.dumps(log_data, indent=..., ensure_ascii=...)
  detail::JsonLayout layout;
  layout.indent = options_.json_indent ? &*options_.json_indent : nullptr;
  layout.ensure_ascii = options_.json_ensure_ascii;
  out += options_.prefix;
  out += '{';
  for (std::size_t i = 0; i < items.size(); ++i) {
    detail::append_json_item_start(layout, 1, i == 0, out);
    detail::append_json_string(items[i].key, layout.ensure_ascii, out);
    out += ": ";
    if (!items[i].lines) {
      detail::append_json_value(items[i].value, layout, 1, out);
      continue;
    }
    const auto& lines = *items[i].lines;
    out += '[';
    for (std::size_t j = 0; j < lines.size(); ++j) {
      detail::append_json_item_start(layout, 2, j == 0, out);
      detail::append_json_string(lines[j], layout.ensure_ascii, out);
    }
    if (!lines.empty()) detail::append_json_close_line(layout, 2, out);
    out += ']';
  }
  if (!items.empty()) detail::append_json_close_line(layout, 1, out);
  out += '}';
}

}  // namespace dictlog
