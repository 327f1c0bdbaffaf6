// Python's urllib.parse.quote_plus and urlencode, byte for byte: what HTTPHandler sends as
// its query string or form body. Not installed.
//
//   detail::url_encode({{"user", "é ü"}, {"n", "3"}})   // "user=%C3%A9+%C3%BC&n=3"
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace dictlog::detail {

// quote_plus(s, safe=''): letters, digits and "_.-~" stay, a space becomes '+', every
// other byte becomes %XX with upper-case hex. `s` is taken as the UTF-8 bytes Python's
// str.encode('utf-8') would give, so non-ASCII text is encoded byte by byte as CPython does.
std::string quote_plus(std::string_view s);

// urlencode(items): quote_plus(key) "=" quote_plus(value), joined with '&', in order.
// Values are already str()-rendered (Python's urlencode applies str() itself).
std::string url_encode(const std::vector<std::pair<std::string, std::string>>& items);

}  // namespace dictlog::detail
