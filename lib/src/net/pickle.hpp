// The pickle encoder behind SocketHandler and DatagramHandler: Python's
// pickle.dumps(d, 1) of a dict of str keys and None/bool/int/float/str values, byte for
// byte, so that a Python receiver (pickle.loads + logging.makeLogRecord) reads what
// CPython's own handler would have sent.
//
//   std::vector<dictlog::detail::PickleItem> d = {{"name", "app"}, {"levelno", 20}};
//   std::string bytes = dictlog::detail::pickle_dict(d);   // "}q\0(X\4\0\0\0nameq\1..."
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

#include "dictlog/value.hpp"

namespace dictlog::detail {

// A dict value: None, bool, int (both signs of 64 bits: a record's thread id is an
// unsigned long), float, str as UTF-8 text, or a structured `extra` value (list or dict,
// nested). Bytes that are not UTF-8 travel as
// Python's surrogate escapes (U+DC80..U+DCFF), which is what dictlog's str() takes them
// for; pickle writes those the way CPython does, with "surrogatepass".
using PickleValue = std::variant<std::monostate, bool, std::int64_t, std::uint64_t, double,
                                 std::string_view, const ValueList*, const ValueDict*>;
using PickleItem = std::pair<std::string_view, PickleValue>;

// Protocol 1 opcodes in CPython's order: EMPTY_DICT, BINPUT 0, then the items (one item:
// key value SETITEM; more: MARK ... SETITEMS per batch of up to 1000), STOP. A nested list
// is EMPTY_LIST, BINPUT, then APPEND for one item or MARK ... APPENDS per batch.
// Keys must be distinct. Ints: BININT1 / BININT2 / BININT, LONG beyond 32 bits; bools as
// INT "01"/"00" (protocol 1 has no NEWTRUE); floats BINFLOAT; strs BINUNICODE + BINPUT.
//
// CPython memoises by object identity, and a repeated object is written as BINGET. Two
// rules stand in for identity here: equal strings of at most one Latin-1 character (CPython
// keeps one object for each, and for ""), and views with the same address and length (a
// record's filename is its pathname when the path has no '/', as os.path.basename returns
// the same object).
std::string pickle_dict(std::span<const PickleItem> items);

// A ValueView as a PickleValue (the same alternatives, in the same order, less uint64).
PickleValue pickle_value(const ValueView& v);

}  // namespace dictlog::detail
