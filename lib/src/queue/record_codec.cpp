// The flat layout: fixed fields, then length-prefixed strings, then tagged values.
#include "queue/record_codec.hpp"

#include <cstring>
#include <variant>

#include "dictlog/errors.hpp"
#include "dictlog/queue.hpp"
#include "record/intern.hpp"

namespace dictlog::detail {

namespace {

enum Flag : std::uint8_t { kSentinel = 1, kExc = 2, kStack = 4 };
enum Tag : std::uint8_t { kNone, kFalse, kTrue, kInt, kFloat, kStr, kList, kDict };

template <class T>
void put(std::string& out, T v) {
  out.append(reinterpret_cast<const char*>(&v), sizeof v);
}
void put_str(std::string& out, std::string_view s) {
  put(out, static_cast<std::uint32_t>(s.size()));
  out.append(s);
}

void put_value(std::string& out, const ValueView& v) {
  std::visit(
      [&out](const auto& x) {
        using T = std::decay_t<decltype(x)>;
        if constexpr (std::is_same_v<T, std::monostate>) {
          put(out, kNone);
        } else if constexpr (std::is_same_v<T, bool>) {
          put(out, x ? kTrue : kFalse);
        } else if constexpr (std::is_same_v<T, std::int64_t>) {
          put(out, kInt), put(out, x);
        } else if constexpr (std::is_same_v<T, double>) {
          put(out, kFloat), put(out, x);
        } else if constexpr (std::is_same_v<T, std::string_view>) {
          put(out, kStr), put_str(out, x);
        } else if constexpr (std::is_same_v<T, const ValueList*>) {
          put(out, kList), put(out, static_cast<std::uint32_t>(x->items.size()));
          for (const Value& item : x->items) put_value(out, item.view());
        } else {
          put(out, kDict), put(out, static_cast<std::uint32_t>(x->items.size()));
          for (const auto& [k, item] : x->items) put_str(out, k), put_value(out, item.view());
        }
      },
      v);
}

class Reader {
 public:
  explicit Reader(std::string_view b) : b_(b) {}
  template <class T>
  T get() {
    T v;
    need(sizeof v);
    std::memcpy(&v, b_.data(), sizeof v);
    b_.remove_prefix(sizeof v);
    return v;
  }
  std::string_view str() {
    const auto n = get<std::uint32_t>();
    need(n);
    std::string_view s = b_.substr(0, n);
    b_.remove_prefix(n);
    return s;
  }
  Value value(int depth = 0) {
    if (depth > 64) throw ValueError("multiprocessing.Queue: a record nested too deep");
    switch (get<std::uint8_t>()) {
      case kNone:
        return Value();
      case kFalse:
        return Value(false);
      case kTrue:
        return Value(true);
      case kInt:
        return Value(get<std::int64_t>());
      case kFloat:
        return Value(get<double>());
      case kStr:
        return Value(str());
      case kList: {
        std::vector<Value> items(get<std::uint32_t>());
        for (auto& item : items) item = value(depth + 1);
        return Value::list(std::move(items));
      }
      case kDict: {
        std::vector<std::pair<std::string, Value>> items(get<std::uint32_t>());
        for (auto& [k, item] : items) k = str(), item = value(depth + 1);
        return Value::dict(std::move(items));
      }
      default:
        throw ValueError("multiprocessing.Queue: a record with an unknown value type");
    }
  }

 private:
  void need(std::size_t n) const {
    if (b_.size() < n) throw ValueError("multiprocessing.Queue: a record cut short");
  }
  std::string_view b_;
};

void encode(const LogRecord& r, std::string_view message, bool extras, std::string& out) {
  std::uint8_t flags = (is_queue_sentinel(r) ? kSentinel : 0) | (r.exc_text ? kExc : 0) |
                       (r.stack_info ? kStack : 0);
  put(out, flags);
  put(out, static_cast<std::int32_t>(r.levelno));
  put(out, r.lineno);
  put(out, r.created_ns);
  put(out, r.thread);
  put(out, r.process);
  put(out, r.relative_created);
  for (std::string_view s :
       {r.name, r.levelname, r.pathname, r.func, r.thread_name, r.process_name, message})
    put_str(out, s);
  if (r.exc_text) put_str(out, *r.exc_text);
  if (r.stack_info) put_str(out, *r.stack_info);
  const std::size_t count_at = out.size();
  std::uint32_t count = 0;
  put(out, count);
  if (!extras) return;
  for_each_extra(r, [&](std::string_view k, const ValueView& v) {
    put_str(out, k);
    put_value(out, v);
    ++count;
  });
  std::memcpy(out.data() + count_at, &count, sizeof count);
}

}  // namespace

bool encode_record(const LogRecord& r, std::size_t limit, std::string& out) {
  const std::size_t start = out.size();
  const std::string_view message = is_queue_sentinel(r) ? std::string_view() : r.message_text();
  encode(r, message, true, out);
  if (out.size() - start <= limit) return true;
  out.resize(start);
  encode(r, {}, false, out);  // what the rest takes without the message and the extras
  const std::size_t fixed = out.size() - start;
  out.resize(start);
  constexpr std::string_view kMark = " [cut]";
  std::string cut;
  if (limit >= fixed + kMark.size()) {
    std::size_t n = std::min(message.size(), limit - fixed - kMark.size());
    while (n > 0 && n < message.size() && (static_cast<unsigned char>(message[n]) & 0xC0) == 0x80)
      --n;  // not inside a UTF-8 sequence
    cut.assign(message.substr(0, n)).append(kMark);
  }
  encode(r, cut, false, out);
  if (out.size() - start > limit) out.resize(start);  // not even that fits: nothing written
  return false;
}

std::string_view RecordDecoder::name(std::string_view s) {
  auto it = names_.find(std::string(s));
  if (it != names_.end()) return it->second;
  const std::string_view kept = intern(s);
  names_.emplace(std::string(s), kept);
  return kept;
}

LogRecord RecordDecoder::decode(std::string_view bytes) {
  Reader in(bytes);
  const auto flags = in.get<std::uint8_t>();
  if (flags & kSentinel) return queue_sentinel();
  LogRecord r;
  r.levelno = in.get<std::int32_t>();
  r.lineno = in.get<std::uint32_t>();
  r.created_ns = in.get<std::int64_t>();
  r.thread = in.get<std::uint64_t>();
  r.process = in.get<std::int64_t>();
  r.relative_created = in.get<double>();
  r.name = name(in.str());
  r.levelname = name(in.str());
  r.pathname = name(in.str());
  r.func = name(in.str());
  r.thread_name = name(in.str());
  r.process_name = name(in.str());
  r.set_prepared(std::string(in.str()));
  if (flags & kExc) r.exc_text = std::string(in.str());
  if (flags & kStack) r.stack_info = std::string(in.str());
  const auto count = in.get<std::uint32_t>();
  for (std::uint32_t i = 0; i < count; ++i) {
    std::string key(in.str());
    r.extra.emplace_back(std::move(key), in.value());
  }
  return r;
}

}  // namespace dictlog::detail
