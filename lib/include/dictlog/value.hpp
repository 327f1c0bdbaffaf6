// Value: a Python value as configuration and `extra` carry it.
//
// A record attribute holds None, bool, int, float or str, or a list or dict of those, to any
// depth (dict keys are str, in insertion order, as Python's). They render exactly as
// Python's str() and repr() do: True, None, 1.5, 1e+16, [1, 2, 3], {'k': 'v', 'n': [True,
// None, 1.5]}. Scalars are held in place; a list or dict is built once, immutable and shared
// between copies, so copying a record into a queue copies a pointer. Building one allocates.
//
//   log.warning("slow query", dictlog::extra{{"sql", q}, {"rows", 12}, {"cached", false}});
//   log.info("batch", dictlog::extra{{"ids", dictlog::Value::list({1, 2, 3})},
//                                    {"ctx", dictlog::Value::dict({{"k", "v"}})}});
//
// Thread-safety: a Value is immutable once built; any number of threads may read it.
// From JSON: dictlog::config::to_value (dictlog/config_json.hpp).
#pragma once

#include <concepts>
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace dictlog {

struct ValueList;
struct ValueDict;

// A non-owning view of a value, as the formatter reads record attributes.
using ValueView = std::variant<std::monostate, bool, std::int64_t, double, std::string_view,
                               const ValueList*, const ValueDict*>;

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

  // Python's list and dict. A repeated dict key keeps its first place and takes the last
  // value, as a dict display does.
  static Value list(std::vector<Value> items);
  static Value list(std::initializer_list<Value> items) { return list(std::vector<Value>(items)); }
  static Value dict(std::vector<std::pair<std::string, Value>> items);
  static Value dict(std::initializer_list<std::pair<std::string, Value>> items) {
    return dict(std::vector<std::pair<std::string, Value>>(items));
  }

  bool is_none() const { return std::holds_alternative<std::monostate>(v_); }
  // The scalar alternatives, or a list or dict (shared, immutable).
  using Storage = std::variant<std::monostate, bool, std::int64_t, double, std::string,
                               std::shared_ptr<const ValueList>, std::shared_ptr<const ValueDict>>;
  const Storage& get() const { return v_; }
  const ValueList* as_list() const;  // null unless a list
  const ValueDict* as_dict() const;  // null unless a dict
  ValueView view() const;

  // Python's ==, except that 1 == 1.0 == True are not equal here (the type is kept).
  friend bool operator==(const Value& a, const Value& b);

 private:
  Storage v_;
};

struct ValueList {
  std::vector<Value> items;
  std::string repr;  // rendered when built: str() and repr() of a list are the same text
};

struct ValueDict {
  std::vector<std::pair<std::string, Value>> items;
  std::string repr;
  const Value* find(std::string_view key) const;
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
