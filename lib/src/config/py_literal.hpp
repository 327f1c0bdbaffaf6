// Python expressions of a fileConfig file (`args`, `kwargs`, formatter `defaults`), read
// without eval: literals, and the few names CPython's eval finds in vars(logging) that a
// logging configuration uses, as the JSON values dictConfig would be given.
#pragma once

#include <cstddef>
#include <stdexcept>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace dictlog::config::detail {

// A refusal: what is not allowed, and the offset in the text where it starts.
struct PyLiteralError : std::runtime_error {
  PyLiteralError(std::size_t at, const std::string& what) : std::runtime_error(what), offset(at) {}
  std::size_t offset;
};

// The value of the expression `text`:
// - strings ('', "", ''' ''', """ """, r-prefixed, adjacent ones joined), ints (0x, 0o, 0b,
//   underscores, a sign), floats, True, False, None; tuples and lists as arrays, dicts with
//   string keys as objects;
// - sys.stdout, sys.stderr, sys.maxsize and any other dotted name as "ext://NAME" (resolved
//   through the registry, as dictConfig's ext:// is); logging's level names (DEBUG) as
//   their numbers; handlers.SYSLOG_UDP_PORT and the other port constants as their
//   numbers; any other handlers.X as ext://logging.handlers.X. A name starting with
//   logging. is refused, as fileConfig's eval in vars(logging) raises NameError on it.
// - tuple(), list() and dict() as empty arrays and objects.
// Anything else (a call, an operator, a subscript, a lambda, bytes, a bare unknown name, a
// string that dictConfig would convert as cfg:// or ext://) throws PyLiteralError.
nlohmann::ordered_json parse_py_literal(std::string_view text);

}  // namespace dictlog::config::detail
