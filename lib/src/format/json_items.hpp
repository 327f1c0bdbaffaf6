// The object JsonFormatter builds for one record or queued call (python-json-logger's
// log_data dict) and its writing as json.dumps writes it.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "dictlog/json_formatter.hpp"
#include "dictlog/value.hpp"

namespace dictlog::detail {

// One key of the object: a record or configured value, or lines of text.
struct JsonItem {
  std::string_view key;
  ValueView value;
  const std::vector<std::string>* lines = nullptr;
  std::string_view key_json;  // ", ", the key written and ": ", when known in advance
};

// log_data's items: on the stack for the usual handful, so that a record costs no heap.
class JsonItems {
 public:
  JsonItems() {}  // NOLINT: the inline items start their lifetime in push_back
  ~JsonItems() {}
  JsonItems(const JsonItems&) = delete;
  JsonItems& operator=(const JsonItems&) = delete;

  std::size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  JsonItem* begin() { return heap_.empty() ? inline_ : heap_.data(); }
  JsonItem* end() { return begin() + size_; }
  JsonItem& operator[](std::size_t i) { return begin()[i]; }
  void push_back(const JsonItem& it) {
    if (size_ < kInline) {
      std::construct_at(inline_ + size_++, it);
      return;
    }
    if (heap_.empty()) heap_.assign(inline_, inline_ + kInline);
    heap_.push_back(it);
    ++size_;
  }
  // log_data[key] = value: a key written again keeps its first place, takes the new value.
  void put(std::string_view key, ValueView value, const std::vector<std::string>* lines = nullptr) {
    for (auto& it : *this)
      if (it.key == key) {
        it.value = value;
        it.lines = lines;
        return;
      }
    push_back({key, value, lines, {}});
  }

 private:
  static constexpr std::size_t kInline = 16;
  static_assert(std::is_trivially_destructible_v<JsonItem>);
  union {
    JsonItem inline_[kInline];
  };
  std::size_t size_ = 0;
  std::vector<JsonItem> heap_;
};

// prefix + json.dumps(log_data, indent=..., ensure_ascii=...), appended to `out`.
void write_json_object(const JsonFormatterOptions& o, JsonItems& items, std::string& out);

}  // namespace dictlog::detail
