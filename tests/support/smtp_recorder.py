#!/usr/bin/env python3
"""A recording SMTP server for tests, on Debian's python3-aiosmtpd.

Usage: smtp_recorder.py --dir DIR [--starttls CERT KEY] [--auth USER:PASS] [--refuse ADDR]...

Listens on 127.0.0.1, port chosen by the system, and prints `PORT <n>` as its first line
on stdout (flushed). Each message it accepts is written to DIR/<seq:04d>.json, seq from
0001 in arrival order (written to a temporary name, then renamed, so a reader never sees
half a file):

  {"mail_from": str, "rcpt_tos": [str], "data": str (the DATA bytes as received, after
   dot-unstuffing, decoded as UTF-8 with surrogateescape), "auth_user": str or null,
   "tls": bool (the message came after STARTTLS), "smtputf8": bool (MAIL FROM had SMTPUTF8)}

--refuse ADDR answers RCPT TO:<ADDR> with 550 (repeatable). --auth USER:PASS offers AUTH
PLAIN and LOGIN and refuses MAIL before a login with those credentials (535 for others);
with --starttls CERT KEY it offers STARTTLS and AUTH only after it (aiosmtpd's
auth_require_tls). Exits on SIGTERM or when its stdin closes. Exit 77 with "SKIP: ..." when
aiosmtpd cannot be imported (run it with /usr/bin/python3, or add
/usr/lib/python3/dist-packages to PYTHONPATH).
"""
import argparse
import asyncio
import json
import os
import signal
import ssl
import sys
import threading

try:
    from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword
except ImportError:
    print("SKIP: python3-aiosmtpd is not installed", flush=True)
    sys.exit(77)


class Recorder:
    def __init__(self, directory, refuse):
        self.directory = directory
        self.refuse = set(refuse)
        self.seq = 0

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return f"550 5.1.1 <{address}>: Recipient address rejected"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.seq += 1
        auth = session.auth_data
        login = getattr(auth, "login", None)
        record = {
            "mail_from": envelope.mail_from,
            "rcpt_tos": list(envelope.rcpt_tos),
            "data": envelope.original_content.decode("utf-8", "surrogateescape"),
            "auth_user": login.decode("utf-8", "surrogateescape") if login else None,
            "tls": session.ssl is not None,
            "smtputf8": bool(envelope.smtp_utf8),
        }
        path = os.path.join(self.directory, f"{self.seq:04d}.json")
        with open(path + ".tmp", "w", encoding="utf-8") as f:
            json.dump(record, f, ensure_ascii=True)
        os.replace(path + ".tmp", path)
        return "250 Message accepted for delivery"


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--dir", required=True)
    ap.add_argument("--starttls", nargs=2, metavar=("CERT", "KEY"))
    ap.add_argument("--auth", metavar="USER:PASS")
    ap.add_argument("--refuse", action="append", default=[], metavar="ADDR")
    args = ap.parse_args()

    kwargs = {"hostname": "recorder.test", "enable_SMTPUTF8": True}
    if args.starttls:
        ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ctx.load_cert_chain(args.starttls[0], args.starttls[1])
        kwargs["tls_context"] = ctx
    if args.auth:
        user, _, password = args.auth.partition(":")

        def authenticator(server, session, envelope, mechanism, auth_data):
            ok = (isinstance(auth_data, LoginPassword) and auth_data.login == user.encode()
                  and auth_data.password == password.encode())
            return AuthResult(success=ok, handled=False, auth_data=auth_data if ok else None)

        kwargs.update(authenticator=authenticator, auth_required=True,
                      auth_require_tls=bool(args.starttls))

    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    recorder = Recorder(args.dir, args.refuse)
    server = loop.run_until_complete(loop.create_server(
        lambda: SMTP(recorder, loop=loop, **kwargs), host="127.0.0.1", port=0))
    print(f"PORT {server.sockets[0].getsockname()[1]}", flush=True)

    def wait_stdin():
        try:
            while sys.stdin.buffer.read(4096):
                pass
        finally:
            loop.call_soon_threadsafe(loop.stop)

    threading.Thread(target=wait_stdin, daemon=True).start()
    loop.add_signal_handler(signal.SIGTERM, loop.stop)
    try:
        loop.run_forever()
    finally:
        server.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
