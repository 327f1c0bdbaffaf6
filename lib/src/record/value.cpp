// Value: Python's str() and repr() of the scalars dictlog carries.
#include "dictlog/value.hpp"

#include <charconv>

#include "dictlog/detail/pystr.hpp"

namespace dictlog {

ValueView Value::view() const {
  return std::visit(
      [](const auto& x) -> ValueView {
        using T = std::decay_t<decltype(x)>;
        if constexpr (std::is_same_v<T, std::string>)
          return std::string_view(x);
        else
          return x;
      },
      v_);
}

namespace {

void append_value(const ValueView& v, std::string& out, bool as_repr) {
  if (std::holds_alternative<std::monostate>(v)) {
    out += "None";
  } else if (auto* b = std::get_if<bool>(&v)) {
    out += *b ? "True" : "False";
  } else if (auto* i = std::get_if<std::int64_t>(&v)) {
    char buf[24];
    auto r = std::to_chars(buf, buf + sizeof buf, *i);
    out.append(buf, r.ptr);
  } else if (auto* d = std::get_if<double>(&v)) {
    detail::append_float_repr(*d, out);
  } else if (auto* s = std::get_if<std::string_view>(&v)) {
    if (as_repr)
      detail::append_str_repr(*s, out);
    else
      out.append(*s);
  }
}

}  // namespace

std::string str(const ValueView& v) {
  std::string out;
  append_value(v, out, false);
  return out;
}

std::string repr(const ValueView& v) {
  std::string out;
  append_value(v, out, true);
  return out;
}

}  // namespace dictlog
