// SMTPHandler without a mail server: the message bytes against CPython's, get_subject,
// configuration errors, and a stalled server behind a QueueHandler. The conversation
// with a real server is tests/net/smtp_peer_test.py's.
#include <doctest/doctest.h>

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "dictlog/config_json.hpp"
#include "dictlog/formatter.hpp"
#include "dictlog/logger.hpp"
#include "dictlog/queue.hpp"
#include "dictlog/queue_handler.hpp"
#include "dictlog/queue_listener.hpp"
#include "dictlog/smtp_handler.hpp"
#include "net/email_message.hpp"
#include "support/capture.hpp"

using namespace dictlog;

namespace {

constexpr const char* kDate = "Fri, 04 Dec 2026 17:00:00 +0000";

LogRecord rec(const std::string& msg) {
  return make_log_record({{"msg", msg},
                          {"levelno", ERROR},
                          {"levelname", "ERROR"},
                          {"name", "app"},
                          {"pathname", "/src/app.cpp"},
                          {"lineno", 7}});
}

SMTPHandler::Options options(std::vector<std::string> to, std::string subject) {
  SMTPHandler::Options o;
  o.mailhost = "127.0.0.1";
  o.fromaddr = "app@example.com";
  o.toaddrs = std::move(to);
  o.subject = std::move(subject);
  return o;
}

std::string message(SMTPHandler::Options o, const std::string& msg) {
  SMTPHandler h(std::move(o));
  h.set_formatter(std::make_shared<Formatter>("%(message)s"));
  LogRecord r = rec(msg);
  return h.make_message(r, kDate);
}

std::vector<std::string> problems(const std::string& text) {
  std::vector<std::string> out;
  for (const auto& p : config::check(nlohmann::ordered_json::parse(text)))
    out.push_back(p.pointer + ": " + p.message);
  return out;
}

std::string smtp_config(const std::string& args) {
  return R"({"version": 1, "handlers": {"m": {"class": "logging.handlers.SMTPHandler", )" + args +
         "}}}";
}

const std::string kHead =
    "Date: Fri, 04 Dec 2026 17:00:00 +0000\r\nContent-Type: text/plain; charset=\"utf-8\"\r\n";

}  // namespace

// Expected bytes: CPython 3.13, as SMTPHandler.emit and smtplib.send_message build them:
//   msg = EmailMessage(); msg['From'] = fromaddr; msg['To'] = ','.join(toaddrs)
//   msg['Subject'] = subject; msg['Date'] = "Fri, 04 Dec 2026 17:00:00 +0000"
//   msg.set_content(body); b = io.BytesIO()
//   email.generator.BytesGenerator(b).flatten(msg, linesep='\r\n'); print(b.getvalue())
TEST_CASE("the message is CPython's, byte for byte") {
  CHECK(message(options({"ops@example.com", "Dev <dev@example.com>"}, "disk full"),
                "ERROR:app:disk full") ==
        "From: app@example.com\r\nTo: ops@example.com,Dev <dev@example.com>\r\n"
        "Subject: disk full\r\n" +
            kHead +
            "Content-Transfer-Encoding: 7bit\r\nMIME-Version: 1.0\r\n\r\nERROR:app:disk full\r\n");
  // Non-ASCII subject: encoded words (b here, shorter than q), folded; 8bit body.
  const std::string u = "caf\u00e9 \u6f22\u5b57 \U0001F600";
  CHECK(message(options({"ops@example.com"}, "Alerte " + u + " Alerte " + u + " Alerte " + u + " "),
                u) ==
        "From: app@example.com\r\nTo: ops@example.com\r\n"
        "Subject: Alerte =?utf-8?b?Y2Fmw6kg5ryi5a2XIPCfmIAgQWxlcnRlIGNhZsOpIOa8og==?=\r\n"
        " =?utf-8?b?5a2XIPCfmIAgQWxlcnRlIGNhZsOpIOa8ouWtlyDwn5iA?= \r\n" +
            kHead + "Content-Transfer-Encoding: 8bit\r\nMIME-Version: 1.0\r\n\r\n" + u + "\r\n");
  // A line over 78 characters: quoted-printable (soft breaks, "=" and a final blank quoted).
  CHECK(message(options({"ops@example.com"}, "s"), std::string(100, 'a') + "\n=end \n") ==
        "From: app@example.com\r\nTo: ops@example.com\r\nSubject: s\r\n" + kHead +
            "Content-Transfer-Encoding: quoted-printable\r\nMIME-Version: 1.0\r\n\r\n" +
            std::string(77, 'a') + "=\r\n" + std::string(23, 'a') + "\r\n=3Dend=20\r\n");
  // Long and not ASCII: base64, shorter than quoted-printable for this text.
  std::string e;
  for (int i = 0; i < 120; ++i) e += "\u00e9";
  const std::string b64 = message(options({"ops@example.com"}, "s"), e);
  CHECK(b64.find("Content-Transfer-Encoding: base64\r\n") != std::string::npos);
  CHECK(b64.substr(b64.find("\r\n\r\n") + 4) ==
        "w6nDqcOpw6nDqcOpw6nDqcOpw6nDqcOpw6nDqcOpw6nDqcOpw6nDqcOpw6nDqcOpw6nDqcOpw6nD\r\n"
        "qcOpw6nDqcOpw6nDqcOpw6nDqcOpw6nDqcOpw6nDqcOpw6nDqcOpw6nDqcOpw6nDqcOpw6nDqcOp\r\n"
        "w6nDqcOpw6nDqcOpw6nDqcOpw6nDqcOpw6nDqcOpw6nDqcOpw6nDqcOpw6nDqcOpw6nDqcOpw6nD\r\n"
        "qcOpw6nDqcOpw6nDqcOpw6nDqcOpw6nDqcOpw6nDqcOpw6nDqcOpw6nDqcOpw6nDqcOpw6nDqcOp\r\n"
        "w6nDqcOpw6nDqcOpCg==\r\n");
}

TEST_CASE("envelope addresses as smtplib derives them from From and To") {
  using detail::get_addresses;
  CHECK(get_addresses("App <app@example.com>") == std::vector<std::string>{"app@example.com"});
  CHECK(get_addresses("ops@x.org,\"Ops, Team\" <team@x.org>,c@x.org (comment)") ==
        std::vector<std::string>{"ops@x.org", "team@x.org", "c@x.org"});
  CHECK(detail::bytes_repr("it's") == "b\"it's\"");
  CHECK(detail::bytes_repr("a\nb\x01") == "b'a\\nb\\x01'");
}

TEST_CASE("get_subject is virtual: a subclass makes the subject from the record") {
  struct Levelled : SMTPHandler {
    using SMTPHandler::SMTPHandler;
    std::string get_subject(const LogRecord& r) const override {
      return options().subject + " [" + std::string(r.levelname) + "]";
    }
  };
  Levelled h(options({"ops@example.com"}, "app"));
  LogRecord r = rec("m");
  CHECK(h.get_subject(r) == "app [ERROR]");
  CHECK(h.make_message(r, kDate).find("\r\nSubject: app [ERROR]\r\n") != std::string::npos);
  SMTPHandler plain(options({"ops@example.com"}, "app"));
  CHECK(plain.get_subject(r) == "app");
  CHECK(plain.verify);  // dictlog's default; CPython never verifies
}

TEST_CASE("a subject of several lines is CPython's ValueError") {
  SMTPHandler h(options({"ops@example.com"}, "two\nlines"));
  LogRecord r = rec("m");
  CHECK_THROWS_WITH_AS(h.make_message(r, kDate),
                       "Header values may not contain linefeed or carriage return characters",
                       ValueError);
}

TEST_CASE("configuration errors carry the pointer of the argument") {
  CHECK(problems(smtp_config(R"("mailhost": "h", "fromaddr": "a@x", "toaddrs": "b@x")")) ==
        std::vector<std::string>{
            "/handlers/m: SMTPHandler needs 'subject' (missing required argument)"});
  CHECK(problems(smtp_config(
            R"("mailhost": ["h", 25, 1], "fromaddr": "a@x", "toaddrs": "b@x", "subject": "s")")) ==
        std::vector<std::string>{
            "/handlers/m/mailhost: SMTPHandler: ValueError: too many values to unpack (expected "
            "2) ('mailhost' must be \"host\" or [host, port])"});
  CHECK(problems(smtp_config(R"("mailhost": "h", "fromaddr": "a@x", "toaddrs": "b@x",
                                "subject": "s", "credentials": ["u"])")) ==
        std::vector<std::string>{
            "/handlers/m/credentials: SMTPHandler: ValueError: not enough values to unpack "
            "(expected 2, got 1) ('credentials' must be [username, password])"});
  CHECK(problems(smtp_config(R"("mailhost": "h", "fromaddr": "a@x", "toaddrs": ["b@x", "\u00e9@x"],
                                "subject": "s")")) ==
        std::vector<std::string>{
            "/handlers/m/toaddrs: SMTPHandler: '\u00e9@x' is not ASCII: dictlog's SMTPHandler "
            "sends ASCII addresses only (no SMTPUTF8, no RFC 2047 display names)"});
  CHECK(problems(smtp_config(R"("mailhost": "h", "fromaddr": "a@x", "toaddrs": "b@x",
                                "subject": "s", "timeout": "5")")) ==
        std::vector<std::string>{
            "/handlers/m/timeout: SMTPHandler: 'timeout' must be a number of seconds or null, "
            "not '5'"});
  // What CPython accepts: credentials that are no list (ignored), secure, ".": verify.
  CHECK(problems(smtp_config(R"("mailhost": ["h", null], "fromaddr": "a@x", "toaddrs": [],
      "subject": "s", "credentials": "x", "secure": ["k", "c"], "timeout": null,
      ".": {"verify": false})"))
            .empty());
}

// A peer that accepts connections (its backlog) and never sends the greeting: each emit
// times out. Behind a QueueHandler the logging calls do not wait for it.
TEST_CASE("a stalled SMTP server behind a QueueHandler does not block the logging thread") {
  const int s = ::socket(AF_INET, SOCK_STREAM, 0);
  REQUIRE(s >= 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(::bind(s, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
  REQUIRE(::listen(s, 4) == 0);
  socklen_t len = sizeof a;
  REQUIRE(::getsockname(s, reinterpret_cast<sockaddr*>(&a), &len) == 0);

  auto o = options({"ops@example.com"}, "stalled");
  o.mailport = ntohs(a.sin_port);
  o.timeout = 0.02;  // bounds shutdown: the listener drains every record through it
  auto smtp = std::make_shared<SMTPHandler>(o);
  auto q = std::make_shared<Queue>();
  auto qh = std::make_shared<QueueHandler>(q);
  QueueListener listener(q, {smtp});
  Logger& lg = get_logger("stalled");
  lg.set_propagate(false);
  lg.add_handler(qh);
  dictlog::test::StderrCapture err;
  listener.start();
  int returned = 0;
  for (int i = 0; i < 200; ++i) {
    lg.error("record {}", i);
    ++returned;
  }
  CHECK(returned == 200);
  listener.stop();  // every record reaches the SMTPHandler, which reports its timeout
  err.restore();
  lg.remove_handler(qh);
  smtp->close();
  ::close(s);
  const std::string text = err.text();
  int timeouts = 0;
  for (auto p = text.find("TimeoutError: timed out"); p != std::string::npos;
       p = text.find("TimeoutError: timed out", p + 1))
    ++timeouts;
  CHECK(timeouts == 200);
}
