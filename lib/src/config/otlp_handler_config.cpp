// dictlog.handlers.OTLPHandler for configuration files:
//   {"class": "dictlog.handlers.OTLPHandler", "endpoint": "http://collector:4318/v1/logs",
//    "headers": {"Authorization": "Bearer ..."}, "resource": {"service.name": "billing"},
//    "timeout": 10, "max_batch": 512, "flush_interval": 1, "max_queue": 2048,
//    "gzip": false, "retry_initial": 1, "retry_max": 5, "max_attempts": 5,
//    "shutdown_timeout": 5}
// Without libcurl the name is known and refused, saying why.
#include "config/builder.hpp"
#include "dictlog/config_json.hpp"
#include "dictlog/errors.hpp"

#ifdef DICTLOG_HAVE_CURL
#include "dictlog/otlp_handler.hpp"
#endif

namespace dictlog::config::detail {

namespace {

constexpr const char* kName = "dictlog.handlers.OTLPHandler";

#ifdef DICTLOG_HAVE_CURL

std::shared_ptr<Handler> make_otlp(Args& a) {
  OTLPOptions o;
  o.endpoint = a.get_string("endpoint");
  if (const Json* j = json_arg(a, "headers"); j && !j->is_null()) {
    if (!j->is_object()) a.fail("headers", "OTLPHandler: 'headers' must be an object of strings");
    for (const auto& [k, v] : j->items()) {
      if (!v.is_string())
        a.fail("headers",
               "OTLPHandler: the header '" + k + "' must be a string, not " + py_repr(v));
      o.headers.emplace_back(k, v.get<std::string>());
    }
  }
  if (const Json* j = json_arg(a, "resource"); j && !j->is_null()) {
    if (!j->is_object())
      a.fail("resource", "OTLPHandler: 'resource' must be an object of attributes");
    for (const auto& [k, v] : j->items()) o.resource.emplace_back(k, to_value(v));
  }
  auto seconds = [&a](const char* key) -> std::optional<double> {
    auto v = a.get_float(key);
    if (v && *v < 0)
      a.fail(key, std::string("OTLPHandler: '") + key + "' must be a number of seconds, 0 or more");
    return v;
  };
  auto count = [&a](const char* key) -> std::optional<std::int64_t> {
    auto v = a.get_int(key);
    if (v && *v < 1) a.fail(key, std::string("OTLPHandler: '") + key + "' must be at least 1");
    return v;
  };
  if (const Json* j = json_arg(a, "timeout"); j && !j->is_null()) {
    if (!j->is_number() || j->get<double>() <= 0)
      a.fail("timeout",
             "OTLPHandler: 'timeout' must be a number of seconds above 0, not " + py_repr(*j));
    o.timeout = j->get<double>();
  }
  if (auto v = count("max_batch")) o.max_batch = static_cast<std::size_t>(*v);
  if (auto v = count("max_queue")) o.max_queue = static_cast<std::size_t>(*v);
  if (auto v = count("max_attempts")) o.max_attempts = static_cast<int>(*v);
  if (auto v = seconds("flush_interval")) o.flush_interval = *v;
  if (auto v = seconds("retry_initial")) o.retry_initial = *v;
  if (auto v = seconds("retry_max")) o.retry_max = *v;
  if (auto v = seconds("shutdown_timeout")) o.shutdown_timeout = *v;
  if (a.has("gzip")) o.gzip = a.get_bool("gzip", false);
  try {
    auto h = std::make_shared<OTLPHandler>(o);  // checks the endpoint even in a dry run
    return a.dry() ? nullptr : h;
  } catch (const ValueError& e) {
    const std::string_view what = e.what();
    a.fail(what.find("gzip") != what.npos ? "gzip" : "endpoint", e.what());
  }
}

#endif

}  // namespace

Entry otlp_handler_entry() {
  Entry e{Entry::Kind::handler, kName};
#ifdef DICTLOG_HAVE_CURL
  e.make_handler = make_otlp;
#else
  e.unavailable = std::string(kName) +
                  ": this build of dictlog lacks libcurl (install libcurl's development files "
                  "and configure with meson's -Dcurl=enabled)";
#endif
  return e;
}

}  // namespace dictlog::config::detail
