// Value: a Python scalar as configuration and `extra` carry it.
//
// Python's record attributes can hold any object; dictlog's hold None, bool, int, float or
// str, and render them exactly as Python's str() and repr() do (True, None, 1.5, 1e+20).
//
//   log.warning("slow query", dictlog::extra{{"sql", q}, {"rows", 12}, {"cached", false}});
#pragma once

#include <concepts>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace dictlog {

// A non-owning view of a value, as the formatter reads record attributes.
using ValueView = std::variant<std::monostate, bool, std::int64_t, double, std::string_view>;

class Value {
 public:
  Value() = default;  // None
  Value(std::nullptr_t) {}
  Value(bool b) : v_(b) {}
  template <std::integral T>
  requires(!std::same_as<T, bool> && !std::same_as<T, char>) Value(T i)
      : v_(static_cast<std::int64_t>(i)) {}
  template <std::floating_point T>
  Value(T d) : v_(static_cast<double>(d)) {}
  Value(const char* s) : v_(std::string(s)) {}
  Value(std::string_view s) : v_(std::string(s)) {}
  Value(std::string s) : v_(std::move(s)) {}

  bool is_none() const { return std::holds_alternative<std::monostate>(v_); }
  const std::variant<std::monostate, bool, std::int64_t, double, std::string>& get() const {
    return v_;
  }
  ValueView view() const;

  friend bool operator==(const Value&, const Value&) = default;

 private:
  std::variant<std::monostate, bool, std::int64_t, double, std::string> v_;
};

// Python's str() and repr() of a value.
std::string str(const ValueView& v);
std::string repr(const ValueView& v);
inline std::string str(const Value& v) {
  return str(v.view());
}
inline std::string repr(const Value& v) {
  return repr(v.view());
}

// Extra attributes for one record, in the order given (Python's `extra=` mapping).
using extra = std::vector<std::pair<std::string, Value>>;

}  // namespace dictlog
