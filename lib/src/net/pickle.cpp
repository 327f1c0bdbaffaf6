// pickle.dumps(d, 1) for the dicts SocketHandler sends (see detail/pickle.hpp). The opcode
// choices follow CPython's Modules/_pickle.c for protocol 1 (save_long, save_bool,
// save_float, save_unicode, batch_dict).
#include "net/pickle.hpp"

#include <algorithm>
#include <bit>
#include <cstring>
#include <iterator>
#include <map>

#include "record/py_unicode.hpp"

namespace dictlog::detail {

namespace {

constexpr std::size_t kBatchSize = 1000;  // pickle's _BATCHSIZE

void put_le32(std::uint32_t v, std::string& out) {
  for (int i = 0; i < 4; ++i) out += static_cast<char>((v >> (8 * i)) & 0xFF);
}

// The memo: CPython numbers every memoised object in order, the dict itself first.
class Memo {
 public:
  Memo() { std::fill(std::begin(small_), std::end(small_), -1); }
  // The index of an earlier equal object, or -1 after registering this one as new.
  std::int64_t find_or_add(std::string_view s) {
    if (const int slot = small_slot(s); slot >= 0) {
      if (small_[slot] >= 0) return small_[slot];
      small_[slot] = next_++;
      return -1;
    }
    auto [it, added] = by_address_.try_emplace({s.data(), s.size()}, next_);
    if (!added) return it->second;
    ++next_;
    return -1;
  }
  std::int64_t last() const { return next_ - 1; }
  void add_container() { ++next_; }

 private:
  // "" and one Latin-1 character: CPython's shared string objects. -1 for anything else.
  static int small_slot(std::string_view s) {
    if (s.empty()) return 256;
    std::size_t len = 0;
    char32_t cp = decode_utf8(s, 0, len);
    if (len == 0 || len != s.size() || cp > 0xFF) return -1;
    return static_cast<int>(cp);
  }
  std::int64_t small_[257];
  std::map<std::pair<const char*, std::size_t>, std::int64_t> by_address_;
  std::int64_t next_ = 0;
};

void put_memo_op(char short_op, char long_op, std::int64_t index, std::string& out) {
  if (index < 256) {
    out += short_op;
    out += static_cast<char>(index);
  } else {
    out += long_op;
    put_le32(static_cast<std::uint32_t>(index), out);
  }
}

// UTF-8 with "surrogatepass": a byte that is not UTF-8 is the lone surrogate U+DC00+byte
// (how dictlog reads such text, Python's surrogateescape), written as its 3-byte form.
void put_unicode(std::string_view s, std::string& out) {
  out += 'X';
  const std::size_t len_at = out.size();
  put_le32(0, out);
  const std::size_t start = out.size();
  for (std::size_t i = 0; i < s.size();) {
    std::size_t len = 0;
    decode_utf8(s, i, len);
    if (len) {
      out.append(s.substr(i, len));
      i += len;
    } else {
      const char32_t cp = 0xDC00 + static_cast<unsigned char>(s[i]);
      out += static_cast<char>(0xE0 | (cp >> 12));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
      ++i;
    }
  }
  const auto n = static_cast<std::uint32_t>(out.size() - start);
  for (int i = 0; i < 4; ++i) out[len_at + i] = static_cast<char>((n >> (8 * i)) & 0xFF);
}

void put_str(std::string_view s, Memo& memo, std::string& out) {
  if (std::int64_t seen = memo.find_or_add(s); seen >= 0) {
    put_memo_op('h', 'j', seen, out);  // BINGET / LONG_BINGET
    return;
  }
  put_unicode(s, out);
  put_memo_op('q', 'r', memo.last(), out);  // BINPUT / LONG_BINPUT
}

void put_int(std::int64_t v, std::string& out) {
  if (v >= 0 && v <= 0xFF) {
    out += 'K';  // BININT1
    out += static_cast<char>(v);
  } else if (v >= 0 && v <= 0xFFFF) {
    out += 'M';  // BININT2
    out += static_cast<char>(v & 0xFF);
    out += static_cast<char>(v >> 8);
  } else if (v >= INT32_MIN && v <= INT32_MAX) {
    out += 'J';  // BININT
    put_le32(static_cast<std::uint32_t>(static_cast<std::int32_t>(v)), out);
  } else {
    // Protocol 1 has no LONG1: the decimal text, with Python 2's "L" suffix.
    out += 'L';
    out += std::to_string(v);
    out += "L\n";
  }
}

void put_value(const PickleValue& v, Memo& memo, std::string& out);

// _pickle.c's batch_dict_exact over the items of a dict that was just memoised.
template <class Item, class PutItem>
void put_dict_items(std::span<const Item> items, PutItem put_item, std::string& out) {
  if (items.size() == 1) {
    put_item(items[0]);
    out += 's';  // SETITEM
  } else if (!items.empty()) {
    // MARK ... SETITEMS per 1000 items, and a full last batch is followed by an empty one.
    std::size_t at = 0, n = 0;
    do {
      n = std::min(kBatchSize, items.size() - at);
      out += '(';  // MARK
      for (std::size_t i = at; i < at + n; ++i) put_item(items[i]);
      out += 'u';  // SETITEMS
      at += n;
    } while (n == kBatchSize);
  }
}

void put_list(const ValueList& l, Memo& memo, std::string& out) {
  out += ']';  // EMPTY_LIST
  memo.add_container();
  put_memo_op('q', 'r', memo.last(), out);
  const auto& items = l.items;
  if (items.size() == 1) {
    put_value(pickle_value(items[0].view()), memo, out);
    out += 'a';  // APPEND
    return;
  }
  // _pickle.c's batch_list_exact: MARK ... APPENDS per 1000 items.
  for (std::size_t at = 0; at < items.size();) {
    const std::size_t n = std::min(kBatchSize, items.size() - at);
    out += '(';
    for (std::size_t i = at; i < at + n; ++i) put_value(pickle_value(items[i].view()), memo, out);
    out += 'e';  // APPENDS
    at += n;
  }
}

void put_dict(const ValueDict& m, Memo& memo, std::string& out) {
  out += '}';
  memo.add_container();
  put_memo_op('q', 'r', memo.last(), out);
  using Item = std::pair<std::string, Value>;
  put_dict_items<Item>(
      m.items,
      [&](const Item& kv) {
        put_str(kv.first, memo, out);
        put_value(pickle_value(kv.second.view()), memo, out);
      },
      out);
}

void put_value(const PickleValue& v, Memo& memo, std::string& out) {
  switch (v.index()) {
    case 0:
      out += 'N';
      break;  // NONE
    case 1:
      out += std::get<bool>(v) ? "I01\n" : "I00\n";
      break;  // INT True/False
    case 2:
      put_int(std::get<std::int64_t>(v), out);
      break;
    case 3: {
      std::uint64_t u = std::get<std::uint64_t>(v);
      if (u <= INT32_MAX) {
        put_int(static_cast<std::int64_t>(u), out);
      } else {
        out += 'L';
        out += std::to_string(u);
        out += "L\n";
      }
      break;
    }
    case 4: {
      out += 'G';  // BINFLOAT: big-endian IEEE 754
      auto bits = std::bit_cast<std::uint64_t>(std::get<double>(v));
      for (int i = 7; i >= 0; --i) out += static_cast<char>((bits >> (8 * i)) & 0xFF);
      break;
    }
    case 5:
      put_str(std::get<std::string_view>(v), memo, out);
      break;
    case 6:
      put_list(*std::get<const ValueList*>(v), memo, out);
      break;
    case 7:
      put_dict(*std::get<const ValueDict*>(v), memo, out);
      break;
  }
}

}  // namespace

PickleValue pickle_value(const ValueView& v) {
  return std::visit(
      [](const auto& x) -> PickleValue {
        return PickleValue(std::in_place_type<std::decay_t<decltype(x)>>, x);
      },
      v);
}

std::string pickle_dict(std::span<const PickleItem> items) {
  std::string out;
  out.reserve(64 + items.size() * 32);
  Memo memo;
  out += '}';  // EMPTY_DICT
  memo.add_container();
  put_memo_op('q', 'r', memo.last(), out);
  put_dict_items<PickleItem>(
      items,
      [&](const PickleItem& kv) {
        put_str(kv.first, memo, out);
        put_value(kv.second, memo, out);
      },
      out);
  out += '.';  // STOP
  return out;
}

}  // namespace dictlog::detail
