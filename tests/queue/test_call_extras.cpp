// A logging call with `extra` goes into a QueueHandler's queue as a call too, its extras
// encoded after it (detail/call_extras.hpp), and so does a literal message: the record the
// listener builds from it, and the JSON line its FileHandler writes from the call itself,
// are what the LogRecord path gives. Extras the encoding does not take (a list or dict, a
// key past 255 bytes) take that path; a key that clashes with the record raises at the call.
#include <doctest/doctest.h>

#include <regex>
#include <string>
#include <vector>

#include "dictlog/errors.hpp"
#include "dictlog/file_handler.hpp"
#include "dictlog/json_formatter.hpp"
#include "dictlog/logger.hpp"
#include "dictlog/queue_handler.hpp"
#include "dictlog/queue_listener.hpp"
#include "support/capture.hpp"
#include "support/queue_pipeline.hpp"
#include "support/temp_dir.hpp"

using namespace dictlog;
using dictlog::test::slurp;
using dictlog::test::TempDir;
using Pipeline = dictlog::test::QueuePipeline;

namespace {

std::vector<LogRecord> records_of(Pipeline& p, void (*log)(Logger&)) {
  auto recording = std::make_shared<dictlog::test::RecordingHandler>();
  QueueListener listener(p.queue, {recording});
  p.logger.info("first {}", 0);  // a thread's first call may take the record path
  log(p.logger);
  listener.start();
  listener.stop();
  auto records = recording->records();
  records.erase(records.begin());
  return records;
}

}  // namespace

TEST_CASE("a queued call's extras reach its record in order, with their types and text") {
  Pipeline p("extras.types");
  const auto records = records_of(p, [](Logger& log) {
    const std::string long_text(3000, 'y');
    log.warning(extra{{"user", "alice"},
                      {"amount", 12.5},
                      {"n", -7},
                      {"ok", true},
                      {"gone", false},
                      {"none", nullptr},
                      {"long", long_text},
                      {"", "empty key"}},
                "order {} placed", 7);
    log.info("a literal", extra{{"user", "bob"}});
    log.error("a literal without extras");
  });
  REQUIRE(records.size() == 3);
  const dictlog::extra expected = {{"user", "alice"},
                                   {"amount", 12.5},
                                   {"n", -7},
                                   {"ok", true},
                                   {"gone", false},
                                   {"none", nullptr},
                                   {"long", std::string(3000, 'y')},
                                   {"", "empty key"}};
  CHECK(records[0].extra == expected);
  CHECK(records[0].get_message() == "order 7 placed");
  CHECK(records[0].levelname == "WARNING");
  CHECK(records[1].extra == dictlog::extra{{"user", "bob"}});
  CHECK(records[1].get_message() == "a literal");
  CHECK(records[1].args().empty());
  CHECK(records[1].lineno > 0);
  CHECK(records[2].extra.empty());
  CHECK(records[2].get_message() == "a literal without extras");
}

TEST_CASE("extras the call cannot carry take the record path with the same record") {
  Pipeline p("extras.record");
  const auto records = records_of(p, [](Logger& log) {
    log.info(extra{{"ids", Value::list({1, 2})}, {"user", "u"}}, "n={}", 1);
    log.info(extra{{std::string(256, 'k'), 1}}, "n={}", 2);
    log.info(extra{{std::string(255, 'k'), 1}}, "n={}", 3);  // the longest key a call carries
  });
  REQUIRE(records.size() == 3);
  CHECK(records[0].extra == dictlog::extra{{"ids", Value::list({1, 2})}, {"user", "u"}});
  CHECK(records[1].extra == dictlog::extra{{std::string(256, 'k'), 1}});
  CHECK(records[2].extra == dictlog::extra{{std::string(255, 'k'), 1}});
  CHECK(records[2].get_message() == "n=3");
}

TEST_CASE("an extra key that is a record attribute raises KeyError at the call, as in Python") {
  Pipeline p("extras.clash");
  p.logger.info("warm up {}", 0);
  CHECK_THROWS_WITH_AS(p.logger.info(extra{{"message", "x"}}, "n={}", 1),
                       "Attempt to overwrite 'message' in LogRecord", KeyError);
  CHECK_THROWS_WITH_AS(p.logger.info("literal", extra{{"user", 1}, {"lineno", 2}}),
                       "Attempt to overwrite 'lineno' in LogRecord", KeyError);
}

TEST_CASE("a queued call's JSON line, written from the call, is the record path's") {
  // The same calls written twice: by the listener's direct path (one FileHandler, no
  // filter), then with a filter that passes everything, which makes every call a record.
  TempDir d;
  Pipeline p("extras.json");
  auto file = std::make_shared<FileHandler>((d.path() / "lines.log").string());
  JsonFormatterOptions o;
  o.fmt.emplace("%(asctime)s %(levelname)s %(name)s %(module)s %(message)s");
  o.static_fields = {{"svc", "api"}};
  file->set_formatter(std::make_shared<JsonFormatter>(o));
  auto log_all = [&] {
    p.logger.info(extra{{"user", "alice"}, {"amount", 12.5}}, "order {} placed", 7);
    p.logger.warning("stock low", extra{{"sku", "A-1"}, {"left", 2}, {"_hidden", 1}});
    p.logger.error("no extras {}", "here");
  };
  std::string direct, recorded;
  {
    QueueListener listener(p.queue, {file});
    p.logger.info("first {}", 0);  // a thread's first call may take the record path
    log_all();
    listener.start();
    listener.stop();
    const auto emitted = file->stats().emitted;
    CHECK(emitted == 4);
    file->flush();
    direct = slurp(d.path() / "lines.log");
    file->add_filter([](LogRecord&) { return true; });
    QueueListener again(p.queue, {file});
    log_all();
    again.start();
    again.stop();
    file->flush();
    recorded = slurp(d.path() / "lines.log").substr(direct.size());
  }
  const std::regex time(R"(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3})");
  direct = std::regex_replace(direct.substr(direct.find('\n') + 1), time, "<asctime>");
  recorded = std::regex_replace(recorded, time, "<asctime>");
  const std::string expected =
      R"({"asctime": "<asctime>", "levelname": "INFO", "name": "extras.json", )"
      R"("module": "test_call_extras", "message": "order 7 placed", "svc": "api", "user": "alice", )"
      R"("amount": 12.5})"
      "\n"
      R"({"asctime": "<asctime>", "levelname": "WARNING", "name": "extras.json", )"
      R"("module": "test_call_extras", "message": "stock low", "svc": "api", "sku": "A-1", )"
      R"("left": 2})"
      "\n"
      R"({"asctime": "<asctime>", "levelname": "ERROR", "name": "extras.json", )"
      R"("module": "test_call_extras", "message": "no extras here", "svc": "api"})"
      "\n";
  CHECK(direct == expected);
  CHECK(recorded == expected);
}
