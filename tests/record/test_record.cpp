#include <doctest/doctest.h>

#include <cstdint>
#include <iterator>
#include <limits>
#include <string>
#include <thread>
#include <vector>

#include "dictlog/errors.hpp"
#include "dictlog/record.hpp"

using namespace dictlog;

namespace {
LogRecord at(std::int64_t ns) {
  LogRecord r;
  r.created_ns = ns;
  return r;
}
struct Point {
  int x, y;
};
struct Opaque {
  int v;
};
}  // namespace

template <>
struct fmt::formatter<Point> : fmt::formatter<std::string_view> {
  auto format(const Point& p, format_context& ctx) const {
    return fmt::format_to(ctx.out(), "({}, {})", p.x, p.y);
  }
};
template <>
struct dictlog::copy_safe<Point> : std::true_type {};
template <>
struct fmt::formatter<Opaque> : fmt::formatter<int> {
  auto format(const Opaque& o, format_context& ctx) const {
    return fmt::formatter<int>::format(o.v, ctx);
  }
};

TEST_CASE("msecs follows CPython 3.13, including the 999 rounding fix") {
  CHECK(at(1700000000'500000000).msecs() == 500.0);
  CHECK(at(1700000000'000999999).msecs() == 0.0);
  // 920.999998503 s: the float does not round up to 921, msecs stays 999.
  CHECK(at(1700000920'999998503).msecs() == 999.0);
  // 920.9999999 s rounds up to 921.0 as a float: msecs becomes 0.
  CHECK(at(1700000920'999999900).msecs() == 0.0);
  CHECK(at(1700000000'500000000).created() == 1700000000.5);
}

TEST_CASE("filename and module come from pathname like os.path") {
  LogRecord r;
  r.pathname = "/srv/app/c.tar.gz";
  CHECK(r.filename() == "c.tar.gz");
  CHECK(r.module() == "c.tar");
  r.pathname = "main.cpp";
  CHECK(r.filename() == "main.cpp");
  CHECK(r.module() == "main");
  r.pathname = "/x/.hidden";
  CHECK(r.module() == ".hidden");
  r.pathname = "/x/Makefile";
  CHECK(r.module() == "Makefile");
}

TEST_CASE("funcName is the unqualified function name") {
  LogRecord r;
  r.func = "connect";
  CHECK(r.func_name() == "connect");
  r.func = "void app::Db::connect(int)";
  CHECK(r.func_name() == "connect");
  r.func = "std::vector<int> ns::make<std::pair<int, int>>(const char*) [with T = int]";
  CHECK(r.func_name() == "make<std::pair<int, int>>");
}

namespace {
SourceLocation made_here() {
  return SourceLocation::current();
}
}  // namespace

TEST_CASE("a record made by a logger knows where, when and which thread") {
  auto w = made_here();
  LogRecord r("app.db", 20, w);
  CHECK(r.name == "app.db");
  CHECK(r.levelname == "INFO");
  CHECK(r.lineno == w.line());
  CHECK(r.func_name() == "made_here");
  CHECK(r.filename() == "test_record.cpp");
  CHECK(r.thread_name == "MainThread");
  CHECK(r.process_name == "MainProcess");
  CHECK(r.process == ::getpid());
  CHECK(r.relative_created >= 0.0);
  std::string other;
  std::thread([&] {
    set_thread_name("worker-1");
    other = std::string(LogRecord("x", 10, w).thread_name);
  }).join();
  CHECK(other == "worker-1");
}

TEST_CASE("get_message formats captured arguments with fmt, once") {
  LogRecord r;
  r.set_msg("request {} served in {:>5} us by {}");
  std::string path = "/index";
  r.capture_args(path, 42, 'x');
  path = "changed after capture";
  CHECK(r.get_message() == "request /index served in    42 us by x");
  CHECK(r.args_repr() == "('/index', 42, 'x')");
  CHECK(!r.args().on_heap());
}

TEST_CASE("messages of \"{}\" fields give fmt's bytes and fmt's errors, whatever their length") {
  const std::string long_text(600, 'a');
  const std::string long_arg(300, 'b');
  const std::vector<std::string> formats = {"",
                                            "{}",
                                            "{} {}",
                                            "a{}b{}c{}d{}e{}f{}g",
                                            "{}{}{}{}{}{}{}",
                                            "{}{}{}{}{}{}{}{}",
                                            "{{}}",
                                            "{{{}}}",
                                            "{{",
                                            "}}",
                                            "}",
                                            "{",
                                            "x{",
                                            "{}}",
                                            "{0}",
                                            "{:>4}",
                                            "{} {0}",
                                            "{!r}",
                                            "12345678{}",
                                            long_text + "{}" + long_text + "{}",
                                            "{{" + long_text};
  for (const std::string& f : formats) {
    CAPTURE(f);
    LogRecord r;
    r.set_msg_copy(f);
    r.capture_args(-7, long_arg, 2.5, true, 'c', std::numeric_limits<unsigned long long>::max(),
                   std::numeric_limits<long long>::min());
    std::string want;
    try {
      want = fmt::format(fmt::runtime(f), -7, long_arg, 2.5, true, 'c',
                         std::numeric_limits<unsigned long long>::max(),
                         std::numeric_limits<long long>::min());
    } catch (const fmt::format_error&) {
      CHECK_THROWS_AS(r.get_message(), fmt::format_error);
      continue;
    }
    CHECK(r.get_message() == want);
  }
}

TEST_CASE("a brace is found wherever it stands in a message of any length") {
  // The scans read 16 or 8 bytes at a time, a short tail as the text's last 16 bytes, and a
  // text of up to 64 bytes as one mask: every position of every length past that, for a
  // field, an escape and two errors.
  for (const std::string piece : {"{}", "{{", "}", "{"}) {
    for (std::size_t len = 0; len <= 80; ++len) {
      for (std::size_t at = 0; at <= len; ++at) {
        std::string f(len, 'x');
        f.insert(at, piece);
        CAPTURE(f);
        LogRecord r;
        r.set_msg_copy(f);
        r.capture_args(42);
        std::string want;
        try {
          want = fmt::format(fmt::runtime(f), 42);
        } catch (const fmt::format_error&) {
          CHECK_THROWS_AS(r.get_message(), fmt::format_error);
          continue;
        }
        CHECK(r.get_message() == want);
      }
    }
  }
}

TEST_CASE("messages of several fields among escapes and literals are written as fmt writes them") {
  // Exactly as many "{}" as arguments and no other brace: each argument's writer inlined;
  // anything else goes to the pointer-driven pass or to fmt. Random messages of pieces.
  const char* pieces[] = {"{}",
                          "{}",
                          "{}",
                          "{{",
                          "}}",
                          "}",
                          "{",
                          "{:>4}",
                          "a",
                          "b c ",
                          "a literal that is longer than thirty-two bytes"};
  std::uint64_t seed = 7;
  auto next = [&seed](std::size_t n) {
    seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
    return static_cast<std::size_t>((seed >> 33) % n);
  };
  const int i = -1234567;
  const std::string s = "seventeen bytes!!";
  const unsigned long long u = 18446744073709551615ULL;
  const double d = 2.5;
  int fast = 0;
  for (int round = 0; round < 20000; ++round) {
    std::string f;
    if (round % 2) {
      for (std::size_t k = next(7); k > 0; --k) f += pieces[next(std::size(pieces))];
    } else {  // four "{}" among literals only
      for (int field = 0; field < 4; ++field)
        f += std::string(pieces[8 + next(3)]).substr(0, next(3)) + "{}";
      f += std::string(pieces[8 + next(3)]).substr(0, next(3) * 20);
    }
    CAPTURE(f);
    LogRecord r;
    r.set_msg_copy(f);
    r.capture_args(i, s, u, d);
    std::string want;
    try {
      want = fmt::format(fmt::runtime(f), i, s, u, d);
    } catch (const fmt::format_error&) {
      CHECK_THROWS_AS(r.get_message(), fmt::format_error);
      continue;
    }
    CHECK(r.get_message() == want);
    const char* at[5];
    fast += dictlog::detail::find_plain_fields(f, 4, at);
  }
  CHECK(fast >= 10000);  // the inlined path was taken, not only the others
}

template <class T>
void check_integers() {
  std::vector<T> values = {0, 1, std::numeric_limits<T>::max(), std::numeric_limits<T>::min()};
  // Each power of ten the type holds, and its neighbours, with either sign.
  for (unsigned long long p = 1;
       p <= static_cast<unsigned long long>(std::numeric_limits<T>::max()); p *= 10) {
    for (unsigned long long v : {p - 1, p, p + 1}) {
      if (v > static_cast<unsigned long long>(std::numeric_limits<T>::max())) continue;
      values.push_back(static_cast<T>(v));
      if constexpr (std::is_signed_v<T>) values.push_back(static_cast<T>(-static_cast<T>(v)));
    }
    if (p > std::numeric_limits<unsigned long long>::max() / 10) break;
  }
  for (T v : values) {
    CAPTURE(+v);
    LogRecord r;
    r.set_msg("<{}>");
    r.capture_args(v);
    CHECK(r.get_message() == fmt::format("<{}>", v));
  }
}

TEST_CASE("integers of every width are written as fmt writes them") {
  check_integers<short>();
  check_integers<unsigned short>();
  check_integers<int>();
  check_integers<unsigned>();
  check_integers<long>();
  check_integers<unsigned long>();
  check_integers<long long>();
  check_integers<unsigned long long>();
}

TEST_CASE("a message without arguments is taken literally") {
  LogRecord r;
  r.set_msg("100% {not a field}");
  CHECK(r.get_message() == "100% {not a field}");
  CHECK(r.args_repr() == "()");
}

TEST_CASE("args repr is Python's tuple repr") {
  LogRecord r;
  r.set_msg("{}");
  r.capture_args(std::string("w"));
  CHECK(r.args_repr() == "('w',)");
  LogRecord s;
  s.set_msg("{} {} {} {}");
  s.capture_args(true, 1.5, "it's", -3);
  CHECK(s.args_repr() == "(True, 1.5, \"it's\", -3)");
  CHECK(s.get_message() == "true 1.5 it's -3");
}

TEST_CASE("large arguments spill to the heap and survive copies and moves") {
  std::string big(300, 'z');
  LogRecord r;
  r.set_msg("<{}>");
  r.capture_args(big);
  CHECK(r.args().on_heap());
  LogRecord c = r;
  LogRecord m = std::move(r);
  CHECK(c.get_message() == "<" + big + ">");
  CHECK(m.get_message() == "<" + big + ">");
}

TEST_CASE("an owned msg stays valid in copies") {
  LogRecord r;
  r.set_msg_copy(std::string("runtime ") + "text");
  LogRecord c = r;
  r.set_msg_copy("other");
  CHECK(c.msg() == "runtime text");
  CHECK(c.get_message() == "runtime text");
}

TEST_CASE("copy_safe user types are copied, others must be formatted eagerly") {
  static_assert(detail::ArgTraits<Point>::capturable);
  static_assert(!detail::ArgTraits<Opaque>::capturable);
  LogRecord r;
  r.set_msg("at {}");
  r.capture_args(Point{1, 2});
  CHECK(r.get_message() == "at (1, 2)");
}

TEST_CASE("extra keys that clash with record attributes are refused") {
  CHECK_THROWS_WITH_AS(check_extra_keys({{"msg", 1}}), "Attempt to overwrite 'msg' in LogRecord",
                       KeyError);
  CHECK_THROWS_AS(check_extra_keys({{"message", 1}}), KeyError);
  CHECK_THROWS_AS(check_extra_keys({{"asctime", 1}}), KeyError);
  CHECK_THROWS_AS(check_extra_keys({{"funcName", 1}}), KeyError);
  CHECK_NOTHROW(check_extra_keys({{"sql", "select 1"}, {"user", 7}}));
}

TEST_CASE(
    "attribute names are found by name, each of them, and no near miss is: same length, "
    "same first byte, one byte changed, a prefix that is not a name itself, or empty") {
  int found = 0, missed = 0;
  for (int a = 0; a < attr_count; ++a) {
    const std::string name(attr_name(static_cast<Attr>(a)));
    REQUIRE(attr_from_name(name) == static_cast<Attr>(a));
    ++found;
    for (std::size_t i = 0; i < name.size(); ++i) {
      std::string near = name;
      near[i] = near[i] == 'x' ? 'y' : 'x';
      CHECK_FALSE(attr_from_name(near));
      const std::string prefix = name.substr(0, i);  // "process" of "processName" is a name
      const auto p = attr_from_name(prefix);
      CHECK((!p || attr_name(*p) == prefix));
      missed += 2;
    }
    CHECK_FALSE(attr_from_name(name + "s"));
    CHECK_FALSE(attr_from_name("_" + name));
  }
  CHECK_FALSE(attr_from_name(""));
  CHECK(found == 23);
  CHECK(missed > 300);
}

TEST_CASE("extra values render as Python's str") {
  CHECK(str(Value(true)) == "True");
  CHECK(str(Value()) == "None");
  CHECK(str(Value(1.5)) == "1.5");
  CHECK(str(Value(1e20)) == "1e+20");
  CHECK(str(Value(7)) == "7");
  CHECK(repr(Value("a'b")) == "\"a'b\"");
}

TEST_CASE("attribute() exposes every Python attribute by name") {
  LogRecord r = make_log_record({{"name", "n"}, {"msg", "hello"}, {"levelno", 20}, {"x", 1}});
  CHECK(std::get<std::string_view>(r.attribute(Attr::name)) == "n");
  CHECK(std::get<std::int64_t>(r.attribute(Attr::levelno)) == 20);
  CHECK(std::get<std::string_view>(r.attribute(Attr::message)) == "hello");
  CHECK(std::holds_alternative<std::monostate>(r.attribute(Attr::taskName)));
  CHECK(r.find_extra("x") != nullptr);
  CHECK(attr_from_name("relativeCreated") == Attr::relativeCreated);
  CHECK(attr_from_name("sql") == std::nullopt);
  CHECK(attr_name(Attr::funcName) == "funcName");
}

TEST_CASE("a record prepared with borrowed text copies nothing; a copy owns the text") {
  std::string storage = "served /index in 42 us";
  LogRecord r;
  r.set_msg("served {} in {} us");
  r.capture_args(std::string("/index"), 42);
  r.set_prepared_borrowed(storage);
  CHECK(r.is_prepared());
  CHECK_FALSE(r.owns_msg());
  CHECK(r.msg().data() == storage.data());
  CHECK(r.message_text().data() == storage.data());
  CHECK(r.get_message() == "served /index in 42 us");
  CHECK(r.args().empty());
  CHECK(r.args_repr() == "None");  // as after CPython's QueueHandler.prepare
  LogRecord copy(r);
  LogRecord assigned;
  assigned = r;
  LogRecord moved(std::move(r));  // still borrowed: moves stay within the batch
  CHECK(moved.msg().data() == storage.data());
  CHECK(copy.owns_msg());
  storage.assign(storage.size(), 'X');
  CHECK(copy.msg() == "served /index in 42 us");
  CHECK(copy.get_message() == "served /index in 42 us");
  CHECK(assigned.message_text() == "served /index in 42 us");
  CHECK(copy.args_repr() == "None");
}
