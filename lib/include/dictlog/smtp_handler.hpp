// SMTPHandler: one email per record (Python's logging.handlers.SMTPHandler), sent with
// libcurl. Only in a dictlog built with libcurl (Meson feature `curl`); without it the
// class name is a configuration error.
//
// The server receives what CPython 3.13 sends, byte for byte: an EmailMessage (default
// policy) with From, To (the addresses joined by ","), Subject (get_subject, RFC 2047
// encoded words when it is not ASCII or has a word too long for a line), Date (local time),
// then set_content's Content-Type, Content-Transfer-Encoding (7bit, 8bit, quoted-printable
// or base64 by email.contentmanager's rules) and MIME-Version, and the formatted record
// with a final newline. MAIL FROM and RCPT TO are the addresses in From and To, as
// smtplib.send_message derives them. Each emit opens a connection and closes it.
//
//   dictlog::SMTPHandler::Options o;
//   o.mailhost = "mail.example.com";  o.fromaddr = "app@example.com";
//   o.toaddrs = {"ops@example.com"};  o.subject = "app error";
//   dictlog::get_logger("app").add_handler(std::make_shared<dictlog::SMTPHandler>(o));
//
// Where dictlog differs from CPython, on purpose:
// - STARTTLS verifies the server's certificate (OpenSSL's default trust store, or the files
//   SSL_CERT_FILE / SSL_CERT_DIR name, as CPython's default contexts read them) and its
//   name. CPython's starttls() uses an unverified context, so anyone on the path can read
//   the credentials. Set `verify = false` (`".": {"verify": false}` in a configuration)
//   for CPython's behaviour.
// - `timeout` bounds the whole conversation (libcurl's transfer timeout), not each socket
//   operation, so one emit never takes much longer than `timeout` seconds.
// - Addresses must be ASCII (a configuration error otherwise): CPython's SMTPUTF8 path and
//   RFC 2047 display names are not implemented. A From or To header too long for one line
//   is folded only when it fits on its own continuation line (CPython folds display names
//   at their blanks; addresses joined without blanks are never folded by either).
// - With credentials, a server that does not offer AUTH gets the mail without a login
//   (libcurl's behaviour); smtplib raises SMTPNotSupportedError.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "dictlog/errors.hpp"
#include "dictlog/handler.hpp"

namespace dictlog {

namespace detail {
struct SmtpSession;
}

// smtplib's exceptions, as handle_error names them ("smtplib.SMTPRecipientsRefused: ...").
class SMTPException : public OSError {
 public:
  using OSError::OSError;
  const char* python_type() const noexcept override { return "smtplib.SMTPException"; }
};
#define DICTLOG_SMTP_ERROR(Name)                                                   \
  class Name : public SMTPException {                                              \
   public:                                                                         \
    using SMTPException::SMTPException;                                            \
    const char* python_type() const noexcept override { return "smtplib." #Name; } \
  }
DICTLOG_SMTP_ERROR(SMTPRecipientsRefused);    // every recipient refused: "{'a@x': (550, b'..')}"
DICTLOG_SMTP_ERROR(SMTPAuthenticationError);  // "(535, b'...')"
DICTLOG_SMTP_ERROR(SMTPSenderRefused);        // MAIL FROM refused: "(553, b'...', 'a@x')"
DICTLOG_SMTP_ERROR(SMTPDataError);            // DATA or the message refused: "(554, b'...')"
DICTLOG_SMTP_ERROR(SMTPConnectError);         // the greeting was not 220
DICTLOG_SMTP_ERROR(SMTPNotSupportedError);    // STARTTLS asked for, not offered
DICTLOG_SMTP_ERROR(SMTPServerDisconnected);   // the server closed the connection
#undef DICTLOG_SMTP_ERROR
// ssl.SSLCertVerificationError: the server's certificate was not trusted.
class SSLCertVerificationError : public OSError {
 public:
  using OSError::OSError;
  const char* python_type() const noexcept override { return "ssl.SSLCertVerificationError"; }
};

// Thread-safety: as every Handler (emit runs under the handler's lock, so one message is
// sent at a time). `verify` is a setting: set it before the handler is shared. Each emit
// blocks its thread for the SMTP conversation (at most about `timeout`): put the handler
// behind a QueueHandler so that logging calls do not wait for the mail server.
class SMTPHandler : public Handler {
 public:
  // SMTPHandler(mailhost, fromaddr, toaddrs, subject, credentials=None, secure=None,
  // timeout=5.0), each argument a field.
  struct Options {
    std::string mailhost;
    int mailport = 0;  // 0: smtplib.SMTP_PORT (25)
    std::string fromaddr;
    std::vector<std::string> toaddrs;
    std::string subject;
    // (username, password); an empty username means no login, as CPython's `if username`.
    std::optional<std::pair<std::string, std::string>> credentials;
    // CPython's `secure`, used only with credentials: present = STARTTLS before the login.
    // CPython 3.13's starttls() takes no key or certificate file any more, so a non-empty
    // list fails every emit with its TypeError, here as there.
    std::optional<std::vector<std::string>> secure;
    // Seconds; nullopt waits forever (CPython's None). 0 or less fails every emit with
    // CPython's ValueError.
    std::optional<double> timeout = 5.0;
  };

  explicit SMTPHandler(Options options);
  ~SMTPHandler() override;

  // Formats the record, builds the message, sends it; errors reach handle_error with the
  // exception CPython raises (ConnectionRefusedError, TimeoutError, smtplib.SMTP...Error).
  void emit(LogRecord& record) override;
  // Releases the libcurl handle; a later emit makes a new one.
  void close() override;
  // As HTTPHandler's: a session kept from the parent is forgotten, not closed.
  void at_fork_reinit() override;

  // Python's getSubject: the subject of the email for `record`. Override it for a
  // record-dependent subject.
  virtual std::string get_subject(const LogRecord& record) const;

  // The bytes the server receives after DATA (CRLF line ends, before dot-stuffing) for
  // `record` with `date` as the Date header; for tests and for subclasses.
  std::string make_message(LogRecord& record, const std::string& date) const;

  const Options& options() const { return options_; }

  // Verify the STARTTLS server's certificate (see above). CPython: never.
  bool verify = true;

  std::string_view class_name() const override { return "SMTPHandler"; }

 private:
  Options options_;
  std::unique_ptr<detail::SmtpSession> session_;
};

}  // namespace dictlog
