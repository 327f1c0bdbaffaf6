// Args: the keyword arguments of one constructor call, read by a factory through typed
// readers that report a value of the wrong type with its JSON Pointer.
#include <climits>

#include "config/builder.hpp"

namespace dictlog::config {

using detail::Converted;
using detail::Fail;
using detail::Json;
using detail::py_repr;

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
  return builder_.handler_named(v);
}

std::optional<double> Args::get_float(std::string_view key) {
  const Converted& v = value(key);
  if (v.absent() || v.is_null()) return std::nullopt;
  if (v.json && v.json->is_boolean()) return v.json->get<bool>() ? 1.0 : 0.0;
  if (v.json && v.json->is_number()) return v.json->get<double>();
  fail(key, class_name_ + ": '" + std::string(key) + "' must be a number, not " + describe(v));
}

std::optional<Value> Args::get_value(std::string_view key) {
  const Converted& v = value(key);
  if (v.absent()) return std::nullopt;
  if (v.json) {
    switch (v.json->type()) {
      case Json::value_t::null:
        return Value();
      case Json::value_t::boolean:
        return Value(v.json->get<bool>());
      case Json::value_t::number_unsigned:
        if (v.json->get<std::uint64_t>() > INT64_MAX)
          fail(key, class_name_ + ": '" + std::string(key) + "' is out of range");
        return Value(v.json->get<std::int64_t>());
      case Json::value_t::number_integer:
        return Value(v.json->get<std::int64_t>());
      case Json::value_t::number_float:
        return Value(v.json->get<double>());
      case Json::value_t::string:
        return Value(v.str());
      default:
        break;
    }
  }
  fail(key, class_name_ + ": '" + std::string(key) +
                "' must be None, a bool, a number or a string, not " + describe(v));
}

namespace detail {
const Json* ArgsAccess::json(Args& a, std::string_view key) {
  const Converted& v = a.value(key);
  if (v.entry || v.is_handler)
    a.fail(key, a.class_name_ + ": '" + std::string(key) + "' must be a plain value, not " +
                    describe(v));
  return v.json;
}
const std::string& ArgsAccess::pointer(const Args& a) {
  return a.pointer_;
}
}  // namespace detail

}  // namespace dictlog::config
