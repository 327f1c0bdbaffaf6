// Formats every case of a JSON case file with dictlog and prints the results as JSON:
// [{"id": 1, "ok": "text"} | {"id": 2, "error": ["ValueError", "message"]}, ...].
// The Python driver (formatter_diff.py) compares them with CPython's.
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>

#include "dictlog/errors.hpp"
#include "dictlog/formatter.hpp"
#include "dictlog/record.hpp"
#include "record/intern.hpp"

using nlohmann::json;

namespace {

// Values travel as ["int", "5"], ["float", "1e+20"], ["str", "x"], ["bool", true], ["none"].
dictlog::Value to_value(const json& j) {
  const std::string& t = j.at(0).get_ref<const std::string&>();
  if (t == "int") return dictlog::Value(std::stoll(j.at(1).get<std::string>()));
  if (t == "float") return dictlog::Value(std::strtod(j.at(1).get<std::string>().c_str(), nullptr));
  if (t == "str") return dictlog::Value(j.at(1).get<std::string>());
  if (t == "bool") return dictlog::Value(j.at(1).get<bool>());
  return dictlog::Value();
}

dictlog::extra to_extra(const json& obj) {
  dictlog::extra e;
  // Key order matters (Python dicts keep it): the driver sends [key, value] pairs.
  for (const auto& kv : obj) e.emplace_back(kv.at(0).get<std::string>(), to_value(kv.at(1)));
  return e;
}

std::optional<std::string> opt_str(const json& c, const char* key) {
  if (!c.contains(key) || c[key].is_null()) return std::nullopt;
  return c[key].get<std::string>();
}

dictlog::LogRecord make_record(const json& r) {
  using dictlog::detail::intern;
  dictlog::LogRecord rec;
  rec.name = intern(r.at("name").get<std::string>());
  rec.levelno = r.at("levelno").get<int>();
  rec.levelname = intern(r.at("levelname").get<std::string>());
  rec.pathname = intern(r.at("pathname").get<std::string>());
  rec.func = intern(r.at("funcName").get<std::string>());
  rec.lineno = r.at("lineno").get<std::uint32_t>();
  rec.created_ns = r.at("created_ns").get<std::int64_t>();
  rec.relative_created = std::strtod(r.at("relativeCreated").get<std::string>().c_str(), nullptr);
  rec.thread = r.at("thread").get<std::uint64_t>();
  rec.thread_name = intern(r.at("threadName").get<std::string>());
  rec.process_name = intern(r.at("processName").get<std::string>());
  rec.process = r.at("process").get<std::int64_t>();
  rec.set_msg_copy(r.at("msg").get<std::string>());
  if (auto e = opt_str(r, "exc_text")) {
    rec.exc_text = *e;
    rec.exc_formatted = true;  // the driver sets record.exc_text directly, as Python sees it
  }
  rec.stack_info = opt_str(r, "stack_info");
  if (r.contains("extra")) rec.extra = to_extra(r["extra"]);
  return rec;
}

json run(const json& c) {
  try {
    dictlog::extra defaults;
    if (c.contains("defaults") && !c["defaults"].is_null()) defaults = to_extra(c["defaults"]);
    std::string style = c.value("style", "%");
    dictlog::Formatter f(opt_str(c, "fmt"), opt_str(c, "datefmt"), style.empty() ? '\0' : style[0],
                         c.value("validate", true), defaults);
    if (style.size() != 1) throw dictlog::ValueError("Style must be one of: %,{,$");
    if (c.value("utc", false)) f.set_utc(true);
    if (c.contains("default_msec_format"))
      f.default_msec_format = opt_str(c, "default_msec_format");
    if (c.contains("default_time_format"))
      f.default_time_format = opt_str(c, "default_time_format");
    dictlog::LogRecord rec = make_record(c.at("record"));
    std::string out = f.format(rec);
    if (c.value("twice", false)) out += "\n--\n" + f.format(rec);
    return json{{"id", c.at("id")}, {"ok", out}};
  } catch (const dictlog::Error& e) {
    return json{{"id", c.at("id")}, {"error", {e.python_type(), e.what()}}};
  } catch (const std::exception& e) {
    return json{{"id", c.at("id")}, {"error", {"C++ exception", e.what()}}};
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: format_cases CASES.json\n";
    return 2;
  }
  std::ifstream in(argv[1]);
  json cases = json::parse(in);
  json results = json::array();
  for (const auto& c : cases) results.push_back(run(c));
  // Invalid UTF-8 in a result is replaced rather than thrown on.
  std::cout << results.dump(-1, ' ', false, json::error_handler_t::replace) << '\n';
  return 0;
}
