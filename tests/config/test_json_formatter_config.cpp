// python-json-logger's JsonFormatter in a configuration: its three names, "()" and "class",
// and the keys it refuses, each with the JSON Pointer of the bad value.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "dictlog/config_json.hpp"
#include "dictlog/dictlog.hpp"
#include "support/capture.hpp"

using namespace dictlog;
using nlohmann::ordered_json;

namespace {

// The problems check() finds for one formatter configuration, as "pointer: message".
std::vector<std::string> problems(const std::string& formatter) {
  auto doc = ordered_json::parse(R"({"version": 1, "formatters": {"j": )" + formatter + "}}");
  std::vector<std::string> out;
  for (const auto& p : config::check(doc)) out.push_back(p.pointer + ": " + p.message);
  return out;
}

// The line a handler with this formatter writes for logger "app" at WARNING, "hi", with
// one extra key.
std::string line_of(const std::string& formatter) {
  auto doc = ordered_json::parse(
      R"({"version": 1, "disable_existing_loggers": false, "formatters": {"j": )" + formatter +
      R"(}, "handlers": {"h": {"class": "logging.NullHandler", "formatter": "j"}}})");
  config::dict_config(doc);
  auto h = std::make_shared<test::CaptureHandler>();
  h->set_formatter(get_handler_by_name("h")->formatter());
  get_logger("app").add_handler(h);
  get_logger("app").warning("hi", extra{{"user", "alice"}});
  get_logger("app").remove_handler(h);
  return h->lines().at(0);
}

}  // namespace

TEST_CASE("the three names, by \"()\" and by \"class\"") {
  for (const char* name : {"pythonjsonlogger.json.JsonFormatter",
                           "pythonjsonlogger.jsonlogger.JsonFormatter", "dictlog.JsonFormatter"}) {
    CAPTURE(name);
    CHECK(line_of(std::string("{\"()\": \"") + name +
                  R"(", "format": "%(levelname)s %(message)s", "static_fields": {"s": 1}})") ==
          R"({"levelname": "WARNING", "message": "hi", "s": 1, "user": "alice"})");
    // With "class", CPython's dictConfig passes format, datefmt, style, validate and
    // defaults only: static_fields is ignored, as it is there.
    CHECK(line_of(std::string(R"({"class": ")") + name +
                  R"(", "format": "%(levelname)s %(message)s", "static_fields": {"s": 1}})") ==
          R"({"levelname": "WARNING", "message": "hi", "user": "alice"})");
  }
}

TEST_CASE("refused keys and values are named by their pointer") {
  const std::string j = R"j("()": "pythonjsonlogger.json.JsonFormatter", )j";
  CHECK(problems("{" + j + R"("bogus": 1})") ==
        std::vector<std::string>{"/formatters/j/bogus: pythonjsonlogger.json.JsonFormatter() got "
                                 "an unexpected keyword argument 'bogus'"});
  CHECK(problems("{" + j + R"("rename_fields": ["levelname"]})") ==
        std::vector<std::string>{"/formatters/j/rename_fields: rename_fields must be an object of "
                                 "name: new name, not ['levelname']"});
  CHECK(problems("{" + j + R"("style": "#"})") ==
        std::vector<std::string>{"/formatters/j/style: ValueError: Style must be one of: '%{$,'"});
  CHECK(problems("{" + j + R"("format": "no fields"})") ==
        std::vector<std::string>{
            "/formatters/j/format: ValueError: Invalid format 'no fields' for '%' style"});
  CHECK(problems("{" + j + R"("static_fields": 3})") ==
        std::vector<std::string>{"/formatters/j/static_fields: static_fields must be an object, "
                                 "not 3"});
  CHECK(problems("{" + j + R"("json_indent": 1.5})") ==
        std::vector<std::string>{"/formatters/j/json_indent: json_indent must be an integer, a "
                                 "string or null, not 1.5"});
  CHECK(problems("{" + j + R"("json_default": "str"})")
            .at(0)
            .starts_with("/formatters/j/json_default: json_default names Python code"));
  // With "class", keys CPython ignores are ignored; a bad style is still refused.
  CHECK(problems(R"({"class": "dictlog.JsonFormatter", "bogus": 1})").empty());
  CHECK(problems(R"({"class": "dictlog.JsonFormatter", "style": "#"})") ==
        std::vector<std::string>{"/formatters/j/style: ValueError: Style must be one of: '%{$,'"});
}
