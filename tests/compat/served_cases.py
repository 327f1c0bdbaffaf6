"""Compat cases whose handler talks to a recording server: HTTPHandler and SMTPHandler
(python-logging.md §7). make_cases.py calls add_all; servers.py runs them."""

STRUCTURED = {"user": "\u00e9 \u00fc", "n": 3, "ids": [1, [2, 3]],
              "ctx": {"k": "v", "n": [True, None, 1.5e16, -0.0], "\u00e9": "\u2603"}}
HTTP = {"kind": "http"}


def http(url="/log", method=None, **kw):
    h = {"class": "logging.handlers.HTTPHandler", "host": "127.0.0.1:${PORT}", "url": url}
    if method:
        h["method"] = method
    h.update(kw)
    return h


def smtp(**kw):
    h = {"class": "logging.handlers.SMTPHandler", "mailhost": ["127.0.0.1", "${PORT_NUMBER}"],
         "fromaddr": "app@example.com", "toaddrs": "oncall@example.com",
         "subject": "app error"}
    h.update(kw)
    return h


def with_handler(base, handler, formatter=None, console_first=False):
    cfg = base()
    cfg["handlers"]["peer"] = handler
    if formatter:
        cfg["formatters"]["p"] = formatter
        handler["formatter"] = "p"
    cfg["root"]["handlers"] = ["out", "peer"] if console_first else ["peer"]
    return cfg


def add_all(case, ev, base):
    events = [ev("app", "INFO", "plain"), ev("app.db", "ERROR", "with extras", STRUCTURED),
              ev("", "WARNING", "100% literal & = + ? / caf\u00e9 \U0001F600")]
    case("http_get", with_handler(base, http()), events, server=HTTP,
         about="§7 HTTPHandler GET: mapLogRecord url-encoded into the query")
    case("http_get_url_with_query", with_handler(base, http("/log?src=app&x=%20")), events[:2],
         server=HTTP, about="§7 HTTPHandler GET appends with & when the url has a query")
    # credentials: CPython's '%s:%s' % credentials fails for the list JSON gives (every record
    # is a TypeError); tests/net/http_peer_test.py passes CPython a tuple instead.
    case("http_post", with_handler(base, http(method="POST")), events, server=HTTP,
         about="§7 HTTPHandler POST: form body, Content-type and Content-length")
    case("http_after_formatter", with_handler(base, http(method="POST"), console_first=True),
         events, server=HTTP,
         about="§7 a formatter ran first: the dict carries message (and asctime when used)")
    cfg = with_handler(base, http(method="POST"), console_first=True)
    cfg["formatters"]["f"]["format"] = "%(asctime)s %(message)s"
    case("http_after_asctime_formatter", cfg, events[:1], server=HTTP,
         about="§7 asctime left on the record by an earlier formatter is sent")
    case("http_queue", {"version": 1, "handlers": {
        "q": {"class": "logging.handlers.QueueHandler", "handlers": ["peer"]},
        "peer": http(method="POST")}, "root": {"level": "DEBUG", "handlers": ["q"]}},
        events, server=HTTP, about="§7.13 HTTPHandler on the listener gets the prepared record")
    case("http_dead_peer", with_handler(base, dict(http(), host="127.0.0.1:${DEAD_PORT}")),
         events[:2], server=HTTP,
         about="§7 a refused connection is a logging error (ConnectionRefusedError)")
    for n, extra in (("method", {"method": "PUT"}), ("context_without_secure", {"context": 1}),
                     ("no_url", {"url": None})):
        h = http(**extra)
        if extra.get("url", "") is None:
            del h["url"]
        case(f"reject_http_{n}", with_handler(base, h), [ev("", "ERROR", "never")],
             expect="reject", server=HTTP, about="§7 HTTPHandler arguments CPython refuses")

    SMTP = {"kind": "smtp"}
    case("smtp_plain", with_handler(base, smtp()), events[1:2], server=SMTP,
         about="§7 SMTPHandler: EmailMessage headers, 7bit body, envelope from the headers")
    mails = [ev("app", "ERROR", "caf\u00e9 \u6f22\u5b57 \U0001F600 " + "long " * 60),
             ev("app", "CRITICAL", "x" * 1200)]
    case("smtp_list_unicode", with_handler(base, smtp(
        toaddrs=["a@example.com", "b@example.com"], subject="\u00e9chec \u2603")),
         mails, server=SMTP,
         about="§7 SMTPHandler: toaddrs joined with ',', encoded subject, 8bit/qp/base64 body")
    case("smtp_formatter", with_handler(base, smtp(), formatter={
        "format": "%(levelname)s %(name)s %(message)s %(ids)s"}), events[1:2], server=SMTP,
         about="§7 SMTPHandler's body is its formatter's output")
    case("smtp_refused_recipient", with_handler(base, smtp(toaddrs=["bad@example.com"])),
         events[1:2], server={"kind": "smtp", "args": ["--refuse", "bad@example.com"]},
         about="§7 every recipient refused: smtplib.SMTPRecipientsRefused, a logging error")
    case("smtp_dead_peer", with_handler(base, smtp(
        mailhost=["127.0.0.1", "${DEAD_PORT_NUMBER}"])), events[1:2], server=SMTP,
         about="§7 SMTP relay down: ConnectionRefusedError, a logging error")
    case("smtp_credentials", with_handler(base, smtp(credentials=["ann", "s3cret"])),
         events[1:2], server={"kind": "smtp", "args": ["--auth", "ann:s3cret"]},
         about="§7 SMTPHandler logs in with credentials (no STARTTLS without secure)")
