// The handler classes of a fileConfig file: the names its `class` may spell and the
// parameter order that turns its positional `args` into dictConfig's keyword keys.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace dictlog::config::detail {

// The constructor's parameters in order for Python's own handler classes (by registered
// name, "logging.handlers.RotatingFileHandler"); nullptr for any other class.
const std::vector<std::string>* handler_parameters(const std::string& registered_name);

// The registered name `class` means: fileConfig evals it in vars(logging) (StreamHandler,
// handlers.X) before importing it as a dotted name (logging.StreamHandler), so both spell
// the same class. nullopt when it is not a dotted name, which only code would be.
std::optional<std::string> registered_class_name(const std::string& written);

}  // namespace dictlog::config::detail
