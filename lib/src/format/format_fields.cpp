// Field lookups for one format call: Python's `defaults | record.__dict__`.
#include "dictlog/detail/pystr.hpp"
#include "format/format_template.hpp"

namespace dictlog::detail {

FieldRef FieldRef::resolve(std::string_view name) {
  FieldRef r;
  r.key = std::string(name);
  if (auto a = attr_from_name(name)) {
    r.kind = by_attr;
    r.attr = *a;
  }
  return r;
}

void throw_not_found(std::string_view key) {
  std::string msg = "Formatting field not found in record: ";
  append_str_repr(key, msg);
  throw ValueError(msg);
}

namespace {

const Value* find_default(const dictlog::extra& defaults, std::string_view key) {
  for (const auto& kv : defaults)
    if (kv.first == key) return &kv.second;
  return nullptr;
}

}  // namespace

PyVal FieldSource::get(const FieldRef& ref) {
  if (ref.kind == FieldRef::by_attr) {
    switch (ref.attr) {
      case Attr::args:
        if (!args_done_) {
          args_repr_ = record_.args_repr();
          args_done_ = true;
        }
        {
          PyVal v;
          v.kind = PyVal::tuple;
          v.s = args_repr_;
          return v;
        }
      case Attr::asctime:
        // Set by format() when the format uses the time; otherwise only a default can
        // supply it, as in Python.
        if (asctime_) return PyVal::of_str(*asctime_);
        break;
      case Attr::message:
        return PyVal::of_str(record_.message_text());
      default:
        return PyVal::of(record_.attribute(ref.attr));
    }
  }
  if (const Value* v = record_.find_extra(ref.key)) return PyVal::of(v->view());
  if (const Value* v = find_default(defaults_, ref.key)) return PyVal::of(v->view());
  throw_not_found(ref.key);
}

void FieldSource::append_str_of(const FieldRef& ref, std::string& out) {
  // The string attributes formats name most, appended with no PyVal in between.
  if (ref.kind == FieldRef::by_attr) {
    switch (ref.attr) {
      case Attr::name:
        out.append(record_.name);
        return;
      case Attr::levelname:
        out.append(record_.levelname);
        return;
      case Attr::message:
        out.append(record_.message_text());
        return;
      case Attr::asctime:
        if (asctime_) {
          out.append(*asctime_);
          return;
        }
        break;
      default:
        break;
    }
  }
  append_str(get(ref), out);
}

PyVal FieldSource::mapping() {
  if (dict_repr_.empty()) {
    // Key order of `defaults | record.__dict__`: defaults first, record keys after.
    std::string& o = dict_repr_;
    o += '{';
    bool first = true;
    auto item = [&](std::string_view key, const PyVal& v) {
      if (!first) o += ", ";
      first = false;
      append_str_repr(key, o);
      o += ": ";
      append_repr(v, o);
    };
    auto record_value = [&](std::string_view key, PyVal& out) -> bool {
      if (auto a = attr_from_name(key)) {
        if (*a == Attr::asctime && !asctime_) return false;
        FieldRef r;
        r.kind = FieldRef::by_attr;
        r.attr = *a;
        out = get(r);
        if (*a == Attr::exc_info && !record_.has_exc_info()) out = PyVal{};
        return true;
      }
      if (const Value* v = record_.find_extra(key)) {
        out = PyVal::of(v->view());
        return true;
      }
      return false;
    };
    for (const auto& kv : defaults_) {
      PyVal v;
      if (!record_value(kv.first, v)) v = PyVal::of(kv.second.view());
      item(kv.first, v);
    }
    auto seen = [&](std::string_view key) { return find_default(defaults_, key) != nullptr; };
    auto attr_item = [&](Attr a) {
      std::string_view key = attr_name(a);
      PyVal v;
      if (!seen(key) && record_value(key, v)) item(key, v);
    };
    for (int a = 0; a < static_cast<int>(Attr::message); ++a) attr_item(static_cast<Attr>(a));
    for_each_extra(record_, [&](std::string_view key, ValueView v) {
      if (!seen(key)) item(key, PyVal::of(v));
    });
    attr_item(Attr::message);
    attr_item(Attr::asctime);
    o += '}';
  }
  PyVal v;
  v.kind = PyVal::mapping;
  v.s = dict_repr_;
  return v;
}

}  // namespace dictlog::detail
