// SMTPHandler: CPython's emit (logging/handlers.py) with smtplib's conversation done by
// libcurl's smtp://, and smtplib's exceptions rebuilt from the replies libcurl saw.
#include "dictlog/smtp_handler.hpp"

#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <cstring>
#include <ctime>

#include <fmt/format.h>

#include "net/curl.hpp"
#include "net/email_message.hpp"

namespace dictlog {

namespace detail {

// One line libcurl sent (a command) or received (a reply line), in order.
struct DialogLine {
  bool sent;
  std::string text;
};

struct SmtpSession {
  CurlEasy curl;
  std::vector<DialogLine> dialog;
  std::string upload;
  std::size_t offset = 0;
};

}  // namespace detail

namespace {

using detail::DialogLine;

int debug_cb(CURL*, curl_infotype type, char* data, size_t size, void* p) {
  if (type != CURLINFO_HEADER_IN && type != CURLINFO_HEADER_OUT) return 0;
  auto& dialog = static_cast<detail::SmtpSession*>(p)->dialog;
  std::string_view text(data, size);
  // A block may hold several lines (a multi-line reply).
  while (!text.empty()) {
    std::size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    while (!line.empty() && (line.back() == '\r' || line.back() == '\n')) line.remove_suffix(1);
    dialog.push_back({type == CURLINFO_HEADER_OUT, std::string(line)});
    text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
  }
  return 0;
}

size_t read_cb(char* buf, size_t size, size_t n, void* p) {
  auto* s = static_cast<detail::SmtpSession*>(p);
  const size_t len = std::min(size * n, s->upload.size() - s->offset);
  std::memcpy(buf, s->upload.data() + s->offset, len);
  s->offset += len;
  return len;
}

// A reply as smtplib's getreply returns it: the code and the text lines joined by "\n".
struct Reply {
  int code = 0;
  std::string text;
};

// The reply to the dialog's line `i` (a command), or to the greeting when i is npos.
Reply reply_after(const std::vector<DialogLine>& d, std::size_t i) {
  Reply r;
  bool first = true;
  for (std::size_t k = i == std::string::npos ? 0 : i + 1; k < d.size() && !d[k].sent; ++k) {
    const std::string& l = d[k].text;
    if (l.size() < 3) continue;
    r.code = std::atoi(l.substr(0, 3).c_str());
    std::string t = l.size() > 4 ? l.substr(4) : std::string();
    t.erase(t.find_last_not_of(" \t") + 1);
    t.erase(0, t.find_first_not_of(" \t"));
    r.text += (first ? "" : "\n") + t;
    first = false;
  }
  return r;
}

std::string py_str(const std::string& s) {
  return "'" + s + "'";  // addresses are ASCII without quotes or backslashes
}

std::string response(const Reply& r) {
  return fmt::format("({}, {})", r.code, detail::bytes_repr(r.text));
}

bool starts_with_ci(const std::string& s, std::string_view p) {
  if (s.size() < p.size()) return false;
  for (std::size_t i = 0; i < p.size(); ++i)
    if (std::toupper(static_cast<unsigned char>(s[i])) != p[i]) return false;
  return true;
}

// smtplib's exception for a conversation libcurl gave up on; returns if there is none.
void throw_smtp_error(CURLcode rc, const std::vector<DialogLine>& d, const std::string& from) {
  // The command that failed: the last one sent before the QUIT of the disconnect.
  std::size_t last = std::string::npos;
  for (std::size_t k = 0; k < d.size(); ++k)
    if (d[k].sent && !starts_with_ci(d[k].text, "QUIT")) last = k;
  const Reply r = reply_after(d, last);
  if (rc == CURLE_PEER_FAILED_VERIFICATION || rc == CURLE_SSL_CACERT_BADFILE) return;
  if (rc == CURLE_USE_SSL_FAILED)
    throw SMTPNotSupportedError("STARTTLS extension not supported by server.");
  if (rc == CURLE_LOGIN_DENIED) throw SMTPAuthenticationError(response(r));
  if (last == std::string::npos) {
    if (r.code != 0 && r.code != 220) throw SMTPConnectError(response(r));
    return;
  }
  const std::string& cmd = d[last].text;
  if (starts_with_ci(cmd, "MAIL FROM") && r.code / 100 != 2)
    throw SMTPSenderRefused(
        fmt::format("({}, {}, {})", r.code, detail::bytes_repr(r.text), py_str(from)));
  if (starts_with_ci(cmd, "RCPT TO") && r.code != 0) {
    std::string dict;
    for (std::size_t k = 0; k < d.size(); ++k) {
      if (!d[k].sent || !starts_with_ci(d[k].text, "RCPT TO:")) continue;
      const Reply rr = reply_after(d, k);
      if (rr.code == 250 || rr.code == 251) continue;
      std::string addr = d[k].text.substr(8);
      if (addr.size() >= 2 && addr.front() == '<' && addr.back() == '>')
        addr = addr.substr(1, addr.size() - 2);
      if (!dict.empty()) dict += ", ";
      dict += py_str(addr) + ": " + response(rr);
    }
    throw SMTPRecipientsRefused("{" + dict + "}");
  }
  if ((starts_with_ci(cmd, "DATA") || rc == CURLE_WEIRD_SERVER_REPLY) && r.code / 100 >= 4)
    throw SMTPDataError(response(r));
  if (rc == CURLE_GOT_NOTHING || (rc == CURLE_RECV_ERROR && r.code == 0))
    throw SMTPServerDisconnected("Connection unexpectedly closed");
}

std::string local_hostname() {
  char name[256] = {};
  if (gethostname(name, sizeof name - 1) != 0 || !name[0]) return "localhost";
  return name;
}

}  // namespace

SMTPHandler::SMTPHandler(Options options) : options_(std::move(options)) {}

SMTPHandler::~SMTPHandler() = default;

std::string SMTPHandler::get_subject(const LogRecord&) const {
  return options_.subject;
}

std::string SMTPHandler::make_message(LogRecord& record, const std::string& date) const {
  std::string subject = get_subject(record);
  // email.policy's header_store_parse: a value must be one line (str.splitlines()).
  for (std::size_t i = 0; i < subject.size(); ++i) {
    const auto c = static_cast<unsigned char>(subject[i]);
    const bool last =
        i + 1 == subject.size() || (c == '\r' && i + 2 == subject.size() && subject[i + 1] == '\n');
    const bool brk = c == '\n' || c == '\r' || c == '\v' || c == '\f' || (c >= 0x1C && c <= 0x1E) ||
                     subject.compare(i, 2, "\xC2\x85") == 0 ||
                     subject.compare(i, 3, "\xE2\x80\xA8") == 0 ||
                     subject.compare(i, 3, "\xE2\x80\xA9") == 0;
    if (brk && !last)
      throw ValueError("Header values may not contain linefeed or carriage return characters");
  }
  std::string to;
  for (const auto& a : options_.toaddrs) (to.empty() ? to : to += ",") += a;
  return detail::email_message({options_.fromaddr, to, subject, date, format(record)});
}

void SMTPHandler::emit(LogRecord& record) {
  const Options& o = options_;
  // smtplib.SMTP(host, port, timeout=...): its checks come before it connects.
  if (o.timeout && *o.timeout == 0)
    throw ValueError("Non-blocking socket (timeout=0) is not supported");
  if (o.timeout && *o.timeout < 0) throw ValueError("Timeout value must be non-negative");
  const bool login = o.credentials && !o.credentials->first.empty();
  if (login && o.secure && !o.secure->empty())
    throw TypeError(fmt::format("SMTP.starttls() takes 1 positional argument but {} were given",
                                o.secure->size() + 1));
  if (!session_) session_ = std::make_unique<detail::SmtpSession>();
  detail::SmtpSession& s = *session_;
  s.upload = make_message(record, detail::email_date(std::time(nullptr)));
  s.offset = 0;
  s.dialog.clear();
  const std::string from = detail::get_addresses(o.fromaddr).front();
  std::string to;
  for (const auto& a : o.toaddrs) (to.empty() ? to : to += ",") += a;
  detail::CurlHeaders rcpt;  // a curl_slist: RCPT TO, one address an entry
  for (const auto& a : detail::get_addresses(to)) rcpt.append("<" + a + ">");

  // Every option is set again for each message; those of the last one that are not set
  // here never were (they depend only on the handler's settings).
  CURL* h = s.curl.get();
  const std::string host =
      o.mailhost.find(':') != std::string::npos ? "[" + o.mailhost + "]" : o.mailhost;
  const std::string url =
      fmt::format("smtp://{}:{}/{}", host, o.mailport ? o.mailport : 25, local_hostname());
  curl_easy_setopt(h, CURLOPT_URL, url.c_str());
  // smtplib opens a connection per message and says QUIT; so does this.
  curl_easy_setopt(h, CURLOPT_FORBID_REUSE, 1L);
  curl_easy_setopt(h, CURLOPT_MAIL_FROM, ("<" + from + ">").c_str());
  curl_easy_setopt(h, CURLOPT_MAIL_RCPT, rcpt.get());
  // smtplib sends to the recipients the server accepted and fails only when it accepts none.
#if LIBCURL_VERSION_NUM >= 0x080200
  curl_easy_setopt(h, CURLOPT_MAIL_RCPT_ALLOWFAILS, 1L);
#else
  curl_easy_setopt(h, CURLOPT_MAIL_RCPT_ALLLOWFAILS, 1L);
#endif
  curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
  curl_easy_setopt(h, CURLOPT_READFUNCTION, read_cb);
  curl_easy_setopt(h, CURLOPT_READDATA, &s);
  curl_easy_setopt(h, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(s.upload.size()));
  curl_easy_setopt(h, CURLOPT_VERBOSE, 1L);  // the replies, for smtplib's exception texts
  curl_easy_setopt(h, CURLOPT_DEBUGFUNCTION, debug_cb);
  curl_easy_setopt(h, CURLOPT_DEBUGDATA, &s);
  if (o.timeout) {
    const long ms = std::max(1L, static_cast<long>(*o.timeout * 1000));
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, ms);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, ms);
  }
  if (login) {
    curl_easy_setopt(h, CURLOPT_USERNAME, o.credentials->first.c_str());
    curl_easy_setopt(h, CURLOPT_PASSWORD, o.credentials->second.c_str());
    if (o.secure) {
      curl_easy_setopt(h, CURLOPT_USE_SSL, static_cast<long>(CURLUSESSL_ALL));
      curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, verify ? 1L : 0L);
      curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, verify ? 2L : 0L);
      // CPython's default contexts read these; libcurl does not.
      if (const char* f = std::getenv("SSL_CERT_FILE"); f && *f)
        curl_easy_setopt(h, CURLOPT_CAINFO, f);
      if (const char* d = std::getenv("SSL_CERT_DIR"); d && *d)
        curl_easy_setopt(h, CURLOPT_CAPATH, d);
    }
  }
  const CURLcode rc = s.curl.perform_code();
  std::vector<DialogLine> dialog;
  dialog.swap(s.dialog);  // it holds the AUTH line: not kept past this call
  if (rc == CURLE_OK) return;
  throw_smtp_error(rc, dialog, from);
  if (rc == CURLE_PEER_FAILED_VERIFICATION || rc == CURLE_SSL_CACERT_BADFILE)
    throw SSLCertVerificationError(fmt::format(
        "certificate verify failed: {} (dictlog verifies the SMTP server's certificate, which "
        "CPython does not: trust its CA with SSL_CERT_FILE or SSL_CERT_DIR, or set "
        "\".\": {{\"verify\": false}} on the handler to accept any certificate as CPython does)",
        s.curl.error_text()));
  detail::throw_curl_error(h, rc, s.curl.error_text());
}

void SMTPHandler::at_fork_reinit() {
  (void)session_.release();  // leaked on purpose, as HTTPHandler's connection
  Handler::at_fork_reinit();
}

void SMTPHandler::close() {
  {
    std::lock_guard lock(this->lock());
    session_.reset();
  }
  Handler::close();
}

}  // namespace dictlog
