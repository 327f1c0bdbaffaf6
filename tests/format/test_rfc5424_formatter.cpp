// RFC5424Formatter's bytes for the reference record (created 1700000000.5, process 4242):
// the header fields, STRUCTURED-DATA from extras with RFC 5424's escaping and name rules,
// the BOM rule for MSG, and the names RFC 5424 cannot carry refused.
#include <doctest/doctest.h>

#include <cstdlib>
#include <string>

#include "dictlog/errors.hpp"
#include "dictlog/record.hpp"
#include "dictlog/rfc5424_formatter.hpp"
#include "support/reference_record.hpp"

using namespace dictlog;
using dictlog::test::reference_record;

namespace {

RFC5424Options fixed() {
  RFC5424Options o;
  o.app_name = "billing";
  o.hostname = "web-3";
  o.utc = true;
  return o;
}

std::string render(const RFC5424Options& o, LogRecord r) {
  return RFC5424Formatter(o).format(r);
}

}  // namespace

TEST_CASE("header: version, RFC 3339 UTC time with microseconds, host, app, pid, nil MSGID") {
  CHECK(render(fixed(), reference_record()) ==
        "1 2023-11-14T22:13:20.500000Z web-3 billing 4242 - - hello w");
}

TEST_CASE("local time carries its offset") {
  ::setenv("TZ", "Europe/Paris", 1);  // +01:00 in November
  ::tzset();
  RFC5424Options o = fixed();
  o.utc = false;
  o.msgid = "ID47";
  CHECK(render(o, reference_record()) ==
        "1 2023-11-14T23:13:20.500000+01:00 web-3 billing 4242 ID47 - hello w");
  ::setenv("TZ", "America/St_Johns", 1);  // -03:30
  ::tzset();
  CHECK(render(o, reference_record()).starts_with("1 2023-11-14T18:43:20.500000-03:30 "));
  ::setenv("TZ", "UTC", 1);
  ::tzset();
}

TEST_CASE("extras become SD-PARAMs of one element, values escaped, names made legal") {
  LogRecord r = reference_record();
  r.extra = {{"user", "al\"ice"},
             {"path", "C:\\x]"},
             {"n", 3},
             {"a b=c]\"", true},
             {std::string(40, 'k'), "long"}};
  CHECK(render(fixed(), r) ==
        "1 2023-11-14T22:13:20.500000Z web-3 billing 4242 - [dictlog@32473 user=\"al\\\"ice\" "
        "path=\"C:\\\\x\\]\" n=\"3\" a_b_c__=\"True\" " +
            std::string(32, 'k') + "=\"long\"] hello w");
}

TEST_CASE("no SD-ID: structured data is nil whatever the extras") {
  RFC5424Options o = fixed();
  o.sd_id = "";
  LogRecord r = reference_record();
  r.extra = {{"user", "alice"}};
  CHECK(render(o, r) == "1 2023-11-14T22:13:20.500000Z web-3 billing 4242 - - hello w");
}

TEST_CASE("MSG: a BOM before non-ASCII text (auto), always, or never; the format applies") {
  LogRecord r = reference_record();
  r.set_msg("caf\xC3\xA9");
  CHECK(render(fixed(), r)
            .ends_with("- - \xEF\xBB\xBF"
                       "caf\xC3\xA9"));
  RFC5424Options o = fixed();
  o.bom = RFC5424Options::Bom::never;
  CHECK(render(o, r).ends_with("- - caf\xC3\xA9"));
  o.bom = RFC5424Options::Bom::always;
  CHECK(render(o, reference_record()).ends_with("- - \xEF\xBB\xBFhello w"));
  o = fixed();
  o.format = "{levelname}: {message}";
  o.style = '{';
  CHECK(render(o, reference_record()).ends_with("- - INFO: hello w"));
}

TEST_CASE("names RFC 5424 cannot carry are refused") {
  RFC5424Options o = fixed();
  o.app_name = "my app";
  CHECK_THROWS_WITH_AS(RFC5424Formatter{o},
                       "RFC 5424's APP-NAME is printable ASCII without spaces: 'my app' is not",
                       ValueError);
  o = fixed();
  o.msgid = std::string(33, 'm');
  CHECK_THROWS_AS(RFC5424Formatter{o}, ValueError);
  o = fixed();
  o.sd_id = "a=b";
  CHECK_THROWS_AS(RFC5424Formatter{o}, ValueError);
  o = fixed();
  o.style = '#';
  CHECK_THROWS_WITH_AS(RFC5424Formatter{o}, "Style must be one of: %,{,$", ValueError);
}
