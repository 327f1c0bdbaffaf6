// dictlog.RFC5424Formatter for configuration files: {"()": "dictlog.RFC5424Formatter",
// "format": ..., "style": ..., "app_name": ..., "hostname": ..., "msgid": ..., "sd_id": ...,
// "utc": ..., "bom": "auto" | "always" | "never"}. With "class", dictConfig passes only
// format, datefmt and style, so the rest keep their defaults.
#include "dictlog/rfc5424_formatter.hpp"

#include "config/entry.hpp"
#include "dictlog/errors.hpp"

namespace dictlog::config::detail {

namespace {

std::shared_ptr<Formatter> rfc5424_formatter(Args& a) {
  RFC5424Options o;
  o.format = a.get_string("format");
  if (auto fmt = a.get_string("fmt")) o.format = fmt;
  if (auto style = a.get_string("style")) {
    if (style->size() != 1) a.fail("style", "Style must be one of: %,{,$");
    o.style = (*style)[0];
  }
  if (a.has("datefmt")) a.get_string("datefmt");  // the timestamp is RFC 3339's
  if (auto v = a.get_string("app_name")) o.app_name = *v;
  if (auto v = a.get_string("hostname")) o.hostname = *v;
  if (auto v = a.get_string("msgid")) o.msgid = *v;
  if (a.has("sd_id")) o.sd_id = a.get_string("sd_id").value_or("");
  o.utc = a.get_bool("utc", false);
  if (auto bom = a.get_string("bom")) {
    if (*bom == "auto")
      o.bom = RFC5424Options::Bom::automatic;
    else if (*bom == "always")
      o.bom = RFC5424Options::Bom::always;
    else if (*bom == "never")
      o.bom = RFC5424Options::Bom::never;
    else
      a.fail("bom", "bom must be \"auto\", \"always\" or \"never\", not '" + *bom + "'");
  }
  a.get_bool("validate", true);
  try {
    return std::make_shared<RFC5424Formatter>(std::move(o));
  } catch (const ValueError& e) {
    const std::string_view what = e.what();
    const char* key = what.find("APP-NAME") != what.npos   ? "app_name"
                      : what.find("HOSTNAME") != what.npos ? "hostname"
                      : what.find("MSGID") != what.npos    ? "msgid"
                      : what.find("SD-ID") != what.npos    ? "sd_id"
                      : what.starts_with("Style")          ? "style"
                      : a.has("fmt")                       ? "fmt"
                                                           : "format";
    a.fail(key, std::string("ValueError: ") + e.what());
  }
}

}  // namespace

Entry rfc5424_formatter_entry() {
  Entry e{Entry::Kind::formatter, "dictlog.RFC5424Formatter"};
  e.make_formatter = rfc5424_formatter;
  return e;
}

}  // namespace dictlog::config::detail
