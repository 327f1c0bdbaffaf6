// JSON text to an ordered_json in time that grows with the text.
//
// nlohmann's own parser inserts every key of an ordered_json object through ordered_map,
// which looks for an earlier equal key by walking the keys it has: a `loggers` object of
// 50,000 names parses in a billion string compares. read_ordered_json builds the same value
// through nlohmann's SAX interface, with a hash of the keys of each open object once it
// grows past a few. Same errors (the parser's own exceptions are thrown as they are), same
// result: a repeated key keeps its first place and takes its last value (Python's json).
//
//   nlohmann::ordered_json j = read_ordered_json(text);  // throws nlohmann's parse_error
//
// Thread-safety: none needed (no state outside the call).
#pragma once

#include <string>

#include "dictlog/config_json.hpp"

namespace dictlog::config::detail {

nlohmann::ordered_json read_ordered_json(const std::string& text);

}  // namespace dictlog::config::detail
