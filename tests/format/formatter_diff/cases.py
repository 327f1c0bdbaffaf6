"""Formatter/record combinations for the dictlog-vs-CPython differential test.

Each case: style, fmt, datefmt, defaults, validate, utc, optional default_msec_format /
default_time_format, and a record (msg without args, so message == msg). Values are
tagged ["int", "5"], ["float", "1e+20"], ["str", "x"], ["bool", true], ["none"] so that
JSON keeps Python's types exactly.
"""


def val(v):
    if v is None:
        return ["none"]
    if isinstance(v, bool):
        return ["bool", v]
    if isinstance(v, int):
        return ["int", str(v)]
    if isinstance(v, float):
        return ["float", repr(v)]
    return ["str", v]


def pairs(d):
    return None if d is None else [[k, val(v)] for k, v in d.items()]


BASE_RECORD = {
    "name": "app.mod",
    "levelno": 20,
    "levelname": "INFO",
    "pathname": "/srv/app/mod.py",
    "lineno": 42,
    "funcName": "handler",
    "created_ns": 1700000000_500000000,
    "relativeCreated": 1234.5678,
    "thread": 140234567890,
    "threadName": "MainThread",
    "processName": "MainProcess",
    "process": 4242,
    "msg": "hello w",
    "exc_text": None,
    "stack_info": None,
    "extra": {},
}

EXTRA = {
    "user": "alice",
    "quote": "it's",
    "dq": 'say "hi"',
    "both": "it's \"x\"",
    "uni": "héllo wörld ✓",
    "ctrl": "tab\there\nnl\x01\x7f",
    "n": 7,
    "neg": -1234567,
    "big": 2**53 + 1,
    "zero": 0,
    "f": 1.5,
    "fbig": 1e20,
    "fsum": 0.1 + 0.2,
    "ftiny": 1e-05,
    "fneg0": -0.0,
    "f16": 1e16,
    "fint": 100.0,
    "yes": True,
    "no": False,
    "none": None,
    "empty": "",
    "nbsp": "a\xa0b",
}


def record(**over):
    r = dict(BASE_RECORD)
    extra = over.pop("extra", None)
    r.update(over)
    r["extra"] = pairs(extra if extra is not None else EXTRA)
    r["relativeCreated"] = repr(float(r["relativeCreated"]))  # exact through JSON
    return r


PERCENT_FORMATS = [
    "%(message)s", "%(levelno)03d", "%(name)-10s|", "%(name)10s", "%(name).3s", "%(lineno)+d",
    "%(created)f", "%(relativeCreated)d", "%(msecs)03d", "%(levelno)x", "%(levelno)o",
    "%(levelno)#x", "%(levelno)#X", "%(levelno)#o", "%(levelno)e", "%(levelno)E",
    "%(name)r", "%(name)a", "%(levelno)5.1f", "%% %(message)s %%", "%(levelno)c",
    "%(created)s", "%(msecs)s", "%(relativeCreated)s", "%(args)s", "%(args)r", "%(exc_text)s",
    "%(stack_info)s", "%(taskName)s", "%(thread)d", "%(threadName)s", "%(process)d",
    "%(processName)s", "%(pathname)s", "%(filename)s", "%(module)s", "%(funcName)s",
    "%(msg)s", "%(levelname)-8s %(message)s", "%(levelname)8s|", "%(levelno) d",
    "%(levelno)-5d|", "%(levelno)-05d|", "%(levelno)05.3d", "%(levelno).3d", "%(levelno)+.3x",
    "%(levelno)#08o", "%(levelno)0#6x", "%(levelno)i", "%(levelno)u", "%(levelno)ld",
    "%(created).3f", "%(created)e", "%(created).10g", "%(created)g", "%(created)G",
    "%(created)#g", "%(created)015.2f", "%(created)-15.1f|", "%(created)+.2e", "%(created)d",
    "%(msecs).0f", "%(msecs)#.0f", "%(msecs)#.0e", "%(relativeCreated)x",
    "%(user)s %(n)d %(f)s %(yes)s %(none)s", "%(quote)r %(dq)r %(both)r", "%(uni)s|%(uni)r|%(uni)a",
    "%(uni)10s|", "%(uni)-15s|", "%(uni).3s|", "%(ctrl)r", "%(ctrl)a", "%(nbsp)r", "%(nbsp)a",
    "%(n)05d", "%(neg)d", "%(neg)x", "%(neg)#o", "%(neg)+08d", "%(big)d", "%(big)e",
    "%(zero)#x", "%(f)d", "%(f)i", "%(f)x", "%(f)e", "%(f).0f", "%(fbig)d", "%(fbig)s",
    "%(fbig)f", "%(fbig)g", "%(fsum)s", "%(fsum)r", "%(fsum).17g", "%(fsum).20f", "%(ftiny)s",
    "%(ftiny)g", "%(ftiny)e", "%(fneg0)s", "%(fneg0)d", "%(fneg0)+f", "%(f16)s", "%(f16)g",
    "%(fint)s", "%(fint)g", "%(fint)#g", "%(yes)d", "%(yes)x", "%(yes)f", "%(no)s", "%(no)r",
    "%(none)d", "%(none)r", "%(none)5s|", "%(user)d", "%(user)x", "%(user)f", "%(user)c",
    "%(n)c", "%(empty)s|", "%(empty)5s|", "%(uni)c", "%(neg)c",
    "%(message)s %d", "%(message)S", "%(levelno)*d", "%(levelno).*d", "%(user)*d",
    "%(message)s %", "%(message)s %(", "%(message", "%(message)s %(nope)s", "%(message)y",
    "%(message)s%(message)", "%(levelno)5%", "%(message)é", "é%(message)s %q",
    "%s %(message)s", "%d %(message)s", "%(a(b))s", "%(message)s %(levelno)lld",
    "%(levelno)hd %(levelno)Lf", "%(asctime)s %(message)s", "%%(asctime)s %(message)s",
    "%(asctime)-30s|", "%(asctime)r",
]

BRACE_FORMATS = [
    "{message}", "{levelno:03d}", "{name:^11}", "{name!s:*^12}", "{created:.2f}", "{levelno:+}",
    "{name[0]}", "{name!r}", "{name!a}", "{levelname:<8} {message}", "{levelname:>8}|",
    "{levelno:x}", "{levelno:#x}", "{levelno:#X}", "{levelno:#o}", "{levelno:#b}",
    "{levelno:b}", "{levelno:c}", "{levelno:e}", "{levelno:%}", "{levelno:.1%}", "{levelno:g}",
    "{levelno:n}", "{levelno:,}", "{levelno:010,}", "{levelno:_}", "{levelno:=+8}",
    "{levelno: }", "{levelno:-}", "{levelno:<5}|", "{levelno:05}", "{levelno:0<5}",
    "{levelno:*>6}", "{created}", "{created:}", "{created:10}", "{created:.3}", "{created:.12}",
    "{created:e}", "{created:,.2f}", "{created:_.1f}", "{created:020,.3f}", "{created:g}",
    "{created:#}", "{created:%}", "{created:F}", "{created:E}", "{created:n}", "{msecs}",
    "{msecs:03.0f}", "{msecs:.0f}", "{msecs:#.0f}", "{relativeCreated}", "{relativeCreated:.2f}",
    "{relativeCreated:012.3f}", "{thread}", "{thread:,}", "{thread:_x}", "{process:>8}",
    "{args}", "{args!r}", "{exc_text}", "{stack_info}", "{taskName}", "{taskName!r}",
    "{filename} {module} {funcName} {pathname}", "{msg!r}", "{name[1]}", "{name[6]}",
    "{name[20]}", "{name[x]}", "{name[9223372036854775807]}", "{name[9223372036854775808]}",
    "{name[66666666666666666666666666660]}", "{99999999999999999999}", "{nope[99999999999999999999]}",
    "{name[x]}{name[99999999999999999999]}", "{levelno[0]}", "{levelno.real}", "{levelno.imag}",
    "{levelno.numerator}", "{created.real}", "{levelno.foo}", "{name.foo}",
    "{user} {n} {f} {yes} {none}", "{quote!r} {dq!r} {both!r}", "{uni} {uni!r} {uni!a}",
    "{uni:>16}|", "{uni:é^17}", "{uni:.3}", "{uni[1]}", "{ctrl!r}", "{ctrl!a}", "{nbsp!r}",
    "{n:05}", "{n:5}", "{n:<5}|", "{n:^5}|", "{n:=5}", "{neg:,}", "{neg:_}", "{neg:010,}",
    "{neg:x}", "{neg:#x}", "{neg:_b}", "{neg:#_o}", "{neg:+}", "{neg: }", "{neg:e}",
    "{big:,}", "{big:e}", "{big:g}", "{zero:#x}", "{zero:+}", "{f}", "{f:10}", "{f:<10}|",
    "{f:010}", "{f:+}", "{f:.0}", "{f:.1}", "{f:.2}", "{f:#.0}", "{f:g}", "{f:#g}", "{f:e}",
    "{f:.0e}", "{f:#.0e}", "{f:%}", "{f:.0%}", "{f:#.0%}", "{f:n}", "{f:z}", "{f:=^10}",
    "{fbig}", "{fbig:,}", "{fbig:f}", "{fbig:,.0f}", "{fbig:g}", "{fbig:.2}", "{fbig:010,}",
    "{fsum}", "{fsum:.17}", "{fsum:.17g}", "{fsum:.20f}", "{fsum:.1}", "{ftiny}", "{ftiny:f}",
    "{ftiny:g}", "{ftiny:.2}", "{ftiny:010}", "{fneg0}", "{fneg0:z}", "{fneg0:z.1f}",
    "{fneg0:+}", "{fneg0:.0f}", "{fneg0:g}", "{f16}", "{f16:#}", "{f16:.2}", "{f16:f}",
    "{fint}", "{fint:.2}", "{fint:.3}", "{fint:g}", "{fint:#.3g}", "{fint:.17}", "{yes}",
    "{yes:d}", "{yes:>5}", "{yes:x}", "{yes:f}", "{yes!r}", "{no}", "{no:5}", "{none}",
    "{none!r}", "{none:>5}", "{none!s:>5}", "{user:>8}", "{user:d}", "{user:x}", "{user:+}",
    "{user: }", "{user:#}", "{user:=5}", "{user:,}", "{user:_}", "{user:z}", "{user:05}",
    "{user:.2s}", "{user:s}", "{user:ab}", "{user:.}", "{n:.2}", "{n:,x}", "{n:_n}",
    "{n:c}", "{n:+c}", "{n:#c}", "{n:z}", "{neg:c}", "{n:q}", "{f:d}", "{f:x}", "{f:,n}",
    "{n:{n}}", "{n:{levelno}}", "{f:.{n}f}", "{user:{user}}", "{n:{n:{n}}}", "{n:{}}",
    "{n:{nope}}", "{user!z}", "{0}", "{}", "{1} {message}", "{} {message}", "{0} {message}",
    "{message!r:>20}", "{message!s:10.3}", "{message:{user}", "{{literal}} {message}",
    "{{{message}}}", "{asctime} {message}", "{asctime!r}", "{asctime:>30}|", "{asctime[0]}",
    "{name[}", "{name[0]x}", "{name[]}", "{name.}", "{ message}", "{message}}", "{message",
    "}", "{", "{message!}", "{message!r", "{message!rx}", "{mess{age}", "{nope}",
    "{message} {nope!r}", "{n:d}{nope}", "{user:d}{nope}", "{nope:{user:d}}",
]

DOLLAR_FORMATS = [
    "${message}", "$message", "${levelname}:$name:${message} $$ ${created}", "$$message $name",
    "$levelno $lineno $msecs $relativeCreated", "${user}${n}${f}${yes}${none}",
    "$uni $quote $dq", "$args $exc_text $stack_info $taskName", "$fbig $fsum $ftiny $fneg0",
    "${asctime} $message", "$asctime $message", "$asctimeX $message", "$ $message",
    "$1 $message", "${message", "hello", "$$message", "$message $", "$message $nope",
    "${nope} $message", "line1\nline2 $ x", "a\r\nb$1", "é$message$", "$MESSAGE $Name",
    "${message}$$", "$_x $message", "$message${", "$message ${1x}",
]

# Every validation rejection, per style (CPython's exact messages).
REJECT = [
    ("%", "hello"), ("%", "%(message)"), ("%", "%(message)z"), ("%", "%(mess age)s"),
    ("%", "%()s"), ("%", "%s"), ("%", "%(message)*"), ("%", "100%"), ("%", "%(message).s"),
    ("{", "hello"), ("{", "{}"), ("{", "{} {}"), ("{", "{a b}"), ("{", "{message!z}"),
    ("{", "{message:z.2f}"), ("{", "{message:=+10.2f}"), ("{", "{levelno:{levelno}d}"),
    ("{", "{message"), ("{", "message}"), ("{", "{message!}"), ("{", "{message!rx}"),
    ("{", "{message:{}"), ("{", "{0}"), ("{", "{message[}"), ("{", "{message[0]x}"),
    ("{", "{message.}"), ("{", "{message[]}"), ("{", "{-1}"), ("{", "{message:abc}"),
    ("{", "{message:<<<}"), ("{", "{message:10,,}"), ("{", "{message:.2.3}"),
    ("{", "{message:{x y}}"), ("{", "{message:{}}"), ("{", "{message:.{p}f}"),
    ("{", "{message:s\n}"), ("{", "{message\n}"), ("{", "{{message}}"), ("{", "{ }"),
    ("{", "{message:%}"), ("{", "{message:Z}"), ("{", "{é}"), ("{", "{message:é>5}"),
    ("$", "hello"), ("$", "$"), ("$", "$1"), ("$", "${message"), ("$", "$$message"),
    ("$", "$message $"), ("$", "${}"), ("$", "${1}"), ("$", "$é"),
    ("x", "%(message)s"), ("", "%(message)s"), ("%%", "%(message)s"),
]

DATEFMTS = [
    None, "", "%Y-%m-%d", "%H:%M:%S", "%d/%b/%Y:%H:%M:%S %z", "%Z", "%f %%", "%j %a %A %p %y",
    "no directives", "%Y-%m-%dT%H:%M:%S.%%03d",
]

CREATED = [
    1700000000_500000000,      # .500
    1700000000_000000000,      # exact second
    1700000000_999000000,      # msecs 999
    1700000000_999999900,      # float rounds up: 3.13 makes msecs 0
    1700000920_999998503,      # msecs 999 kept
    1700000000_001000000,
    86399_123000000,           # near the epoch
    1709251199_999999999,      # leap-year day boundary
    951782400_000000000,       # 2000-02-29
    4102444800_250000000,      # 2100
]


def generate():
    cases = []

    def add(style, fmt, rec=None, **kw):
        c = {"style": style, "fmt": fmt, "datefmt": None, "defaults": None, "validate": True,
             "utc": False, "record": rec or record()}
        c.update(kw)
        if c["defaults"] is not None and isinstance(c["defaults"], dict):
            c["defaults"] = pairs(c["defaults"])
        c["id"] = len(cases)
        cases.append(c)

    for f in PERCENT_FORMATS:
        add("%", f)
    for f in BRACE_FORMATS:
        add("{", f)
    for f in DOLLAR_FORMATS:
        add("$", f)
    for style, f in REJECT:
        add(style, f)
    # validate=False: what validation would reject fails (or not) at format time.
    for style, f in REJECT:
        if style in "%{$" and style:
            add(style, f, validate=False)
    for f in ["%(message)s %s", "%s", "%(levelno)d %(levelno)*d"]:
        add("%", f, validate=False)

    # Falsy fmt -> the style's default.
    for style in "%{$":
        add(style, None)
        add(style, "")

    # Defaults: used when absent, overridden by the record.
    d = {"user": "dflt", "app": "svc", "name": "ignored", "n2": 5, "message": "no"}
    for style, f in [("%", "%(app)s %(name)s %(message)s %(n2)03d"),
                     ("{", "{app} {name} {message} {n2:03d}"),
                     ("$", "$app $name $message $n2"),
                     ("%", "%(app)s %(user)s"), ("{", "{app} {user}"), ("$", "$app ${user}"),
                     ("%", "%(missing)s %(app)s"), ("%", "%s %(app)s")]:
        add(style, f, defaults=d)
    add("%", "%s %(message)s", defaults={"zz": 1})
    add("%", "%(asctime)s %s", utc=True)

    # Time: datefmt, utc and local (TZ=UTC for the run), msec formats.
    full = {
        "%": "%(asctime)s %(levelname)s %(name)s %(msecs)03d %(message)s",
        "{": "{asctime} {levelname} {name} {msecs:03.0f} {message}",
        "$": "${asctime} $levelname $name $msecs $message",
    }
    for created in CREATED:
        for style, f in full.items():
            add(style, f, record(created_ns=created), utc=(created % 2 == 0))
    for datefmt in DATEFMTS:
        for utc in (False, True):
            add("%", "%(asctime)s|%(message)s", datefmt=datefmt, utc=utc)
    for msec in [None, "", "%s.%03d", "%s,%03d", "%s.%d", "%s", "%s %s %s", "%(x)s",
                 "%s:%06.2f", "%s.%03d%%"]:
        add("%", "%(asctime)s", default_msec_format=msec)
    for tf in [None, "%H:%M", "", "%Y"]:
        add("%", "%(asctime)s", default_time_format=tf)
        add("{", "{asctime}", default_time_format=tf, default_msec_format=None)

    # Record fields.
    recs = [
        record(name="root", levelno=10, levelname="DEBUG"),
        record(name="a.b.c", levelno=50, levelname="CRITICAL", lineno=0, funcName="<module>"),
        record(levelno=25, levelname="Level 25", pathname="c.tar.gz"),
        record(pathname="relative/.hidden", funcName="(unknown function)"),
        record(pathname="(unknown file)", lineno=1),
        record(pathname="/x/y/z", thread=1, threadName="worker-1", process=1,
               processName="SpawnProcess-1"),
        record(msg="héllo ✓ 'q' \"d\""),
        record(msg="100% done %s {0} $x"),
        record(msg="multi\nline\n"),
        record(msg=""),
        record(exc_text="Traceback (most recent call last):\nValueError: boom"),
        record(stack_info="Stack (most recent call last):\n  File x"),
        record(exc_text="E", stack_info="S"),
        record(msg="ends with nl\n", exc_text="E", stack_info="S"),
        record(exc_text="", stack_info=""),
        record(relativeCreated=0.0, created_ns=0),
        record(relativeCreated=1e-7),
        record(relativeCreated=123456789.123),
    ]
    for r in recs:
        add("%", "%(name)s|%(levelno)d|%(levelname)s|%(pathname)s|%(filename)s|%(module)s|"
            "%(lineno)d|%(funcName)s|%(created)f|%(msecs)d|%(relativeCreated)s|%(thread)d|"
            "%(threadName)s|%(process)d|%(processName)s|%(message)s|%(exc_text)s|"
            "%(stack_info)s", r)
        add("{", "{name!r} {levelname:^10} {filename} {module!r} {funcName} {relativeCreated} "
            "{message!r} {exc_text!r} {stack_info!r}", r)
        add("$", "$name $levelname $module ${message}", r)
    add("%", "%(message)s", record(msg="x"), twice=True)
    add("%", "%(exc_text)s|%(message)s", record(exc_text="E"), twice=True)
    add("%", "", record(msg=""), )

    # Cross products: every flag/width/precision/type combination against every value type.
    keys = ["user", "uni", "n", "neg", "zero", "f", "fneg0", "fbig", "ftiny", "fsum", "yes",
            "none", "empty"]
    for conv in "sradiuoxXeEfFgGc":
        for flags in ["", "-", "0", "+", " ", "#", "-#0", "+0"]:
            for wp in ["", "7", ".2", "9.3", ".0"]:
                for k in keys:
                    add("%", "%(" + k + ")" + flags + wp + conv + "|")
    specs = ["", "s", "d", "x", "#x", "_b", "o", "c", "e", ".3e", "f", ".1f", "F", "g", ".3g",
             "#g", "G", "n", "%", ".2%", ",", "_", ",.2f", "010", "0=10", "*^9", "<6", ">6",
             "+", " ", "-", "z", "z.1f", "#", ".3", ".0", "+012,.3f", "é>5", "=^", "x<8.2",
             "#012_x", "0<7", "10,", "07,"]
    for spec in specs:
        for k in keys:
            add("{", "{%s:%s}|" % (k, spec))
    return cases
