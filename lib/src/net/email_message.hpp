// The bytes CPython's SMTPHandler hands to the SMTP server: an email.message.EmailMessage
// with the default policy, flattened by send_message's BytesGenerator with "\r\n" line
// ends, and the envelope addresses smtplib derives from its From and To headers. Plain
// C++ (no libcurl), so it is tested without a server.
//
//   std::string data = detail::email_message({"a@x.org", "b@y.org", "disk full",
//                                             detail::email_date(std::time(nullptr)), "text"});
#pragma once

#include <ctime>
#include <string>
#include <string_view>
#include <vector>

namespace dictlog::detail {

// What SMTPHandler.emit puts in the message: UTF-8 text, addresses ASCII.
struct EmailFields {
  std::string from;     // msg['From'] = self.fromaddr
  std::string to;       // msg['To'] = ','.join(self.toaddrs)
  std::string subject;  // msg['Subject'] = self.getSubject(record)
  std::string date;     // msg['Date'] = email.utils.localtime(), as email_date formats it
  std::string body;     // msg.set_content(self.format(record))
};

// The whole message as the server receives it after DATA (before dot-stuffing): From, To,
// Subject, Date, Content-Type, Content-Transfer-Encoding, MIME-Version, a blank line and
// the body, every line ending in "\r\n".
std::string email_message(const EmailFields& fields);

// email.utils.format_datetime(email.utils.localtime()) for `t`: "Fri, 04 Dec 2026 17:00:00
// +0000", in the local time zone (TZ).
std::string email_date(std::time_t t);

// email.contentmanager's choice for set_content(str): the Content-Transfer-Encoding
// ("7bit", "8bit", "quoted-printable" or "base64") and the body it gives, lines ending in
// "\n" (the generator turns them into "\r\n").
struct EncodedBody {
  std::string cte;
  std::string payload;
};
EncodedBody encode_text(std::string_view utf8);

// One header as policy.default folds a value that is set by the program (Subject: an
// unstructured value; RFC 2047 encoded words for non-ASCII text and for words too long for
// a line): "Name: value\r\n", continuation lines starting with a space.
std::string fold_unstructured(std::string_view name, std::string_view utf8_value);

// From and To: the value as written when it fits on one line; else on its own
// continuation line when it fits there; else unfolded (exact for addresses without spaces,
// which CPython cannot fold either).
std::string fold_address(std::string_view name, std::string_view ascii_value);

// email.utils.getaddresses([value]): the addr-spec of every address a header lists
// ("Name <a@x>, b@y (comment)" -> a@x, b@y), for MAIL FROM and RCPT TO. Handles quoted
// strings, comments and angle brackets; not groups.
std::vector<std::string> get_addresses(std::string_view value);

// Python's repr() of bytes: b'...' with \t \n \r \\ and \xNN escapes, "..." quotes when the
// text has a ' and no ", as smtplib's exceptions show server replies.
std::string bytes_repr(std::string_view bytes);

}  // namespace dictlog::detail
