// The registry entry of logging.handlers.SMTPHandler: its arguments read as CPython's
// __init__ takes them, or, in a build without libcurl, a configuration error naming the
// missing library at the handler's `class`.
#include <algorithm>

#include "config/builder.hpp"
#ifdef DICTLOG_HAVE_CURL
#include "dictlog/smtp_handler.hpp"
#endif

namespace dictlog::config::detail {

namespace {

constexpr const char* kName = "logging.handlers.SMTPHandler";

#ifdef DICTLOG_HAVE_CURL

// `a, b = value` on a list: CPython's ValueError when it does not have two elements.
void check_pair(Args& a, std::string_view key, const Json& j, std::string_view shape) {
  if (j.size() == 2) return;
  const std::string why = j.size() > 2 ? "too many values to unpack (expected 2)"
                                       : "not enough values to unpack (expected 2, got " +
                                             std::to_string(j.size()) + ")";
  a.fail(key, "SMTPHandler: ValueError: " + why + " ('" + std::string(key) + "' must be " +
                  std::string(shape) + ")");
}

std::string ascii_address(Args& a, std::string_view key, const Json& j) {
  if (!j.is_string())
    a.fail(key, "SMTPHandler: '" + std::string(key) + "' must hold strings, not " + py_repr(j));
  const auto& s = j.get_ref<const std::string&>();
  if (std::any_of(s.begin(), s.end(), [](char c) { return static_cast<unsigned char>(c) >= 0x80; }))
    a.fail(key, "SMTPHandler: " + py_repr(j) +
                    " is not ASCII: dictlog's SMTPHandler sends ASCII addresses only (no "
                    "SMTPUTF8, no RFC 2047 display names)");
  return s;
}

std::shared_ptr<Handler> make_smtp(Args& a) {
  SMTPHandler::Options o;
  for (const char* key : {"mailhost", "fromaddr", "toaddrs", "subject"})
    if (!a.has(key))
      a.fail("", std::string("SMTPHandler needs '") + key + "' (missing required argument)");
  const Json* mh = json_arg(a, "mailhost");
  if (mh && mh->is_string()) {
    o.mailhost = mh->get<std::string>();
  } else if (mh && mh->is_array()) {
    check_pair(a, "mailhost", *mh, "\"host\" or [host, port]");
    const Json& port = (*mh)[1];
    if (!(*mh)[0].is_string() || !(port.is_null() || port.is_number_integer()) ||
        (port.is_number_integer() && (port.get<std::int64_t>() < 0 || port > 65535)))
      a.fail("mailhost",
             "SMTPHandler: 'mailhost' must be [host, port] with a host name and a "
             "port number (or null for 25), not " +
                 py_repr(*mh));
    o.mailhost = (*mh)[0].get<std::string>();
    o.mailport = port.is_null() ? 0 : port.get<int>();
  } else {
    a.fail("mailhost", "SMTPHandler: 'mailhost' must be \"host\" or [host, port], not " +
                           (mh ? py_repr(*mh) : std::string("an object")));
  }
  o.fromaddr = ascii_address(a, "fromaddr", *json_arg(a, "fromaddr"));
  const Json* to = json_arg(a, "toaddrs");
  if (to && to->is_array()) {
    for (const auto& t : *to) o.toaddrs.push_back(ascii_address(a, "toaddrs", t));
  } else {
    o.toaddrs.push_back(ascii_address(a, "toaddrs", to ? *to : Json()));
  }
  o.subject = a.required_string("subject");
  if (const Json* c = json_arg(a, "credentials"); c && c->is_array()) {
    check_pair(a, "credentials", *c, "[username, password]");
    if (!(*c)[0].is_string() || !(*c)[1].is_string())
      a.fail("credentials",
             "SMTPHandler: 'credentials' must be [username, password] strings, "
             "not " +
                 py_repr(*c));
    o.credentials.emplace((*c)[0].get<std::string>(), (*c)[1].get<std::string>());
  }  // CPython ignores credentials that are no list or tuple: no login
  if (const Json* s = json_arg(a, "secure"); s && !s->is_null()) {
    if (!s->is_array() ||
        !std::all_of(s->begin(), s->end(), [](const Json& e) { return e.is_string(); }))
      a.fail("secure",
             "SMTPHandler: 'secure' must be null, [], [keyfile] or [keyfile, "
             "certfile], not " +
                 py_repr(*s));
    o.secure.emplace();
    for (const auto& e : *s) o.secure->push_back(e.get<std::string>());
  }
  if (a.has("timeout")) {
    const Json* t = json_arg(a, "timeout");
    if (t && t->is_null())
      o.timeout.reset();
    else if (t && (t->is_number() || t->is_boolean()))
      o.timeout = t->is_boolean() ? (t->get<bool>() ? 1.0 : 0.0) : t->get<double>();
    else
      a.fail("timeout", "SMTPHandler: 'timeout' must be a number of seconds or null, not " +
                            (t ? py_repr(*t) : std::string("an object")));
  }
  if (a.dry()) return nullptr;
  return std::make_shared<SMTPHandler>(std::move(o));
}

#else

std::shared_ptr<Handler> make_smtp(Args& a) {
  throw Fail{ArgsAccess::pointer(a) + "/class",
             std::string(kName) +
                 ": this build of dictlog lacks libcurl, which SMTPHandler needs (rebuild with "
                 "libcurl installed and the Meson feature 'curl' enabled)"};
}

#endif

}  // namespace

std::vector<Entry> smtp_entries() {
  Entry e{Entry::Kind::handler, kName};
  e.make_handler = make_smtp;
  std::vector<Entry> out;
  out.push_back(std::move(e));
  return out;
}

}  // namespace dictlog::config::detail
