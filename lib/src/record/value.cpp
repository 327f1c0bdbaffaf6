// Value: Python's str() and repr() of the values dictlog carries, and its lists and dicts.
#include "dictlog/value.hpp"

#include <charconv>

#include "dictlog/detail/pystr.hpp"

namespace dictlog {

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
  } else if (auto* l = std::get_if<const ValueList*>(&v)) {
    out += (*l)->repr;
  } else if (auto* m = std::get_if<const ValueDict*>(&v)) {
    out += (*m)->repr;
  }
}

}  // namespace

Value Value::list(std::vector<Value> items) {
  auto l = std::make_shared<ValueList>();
  l->items = std::move(items);
  l->repr += '[';
  for (std::size_t i = 0; i < l->items.size(); ++i) {
    if (i) l->repr += ", ";
    append_value(l->items[i].view(), l->repr, true);
  }
  l->repr += ']';
  Value v;
  v.v_ = std::shared_ptr<const ValueList>(std::move(l));
  return v;
}

Value Value::dict(std::vector<std::pair<std::string, Value>> items) {
  auto m = std::make_shared<ValueDict>();
  m->items.reserve(items.size());
  for (auto& [k, v] : items) {
    bool replaced = false;
    for (auto& kv : m->items)
      if (kv.first == k) kv.second = std::move(v), replaced = true;
    if (!replaced) m->items.emplace_back(std::move(k), std::move(v));
  }
  m->repr += '{';
  for (std::size_t i = 0; i < m->items.size(); ++i) {
    if (i) m->repr += ", ";
    detail::append_str_repr(m->items[i].first, m->repr);
    m->repr += ": ";
    append_value(m->items[i].second.view(), m->repr, true);
  }
  m->repr += '}';
  Value v;
  v.v_ = std::shared_ptr<const ValueDict>(std::move(m));
  return v;
}

const ValueList* Value::as_list() const {
  auto* p = std::get_if<std::shared_ptr<const ValueList>>(&v_);
  return p ? p->get() : nullptr;
}

const ValueDict* Value::as_dict() const {
  auto* p = std::get_if<std::shared_ptr<const ValueDict>>(&v_);
  return p ? p->get() : nullptr;
}

ValueView Value::view() const {
  return std::visit(
      [](const auto& x) -> ValueView {
        using T = std::decay_t<decltype(x)>;
        if constexpr (std::is_same_v<T, std::string>)
          return std::string_view(x);
        else if constexpr (std::is_same_v<T, std::shared_ptr<const ValueList>> ||
                           std::is_same_v<T, std::shared_ptr<const ValueDict>>)
          return x.get();
        else
          return x;
      },
      v_);
}

bool operator==(const Value& a, const Value& b) {
  if (a.v_.index() != b.v_.index()) return false;
  if (auto* l = a.as_list()) return l->items == b.as_list()->items;
  if (auto* m = a.as_dict()) return m->items == b.as_dict()->items;
  return a.v_ == b.v_;
}

const Value* ValueDict::find(std::string_view key) const {
  for (const auto& [k, v] : items)
    if (k == key) return &v;
  return nullptr;
}

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
