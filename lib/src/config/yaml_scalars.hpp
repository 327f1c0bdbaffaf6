// PyYAML's reading of scalars and text (yaml/resolver.py, constructor.py, reader.py), for
// the YAML reader: yaml-cpp leaves plain scalars untyped, and a Python service's file means
// what yaml.safe_load makes of it. Needs no yaml-cpp.
#pragma once

#include <optional>
#include <string>

#include <nlohmann/json.hpp>

namespace dictlog::config::detail {

// The YAML 1.1 type PyYAML's implicit resolvers give a plain scalar: "bool", "float", "int",
// "null", "timestamp", "merge" ("<<"), "value" ("=") or "str".
std::string yaml_resolve(const std::string& v);

// safe_load's int and float of a scalar of that type (010 is 8, 1:30 is 90, 1_000 is 1000);
// std::invalid_argument with the reason for what JSON cannot hold (beyond 64 bits, .inf).
nlohmann::ordered_json yaml_int(std::string v);
nlohmann::ordered_json yaml_float(std::string v);

// PyYAML's reader's refusal of the text, if any: not UTF-8, or a character outside YAML's
// printable set ("invalid YAML: line 1, column 5: unacceptable character #x0000: ...").
std::optional<std::string> yaml_unacceptable(const std::string& text);

}  // namespace dictlog::config::detail
