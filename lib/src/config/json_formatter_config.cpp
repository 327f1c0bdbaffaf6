// python-json-logger's JsonFormatter under the three names configuration files use. Built
// with "()", every key is a keyword argument of 4.x's constructor (an unknown one is
// refused, as Python's TypeError refuses it); with "class", the builder passes only format,
// datefmt, style, validate and defaults, as CPython's configure_formatter does.
#include "config/builder.hpp"
#include "dictlog/errors.hpp"
#include "dictlog/json_formatter.hpp"

namespace dictlog::config::detail {

namespace {

std::optional<std::string> optional_text(Args& a, std::string_view key) {
  const Json* j = json_arg(a, key);
  if (!j || j->is_null()) return std::nullopt;
  if (!j->is_string())
    a.fail(key, std::string(key) + " must be a string or null, not " + py_repr(*j));
  return j->get<std::string>();
}

bool flag(Args& a, std::string_view key, bool fallback) {
  const Json* j = json_arg(a, key);
  return j ? truthy(*j) : fallback;
}

dictlog::extra object_values(Args& a, std::string_view key) {
  dictlog::extra out;
  const Json* j = json_arg(a, key);
  if (!j || j->is_null()) return out;
  // 4.x copies it key by key ({key: d[key] for key in d}): a list or a number fails.
  if (!j->is_object()) a.fail(key, std::string(key) + " must be an object, not " + py_repr(*j));
  for (const auto& [k, v] : j->items()) out.emplace_back(k, to_value(v));
  return out;
}

std::vector<std::string> string_list(Args& a, std::string_view key, const Json& j) {
  std::vector<std::string> out;
  if (!j.is_array()) a.fail(key, std::string(key) + " must be a list of names, not " + py_repr(j));
  for (const auto& item : j) {
    if (!item.is_string())
      a.fail(key, std::string(key) + " must hold names (strings), not " + py_repr(item));
    out.push_back(item.get<std::string>());
  }
  return out;
}

std::shared_ptr<Formatter> json_formatter(Args& a) {
  for (const char* code : {"json_default", "json_encoder", "json_serializer"})
    if (a.has(code))
      a.fail(code, std::string(code) +
                       " names Python code, which a configuration cannot run here: dictlog "
                       "writes json.dumps' output itself (remove the key)");
  JsonFormatterOptions o;
  if (const Json* j = json_arg(a, "fmt"); j && !j->is_null()) {
    if (j->is_array())
      o.fields = string_list(a, "fmt", *j);
    else if (j->is_string())
      o.fmt = j->get<std::string>();
    else
      a.fail("fmt", "fmt must be a format string or a list of field names, not " + py_repr(*j));
  }
  o.datefmt = optional_text(a, "datefmt");
  if (const Json* j = json_arg(a, "style")) {
    if (!j->is_string()) a.fail("style", "Style must be one of: '%{$,' (not " + py_repr(*j) + ")");
    o.style = j->get<std::string>();
  }
  o.validate = flag(a, "validate", true);
  if (const Json* j = json_arg(a, "prefix"); j && !j->is_null()) {
    if (!j->is_string()) a.fail("prefix", "prefix must be a string, not " + py_repr(*j));
    o.prefix = j->get<std::string>();
  }
  if (const Json* j = json_arg(a, "rename_fields"); j && !j->is_null()) {
    if (!j->is_object())
      a.fail("rename_fields",
             "rename_fields must be an object of name: new name, not " + py_repr(*j));
    for (const auto& [k, v] : j->items()) {
      if (!v.is_string())
        a.fail("rename_fields",
               "rename_fields: '" + k + "' must map to a string, not " + py_repr(v));
      o.rename_fields.emplace_back(k, v.get<std::string>());
    }
  }
  o.rename_fields_keep_missing = flag(a, "rename_fields_keep_missing", false);
  o.static_fields = object_values(a, "static_fields");
  if (const Json* j = json_arg(a, "reserved_attrs"); j && !j->is_null())
    o.reserved_attrs = string_list(a, "reserved_attrs", *j);
  if (const Json* j = json_arg(a, "timestamp"); j && truthy(*j))
    o.timestamp = j->is_string() ? j->get<std::string>() : std::string("timestamp");
  o.defaults = object_values(a, "defaults");
  o.exc_info_as_array = flag(a, "exc_info_as_array", false);
  o.stack_info_as_array = flag(a, "stack_info_as_array", false);
  if (const Json* j = json_arg(a, "json_indent"); j && !j->is_null()) {
    if (j->is_string())
      o.json_indent = j->get<std::string>();
    else if (j->is_number_integer() || j->is_boolean())  // Python's ' ' * indent
      o.json_indent =
          std::string(static_cast<std::size_t>(std::max<std::int64_t>(
                          0, j->is_boolean() ? j->get<bool>() : j->get<std::int64_t>())),
                      ' ');
    else
      a.fail("json_indent", "json_indent must be an integer, a string or null, not " + py_repr(*j));
  }
  o.json_ensure_ascii = flag(a, "json_ensure_ascii", true);
  try {
    return std::make_shared<JsonFormatter>(std::move(o));
  } catch (const ValueError& e) {
    const char* key = a.has("style") && std::string_view(e.what()).starts_with("Style") ? "style"
                      : a.has("fmt")                                                    ? "fmt"
                                                                                        : "";
    a.fail(key, std::string("ValueError: ") + e.what());
  }
}

}  // namespace

std::vector<Entry> json_formatter_entries() {
  std::vector<Entry> out;
  for (const char* name : {"pythonjsonlogger.json.JsonFormatter",
                           "pythonjsonlogger.jsonlogger.JsonFormatter", "dictlog.JsonFormatter"}) {
    Entry e{Entry::Kind::formatter, name};
    e.make_formatter = json_formatter;
    out.push_back(std::move(e));
  }
  return out;
}

}  // namespace dictlog::config::detail
