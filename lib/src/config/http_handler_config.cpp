// The registry entry of logging.handlers.HTTPHandler, and its "." attribute `timeout`.
// HTTPHandler exists only in a build with libcurl; without it the name is still known, so a
// configuration naming it is told why it cannot be built rather than "no such class".
#include "config/builder.hpp"

#ifdef DICTLOG_HAVE_CURL
#include "dictlog/http_handler.hpp"
#endif

namespace dictlog::config::detail {

namespace {

#ifdef DICTLOG_HAVE_CURL

// HTTPHandler(host, url, method="GET", secure=False, credentials=None, context=None), with
// CPython's checks. Where CPython accepts a value it fails on at every record, the
// configuration is rejected instead (the differences are commented).
std::shared_ptr<Handler> make_http(Args& a) {
  auto host = a.required_string("host");
  auto url = a.required_string("url");
  // method.upper(): CPython needs a str (AttributeError otherwise).
  std::string method = "GET";
  if (const Json* j = json_arg(a, "method")) {
    if (!j->is_string())
      a.fail("method", "HTTPHandler: 'method' must be \"GET\" or \"POST\", not " + py_repr(*j));
    method = j->get<std::string>();
  }
  std::string upper = method;
  for (char& c : upper)
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  if (upper != "GET" && upper != "POST")
    a.fail("method", "method must be GET or POST (not " + py_repr(Json(method)) + ")");
  const bool secure = a.get_bool("secure", false);
  // CPython formats '%s:%s' % credentials, which works for a tuple only: the list JSON
  // gives fails at every record with TypeError. dictlog takes a [user, password] list.
  std::optional<HTTPHandler::Credentials> credentials;
  if (const Json* j = json_arg(a, "credentials"); j && truthy(*j)) {
    if (!j->is_array() || j->size() != 2 || !(*j)[0].is_string() || !(*j)[1].is_string())
      a.fail("credentials",
             "HTTPHandler: 'credentials' must be a [user, password] list of two "
             "strings, not " +
                 py_repr(*j));
    credentials.emplace((*j)[0].get<std::string>(), (*j)[1].get<std::string>());
  }
  if (const Json* j = json_arg(a, "context"); j && !j->is_null()) {
    if (!secure) a.fail("context", "context parameter only makes sense with secure=True");
    // CPython stores any value and fails at every record (AttributeError: no wrap_socket).
    a.fail("context",
           "HTTPHandler: 'context' must be null: a Python ssl.SSLContext cannot come from "
           "JSON. To trust a private CA set SSL_CERT_FILE or SSL_CERT_DIR (read as CPython's "
           "default context reads them), or build the handler in C++ with "
           "HTTPHandler::TLSOptions");
  }
  if (a.dry()) return nullptr;
  return std::make_shared<HTTPHandler>(std::move(host), std::move(url), method, secure,
                                       std::move(credentials));
}

#endif

}  // namespace

std::vector<Entry> http_entries() {
  Entry e{Entry::Kind::handler, "logging.handlers.HTTPHandler"};
#ifdef DICTLOG_HAVE_CURL
  e.make_handler = make_http;
#else
  e.unavailable =
      "logging.handlers.HTTPHandler: this build of dictlog lacks libcurl (install libcurl's "
      "development files and configure with meson's -Dcurl=enabled)";
#endif
  return {e};
}

bool set_http_attribute(const Entry& entry, Handler* handler, std::string_view key,
                        const Json& value, const std::string& pointer) {
  if (key != "timeout") return false;
#ifdef DICTLOG_HAVE_CURL
  auto* h = dynamic_cast<HTTPHandler*>(handler);
#else
  (void)handler;
  Handler* h = nullptr;
#endif
  if (!h && entry.name != "logging.handlers.HTTPHandler") return false;
  // CPython's HTTPHandler never reads a timeout; dictlog's bounds each request with it.
  if (!value.is_null() && (!value.is_number() || value.get<double>() < 0))
    throw Fail{pointer, "timeout must be a number of seconds (0 or null: no timeout), not " +
                            py_repr(value)};
#ifdef DICTLOG_HAVE_CURL
  if (h) h->timeout = value.is_null() ? 0.0 : value.get<double>();
#endif
  return true;
}

}  // namespace dictlog::config::detail
