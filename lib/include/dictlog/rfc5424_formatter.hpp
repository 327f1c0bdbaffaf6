// RFC5424Formatter: each record as an RFC 5424 syslog message without its PRI, for a
// SysLogHandler to send (SysLogHandler writes "<PRI>" before whatever its formatter gives):
//
//   1 2026-12-05T09:12:03.123456+01:00 web-3 billing 4242 - [dictlog@32473 user="alice"] text
//   VERSION TIMESTAMP HOSTNAME APP-NAME PROCID MSGID STRUCTURED-DATA MSG
//
// TIMESTAMP is RFC 3339 with microseconds and the local offset (or Z with utc), HOSTNAME the
// host's name, PROCID the process id, nil values "-". STRUCTURED-DATA is one element, SD-ID
// `sd_id`, whose params are the record's bound context and `extra` keys (names cut to
// RFC 5424's 32 printable characters, '=' ' ' ']' '"' made '_'; values as Python's str()
// with '"', '\' and ']' escaped), or "-" without any. MSG is the record formatted with
// `format` (a Python format in `style`, exception and stack appended as Formatter does),
// preceded by a UTF-8 BOM when it is not plain ASCII (RFC 5424 6.4; `bom` changes that).
//
//   dictlog::RFC5424Options o;
//   o.app_name = "billing";
//   auto h = std::make_shared<dictlog::SysLogHandler>(
//       dictlog::SysLogHandler::Address("logs.example.com", 514), "local0", SOCK_STREAM);
//   h->octet_counting = true;  // RFC 6587 framing over TCP
//   h->set_formatter(std::make_shared<dictlog::RFC5424Formatter>(o));
//
// dictConfig builds it as {"()": "dictlog.RFC5424Formatter", "app_name": "billing", ...}.
//
// Thread-safety: immutable after construction; format() may run on several threads at once.
#pragma once

#include <optional>
#include <string>

#include "dictlog/formatter.hpp"

namespace dictlog {

struct RFC5424Options {
  // MSG: a Python format of the record (default "%(message)s") in `style`.
  std::optional<std::string> format;
  char style = '%';
  // APP-NAME; empty: the program's name (/proc/self/comm), at most 48 characters.
  std::string app_name;
  // HOSTNAME; empty: gethostname() at construction.
  std::string hostname;
  // MSGID; "-" is nil. At most 32 characters.
  std::string msgid = "-";
  // The SD-ID of the element holding the record's context and extras (a name@PEN of your
  // own; 32473 is RFC 5612's number for documentation); empty: no STRUCTURED-DATA.
  std::string sd_id = "dictlog@32473";
  // Timestamps in UTC ("Z") instead of local time with its offset.
  bool utc = false;
  // The UTF-8 BOM before MSG: when MSG is not ASCII (auto), always, or never.
  enum class Bom { automatic, always, never } bom = Bom::automatic;
};

class RFC5424Formatter : public Formatter {
 public:
  // Throws ValueError for a bad format or style (as Formatter), and for names RFC 5424
  // cannot carry (an empty, over-long or non-ASCII APP-NAME, MSGID or SD-ID).
  explicit RFC5424Formatter(RFC5424Options options = {});

  void format_to(const LogRecord& record, std::string& out) const override;

  const RFC5424Options& options() const { return options_; }

 protected:
  const std::type_info& format_to_type() const override { return typeid(RFC5424Formatter); }

 private:
  RFC5424Options options_;
};

}  // namespace dictlog
