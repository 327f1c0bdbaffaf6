// NameFilter: a 128-byte summary of a set of names that says "not in the set" for most
// other names without comparing text. Attribute names and reserved keys are checked against
// every `extra` key of every record; most such keys are in neither set.
//
//   constexpr auto f = NameFilter::of(std::array<std::string_view, 2>{"name", "msg"});
//   f.may_contain("user");  // false: no 4-byte name starting with 'u'
//   f.may_contain("name");  // true: compare the text to be sure
//
// Thread-safety: immutable once built; may_contain() may run on any number of threads.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace dictlog::detail {

class NameFilter {
 public:
  // One bit per (length, low 5 bits of the first byte); lengths from 31 on share a row.
  constexpr void add(std::string_view name) {
    if (name.empty())
      empty_ = true;
    else
      rows_[row(name)] |= std::uint32_t{1} << (name[0] & 31);
  }
  // False: the name is certainly not in the set. True: it may be.
  constexpr bool may_contain(std::string_view name) const {
    return name.empty() ? empty_ : (rows_[row(name)] >> (name[0] & 31) & 1) != 0;
  }
  template <class Names>
  static constexpr NameFilter of(const Names& names) {
    NameFilter f;
    for (const auto& n : names) f.add(n);
    return f;
  }

 private:
  static constexpr std::size_t row(std::string_view name) {
    return std::min<std::size_t>(name.size(), 31);
  }
  std::uint32_t rows_[32] = {};
  bool empty_ = false;
};

}  // namespace dictlog::detail
