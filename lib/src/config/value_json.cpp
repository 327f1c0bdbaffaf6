// to_value: a JSON value as the Python object json.loads makes of it.
#include "dictlog/config_json.hpp"
#include "dictlog/errors.hpp"

namespace dictlog::config {

namespace {

template <class J>
Value convert(const J& j, int depth) {
  // json.loads refuses what nests deeper than its recursion limit; a stack is finite here too.
  if (depth > 200) throw ValueError("value nests more than 200 lists or objects deep");
  switch (j.type()) {
    case J::value_t::null:
      return Value();
    case J::value_t::boolean:
      return Value(j.template get<bool>());
    case J::value_t::number_integer:
      return Value(j.template get<std::int64_t>());
    case J::value_t::number_unsigned: {
      const auto u = j.template get<std::uint64_t>();
      if (u > static_cast<std::uint64_t>(INT64_MAX))
        throw ValueError("integer " + std::to_string(u) + " does not fit dictlog's 64-bit int");
      return Value(static_cast<std::int64_t>(u));
    }
    case J::value_t::number_float:
      return Value(j.template get<double>());
    case J::value_t::string:
      return Value(j.template get<std::string>());
    case J::value_t::array: {
      std::vector<Value> items;
      items.reserve(j.size());
      for (const auto& e : j) items.push_back(convert(e, depth + 1));
      return Value::list(std::move(items));
    }
    case J::value_t::object: {
      std::vector<std::pair<std::string, Value>> items;
      items.reserve(j.size());
      for (const auto& [k, v] : j.items()) items.emplace_back(k, convert(v, depth + 1));
      return Value::dict(std::move(items));
    }
    default:
      throw ValueError("a JSON value of this type has no Python equivalent");
  }
}

}  // namespace

Value to_value(const nlohmann::ordered_json& j) {
  return convert(j, 0);
}

Value to_value(const nlohmann::json& j) {
  return convert(j, 0);
}

}  // namespace dictlog::config
