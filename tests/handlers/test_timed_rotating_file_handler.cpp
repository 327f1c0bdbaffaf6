// TimedRotatingFileHandler against CPython 3.13's behaviour (reference §7.2, §7.4), on real
// files with an injected clock. Every expected value below is what CPython 3.13.0 gives for
// the same steps (time.time patched to the same clock).
#include <doctest/doctest.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "dictlog/errors.hpp"
#include "dictlog/timed_rotating_file_handler.hpp"
#include "support/capture.hpp"
#include "support/files.hpp"

using namespace dictlog;
namespace fs = std::filesystem;
using dictlog::test::Files;
using dictlog::test::files_in;
using dictlog::test::TempDir;
using dictlog::test::write_file;
using AtTime = TimedRotatingFileHandler::AtTime;
using I64s = std::vector<std::int64_t>;

namespace {

void log(Handler& h, const char* msg) {
  LogRecord r = make_log_record({{"msg", msg}, {"levelno", INFO}});
  h.handle(r);
}

}  // namespace

namespace {

// Tue 2026-11-24 22:13:05 UTC.
constexpr std::int64_t T0 = 1795558385;

// A handler on a clock the test moves.
struct Timed {
  std::int64_t now = T0;
  std::shared_ptr<TimedRotatingFileHandler> h;
  Timed(const std::string& file, std::string_view when, std::int64_t interval, int backups,
        bool delay, std::optional<AtTime> at = std::nullopt, bool utc = true) {
    h = std::make_shared<TimedRotatingFileHandler>(file, when, interval, backups, std::nullopt,
                                                   delay, utc, at, std::nullopt,
                                                   [this] { return now; });
  }
  std::int64_t rollover_in() const { return h->rollover_at() - T0; }
};

// compute_rollover for each of the fixed instants the CPython table was made from.
I64s rollovers(std::string_view when, std::int64_t interval, std::optional<AtTime> at, bool utc,
               const I64s& instants) {
  TempDir dir;
  TimedRotatingFileHandler h(dir.file("x.log"), when, interval, 0, std::nullopt, true, utc, at);
  I64s out;
  for (auto t : instants) out.push_back(h.compute_rollover(t));
  return out;
}

}  // namespace

TEST_CASE("compute_rollover in UTC matches CPython for fixed instants") {
  // Tue 2026-11-24 22:13:05, Sun 2026-11-22 00:00:00, Mon 2026-11-23 23:59:59,
  // Thu 2024-02-29 12:00:00, Thu 1970-01-01 00:00:00.
  const I64s ts = {1795558385, 1795305600, 1795478399, 1709208000, 0};
  CHECK(rollovers("S", 1, {}, true, ts) == I64s{1795558386, 1795305601, 1795478400, 1709208001, 1});
  CHECK(rollovers("m", 5, {}, true, ts) ==
        I64s{1795558685, 1795305900, 1795478699, 1709208300, 300});
  CHECK(rollovers("H", 1, {}, true, ts) ==
        I64s{1795561985, 1795309200, 1795481999, 1709211600, 3600});
  CHECK(rollovers("D", 2, {}, true, ts) ==
        I64s{1795731185, 1795478400, 1795651199, 1709380800, 172800});
  CHECK(rollovers("midnight", 1, {}, true, ts) ==
        I64s{1795564800, 1795392000, 1795478400, 1709251200, 86400});
  CHECK(rollovers("midnight", 3, {}, true, ts) ==
        I64s{1795737600, 1795564800, 1795651200, 1709424000, 259200});
  // at_time equal to the time of day rolls tomorrow (r <= 0).
  CHECK(rollovers("midnight", 1, AtTime{22, 13, 5}, true, ts) ==
        I64s{1795644785, 1795385585, 1795558385, 1709244785, 79985});
  CHECK(rollovers("midnight", 1, AtTime{23, 0, 0}, true, ts) ==
        I64s{1795561200, 1795388400, 1795561200, 1709247600, 82800});
  CHECK(rollovers("midnight", 1, AtTime{1, 30, 0}, true, ts) ==
        I64s{1795570200, 1795311000, 1795483800, 1709256600, 5400});
  // W0 from a Tuesday: the midnight ending next Monday; W1 from a Tuesday: tonight.
  CHECK(rollovers("W0", 1, {}, true, ts) ==
        I64s{1796083200, 1795478400, 1795478400, 1709596800, 432000});
  CHECK(rollovers("W1", 1, {}, true, ts) ==
        I64s{1795564800, 1795564800, 1795564800, 1709683200, 518400});
  CHECK(rollovers("W2", 1, {}, true, ts) ==
        I64s{1795651200, 1795651200, 1795651200, 1709769600, 604800});
  CHECK(rollovers("w6", 2, {}, true, ts) ==
        I64s{1796601600, 1795996800, 1796601600, 1710115200, 950400});
  CHECK(rollovers("W1", 1, AtTime{22, 13, 5}, true, ts) ==
        I64s{1796163185, 1795558385, 1795558385, 1709676785, 511985});
  CHECK(rollovers("W1", 1, AtTime{23, 0, 0}, true, ts) ==
        I64s{1795561200, 1795561200, 1795561200, 1709679600, 514800});
  CHECK(rollovers("W3", 1, AtTime{6, 0, 0}, true, ts) ==
        I64s{1795672800, 1795672800, 1795672800, 1709791200, 21600});
}

TEST_CASE("compute_rollover in local time corrects for DST like CPython") {
  const char* old = std::getenv("TZ");
  std::string saved = old ? old : "";
  ::setenv("TZ", "America/New_York", 1);
  ::tzset();
  // Sat 2026-03-07 12:00 EST, Sun 2026-03-08 00:30 EST, Sat 2026-10-31 12:00 EDT,
  // Sun 2026-11-01 00:30 EDT, Thu 2026-03-05 12:00 EST.
  const I64s ts = {1772902800, 1772947800, 1793462400, 1793507400, 1772730000};
  I64s midnight = rollovers("midnight", 1, {}, false, ts);
  I64s at3 = rollovers("midnight", 1, AtTime{3, 0, 0}, false, ts);
  I64s at130 = rollovers("midnight", 1, AtTime{1, 30, 0}, false, ts);
  I64s w6 = rollovers("W6", 1, {}, false, ts);
  I64s w5 = rollovers("W5", 1, AtTime{2, 30, 0}, false, ts);
  I64s hourly = rollovers("H", 1, {}, false, ts);
  if (old)
    ::setenv("TZ", saved.c_str(), 1);
  else
    ::unsetenv("TZ");
  ::tzset();
  CHECK(midnight == I64s{1772946000, 1773028800, 1793505600, 1793595600, 1772773200});
  CHECK(at3 == I64s{1772953200, 1772953200, 1793520000, 1793520000, 1772784000});
  CHECK(at130 == I64s{1772951400, 1772951400, 1793511000, 1793511000, 1772778600});
  CHECK(w6 == I64s{1773028800, 1773028800, 1793595600, 1793595600, 1773028800});
  CHECK(w5 == I64s{1773469800, 1773469800, 1794036600, 1794036600, 1772868600});
  CHECK(hourly == I64s{1772906400, 1772951400, 1793466000, 1793511000, 1772733600});
}

TEST_CASE("a bad `when` throws ValueError with Python's message") {
  TempDir dir;
  auto msg = [&](std::string_view when) -> std::string {
    try {
      TimedRotatingFileHandler h(dir.file("e.log"), when, 1, 0, std::nullopt, true);
    } catch (const ValueError& e) {
      return e.what();
    }
    return "no error";
  };
  CHECK(msg("W") == "You must specify a day for weekly rollover from 0 to 6 (0 is Monday): W");
  CHECK(msg("W10") == "You must specify a day for weekly rollover from 0 to 6 (0 is Monday): W10");
  CHECK(msg("W7") == "Invalid day specified for weekly rollover: W7");
  CHECK(msg("w8") == "Invalid day specified for weekly rollover: W8");
  CHECK(msg("Wa") == "Invalid day specified for weekly rollover: WA");
  CHECK(msg("X") == "Invalid rollover interval specified: X");
  CHECK(msg("") == "Invalid rollover interval specified: ");
  CHECK(files_in(dir.path()).empty());
}

TEST_CASE("when is upper-cased; interval is in units of when; suffixes are Python's") {
  TempDir dir;
  Timed m(dir.file("m.log"), "m", 5, 0, true);
  CHECK(m.h->when() == "M");
  CHECK(m.h->interval() == 300);
  CHECK(m.h->suffix() == "%Y-%m-%d_%H-%M");
  Timed w(dir.file("w.log"), "w3", 2, 0, true);
  CHECK(w.h->when() == "W3");
  CHECK(w.h->interval() == 2 * 7 * 86400);
  CHECK(w.h->suffix() == "%Y-%m-%d");
  Timed s(dir.file("s.log"), "s", 1, 0, true);
  CHECK(s.h->suffix() == "%Y-%m-%d_%H-%M-%S");
  Timed d(dir.file("d.log"), "midnight", 1, 0, true);
  CHECK(d.h->when() == "MIDNIGHT");
  CHECK(d.h->suffix() == "%Y-%m-%d");
}

TEST_CASE("hourly: backups named for the hour they cover; only dated ones count") {
  TempDir dir;
  write_file(dir / "t.log.2023-11-12.gz", "gz\n");
  write_file(dir / "t.log.junk", "j\n");
  write_file(dir / "t.log.2020-01-01_00", "old\n");
  write_file(dir / "xt.log.2020-01-01_01", "x\n");
  write_file(dir / "t.log.12020-01-01_01", "x\n");
  write_file(dir / "t.log", "", T0);  // the first rollover counts from the file's mtime
  Timed t(dir.file("t.log"), "h", 1, 2, false);
  CHECK(t.rollover_in() == 3600);
  const Files untouched = {{"t.log.2023-11-12.gz", "gz\n"},
                           {"t.log.junk", "j\n"},
                           {"xt.log.2020-01-01_01", "x\n"},
                           {"t.log.12020-01-01_01", "x\n"}};
  auto with = [&](Files f) {
    f.insert(untouched.begin(), untouched.end());
    return f;
  };
  log(*t.h, "a");
  t.now = T0 + 3599;
  log(*t.h, "a2");
  CHECK(files_in(dir.path()) == with({{"t.log", "a\na2\n"}, {"t.log.2020-01-01_00", "old\n"}}));
  CHECK(t.rollover_in() == 3600);
  t.now = T0 + 3600;
  log(*t.h, "b");
  // Two dated backups now, backup_count 2: nothing deleted yet.
  CHECK(files_in(dir.path()) == with({{"t.log", "b\n"},
                                      {"t.log.2020-01-01_00", "old\n"},
                                      {"t.log.2026-11-24_22", "a\na2\n"}}));
  CHECK(t.rollover_in() == 7200);
  t.now = T0 + 7200;
  log(*t.h, "c");
  CHECK(
      files_in(dir.path()) ==
      with({{"t.log", "c\n"}, {"t.log.2026-11-24_22", "a\na2\n"}, {"t.log.2026-11-24_23", "b\n"}}));
  CHECK(t.rollover_in() == 10800);
  t.now = T0 + 3 * 3600 + 10;
  log(*t.h, "d");
  CHECK(files_in(dir.path()) ==
        with({{"t.log", "d\n"}, {"t.log.2026-11-24_23", "b\n"}, {"t.log.2026-11-25_00", "c\n"}}));
  CHECK(t.rollover_in() == 14410);  // rescheduled from now, not aligned
  t.now = T0 + 5 * 3600;
  log(*t.h, "e");
  CHECK(files_in(dir.path()) ==
        with({{"t.log", "e\n"}, {"t.log.2026-11-25_00", "c\n"}, {"t.log.2026-11-25_01", "d\n"}}));
  CHECK(t.rollover_in() == 21600);
  t.h->close();
}

TEST_CASE("an existing file's mtime starts the first interval") {
  TempDir dir;
  write_file(dir / "m.log", "old\n", T0 - 7200);
  Timed t(dir.file("m.log"), "H", 1, 0, false);
  CHECK(t.rollover_in() == -3600);
  log(*t.h, "new");
  CHECK(files_in(dir.path()) == Files{{"m.log", "new\n"}, {"m.log.2026-11-24_20", "old\n"}});
  CHECK(t.rollover_in() == 3600);
  t.h->close();
}

TEST_CASE("stuck quirk: an existing backup name blocks rotation and rescheduling") {
  TempDir dir;
  Timed t(dir.file("s.log"), "M", 2, 0, true);
  log(*t.h, "a");
  write_file(dir / "s.log.2026-11-24_22-13", "exists\n");
  t.now = T0 + 120;
  log(*t.h, "b");
  t.now = T0 + 500;
  log(*t.h, "c");
  CHECK(files_in(dir.path()) ==
        Files{{"s.log", "a\nb\nc\n"}, {"s.log.2026-11-24_22-13", "exists\n"}});
  CHECK(t.rollover_in() == 120);
  t.h->close();
}

TEST_CASE("with a namer, backups are the files whose date maps back to their name") {
  TempDir dir;
  Timed t(dir.file("n.log"), "D", 1, 1, true);
  t.h->namer = [](const std::string& n) {
    std::string s = n;
    s.replace(s.find(".log."), 5, ".");
    return s + ".log";
  };
  write_file(dir / "n.2020-01-01.log", "o1\n");
  write_file(dir / "n.2020-01-02.log", "o2\n");
  write_file(dir / "n.2020-01-02.log.bak", "bak\n");
  log(*t.h, "a");
  t.now = T0 + 86400;
  log(*t.h, "b");
  CHECK(files_in(dir.path()) ==
        Files{{"n.2020-01-02.log.bak", "bak\n"}, {"n.2026-11-24.log", "a\n"}, {"n.log", "b\n"}});
  t.h->close();
}

TEST_CASE("get_files_to_delete keeps the newest backup_count, oldest first") {
  TempDir dir;
  Timed t(dir.file("g.log"), "D", 1, 2, true);
  for (const char* f : {"g.log.2020-01-03", "g.log.2020-01-01", "g.log.2020-01-04",
                        "g.log.2020-01-02", "g.log.2020-01-02x"})
    write_file(dir / f, "");
  CHECK(t.h->get_files_to_delete() ==
        std::vector<std::string>{dir.file("g.log.2020-01-01"), dir.file("g.log.2020-01-02")});
}

TEST_CASE("midnight with at_time: rolls at that time, backup named for the previous day") {
  TempDir dir;
  Timed t(dir.file("a.log"), "MIDNIGHT", 1, 5, true, AtTime{23, 0, 0});
  CHECK(t.rollover_in() == 2815);
  log(*t.h, "a");
  t.now = T0 + 2874;
  log(*t.h, "b");
  CHECK(files_in(dir.path()) == Files{{"a.log", "b\n"}, {"a.log.2026-11-23", "a\n"}});
  CHECK(t.rollover_in() == 89215);
  t.now = T0 + 2875;
  log(*t.h, "c");
  t.now = T0 + 2875 + 86400;
  log(*t.h, "d");
  CHECK(files_in(dir.path()) ==
        Files{{"a.log", "d\n"}, {"a.log.2026-11-23", "a\n"}, {"a.log.2026-11-24", "b\nc\n"}});
  CHECK(t.rollover_in() == 175615);
  t.h->close();
}

TEST_CASE("delay: no file until the first record; per-second suffix") {
  TempDir dir;
  Timed t(dir.file("dl.log"), "S", 1, 0, true);
  CHECK(files_in(dir.path()).empty());
  log(*t.h, "a");
  t.now = T0 + 1;
  log(*t.h, "b");
  CHECK(files_in(dir.path()) == Files{{"dl.log", "b\n"}, {"dl.log.2026-11-24_22-13-05", "a\n"}});
  t.h->close();
}

TEST_CASE("a path that is not a regular file is never rotated, only rescheduled") {
  TempDir dir;
  REQUIRE(::mkfifo((dir / "p").c_str(), 0600) == 0);
  int reader = ::open((dir / "p").c_str(), O_RDONLY | O_NONBLOCK);
  REQUIRE(reader >= 0);
  timespec ts[2] = {{static_cast<time_t>(T0), 0}, {static_cast<time_t>(T0), 0}};
  REQUIRE(::utimensat(AT_FDCWD, (dir / "p").c_str(), ts, 0) == 0);
  Timed t(dir.file("p"), "S", 1, 1, false);
  CHECK(t.rollover_in() == 1);
  t.now = T0 + 5;
  log(*t.h, "x");
  CHECK(t.h->rollover_at() == T0 + 6);
  char buf[16] = {};
  CHECK(::read(reader, buf, sizeof buf) == 2);
  CHECK(std::string(buf) == "x\n");
  CHECK(files_in(dir.path()).empty());  // no "p.<date>" next to the FIFO
  t.h->close();
  ::close(reader);
}

TEST_CASE("class name and repr are Python's") {
  TempDir dir;
  Timed t(dir.file("r.log"), "H", 1, 0, true);
  CHECK(t.h->class_name() == "TimedRotatingFileHandler");
  CHECK(t.h->repr() == "<TimedRotatingFileHandler " + dir.file("r.log") + " (NOTSET)>");
}
