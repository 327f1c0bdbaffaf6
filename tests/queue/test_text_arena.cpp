// TextArena, and a listener's deferred prepare into it (prepare_in).
#include <doctest/doctest.h>
#include <fmt/format.h>

#include <string>
#include <vector>

#include "dictlog/record.hpp"
#include "queue/text_arena.hpp"

using namespace dictlog;

TEST_CASE("a record prepared in a TextArena borrows its text; a copy owns it") {
  detail::TextArena arena;
  LogRecord r;
  r.set_msg("served {} in {} us");
  r.capture_args(std::string("/index"), 42);
  detail::prepare_in(r, arena);
  CHECK(r.msg() == "served /index in 42 us");
  CHECK(r.message_text() == "served /index in 42 us");
  CHECK(r.get_message() == "served /index in 42 us");
  CHECK(r.args().empty());
  CHECK(r.args_repr() == "None");  // as after CPython's QueueHandler.prepare
  LogRecord copy(r);
  LogRecord assigned;
  assigned = r;
  LogRecord moved(std::move(r));  // still borrowed: moves stay within the batch
  CHECK(moved.msg() == "served /index in 42 us");
  arena.reset();
  // Overwrites the reset arena's first bytes, where the borrowed text was.
  arena.store("XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX");
  CHECK(copy.msg() == "served /index in 42 us");
  CHECK(copy.get_message() == "served /index in 42 us");
  CHECK(assigned.message_text() == "served /index in 42 us");
  CHECK(copy.args_repr() == "None");

  // A message without args that is static text is not copied at all.
  LogRecord s;
  s.set_msg("static text");
  detail::prepare_in(s, arena);
  CHECK(s.msg() == "static text");

  // A format error leaves the record as it was, for handle_error to report.
  LogRecord bad;
  bad.set_msg("{} and {}");
  bad.capture_args(1);
  CHECK_THROWS(detail::prepare_in(bad, arena));
  CHECK(bad.msg() == "{} and {}");
  CHECK(bad.args_repr() == "(1,)");
}

TEST_CASE("prepare_in stores a message already formatted, and leaves a prepared record") {
  detail::TextArena arena;
  LogRecord r;
  r.set_msg("n={}");
  r.capture_args(7);
  CHECK(r.get_message() == "n=7");  // a filter read it
  detail::prepare_in(r, arena);
  CHECK(r.msg() == "n=7");
  CHECK(r.is_prepared());

  LogRecord p;
  p.set_prepared("done");
  detail::prepare_in(p, arena);
  CHECK(p.msg() == "done");
  CHECK(p.owns_msg());
}

TEST_CASE("TextArena: texts larger than a chunk, and many chunks") {
  detail::TextArena arena;
  std::string big(200 * 1024, 'b');
  std::vector<std::string_view> views;
  for (int i = 0; i < 5000; ++i) views.push_back(arena.store("line " + std::to_string(i)));
  std::string_view b = arena.store(big);
  std::string_view after = arena.store("after");
  for (int i = 0; i < 5000; ++i) CHECK(views[i] == "line " + std::to_string(i));
  CHECK(b == big);
  CHECK(after == "after");
  CHECK(arena.store("").empty());
  arena.reset();
  CHECK(arena.store("again") == "again");
}

TEST_CASE("formatting into the arena survives chunk ends, giant arguments, fmt's fallback") {
  detail::TextArena arena;
  const std::string giant(100 * 1024, 'g');  // more than a chunk: the message moves twice
  std::vector<LogRecord> records;
  std::vector<std::string> want;
  records.reserve(4000);
  for (int i = 0; i < 4000; ++i) {
    LogRecord& r = records.emplace_back();
    // Every 7th a spec ("{:>6}": written by fmt after the plain pass took its bytes back),
    // every 1000th a giant argument, the rest "{}" fields.
    const std::string arg = i % 1000 == 999 ? giant : "arg" + std::to_string(i);
    if (i % 7 == 3) {
      r.set_msg("spec {:>6} #{}");
      want.push_back(fmt::format("spec {:>6} #{}", arg, i));
    } else {
      r.set_msg("plain {} #{}");
      want.push_back(fmt::format("plain {} #{}", arg, i));
    }
    r.capture_args(arg, i);
    detail::prepare_in(r, arena);
    if (i % 500 == 250) {
      // A message fmt rejects leaves the record as it was and takes no room.
      LogRecord bad;
      bad.set_msg("{} {} {}");
      bad.capture_args(1);
      CHECK_THROWS(detail::prepare_in(bad, arena));
      CHECK(bad.msg() == "{} {} {}");
    }
  }
  for (std::size_t i = 0; i < records.size(); ++i) {
    CAPTURE(i);
    CHECK(records[i].is_prepared());
    CHECK(records[i].msg() == want[i]);
  }
  // After a reset the arena's chunks are written again from the start.
  arena.reset();
  LogRecord again;
  again.set_msg("{}-{}");
  again.capture_args(std::string("x"), 2);
  detail::prepare_in(again, arena);
  CHECK(again.msg() == "x-2");
}
