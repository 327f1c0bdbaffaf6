// libFuzzer target over the YAML and INI readers: bytes -> parse_config(yaml or ini) ->
// check. The first byte picks the form (even: YAML, odd: INI); the rest is the file. Any
// input must end in a parsed document or a reason, and the document in a list of problems,
// never a crash, a hang, a leak or a foreign exception. check() is the dry run: no file is
// created, no socket opened, so any document may be tried.
//
// Built by tools/fuzz.sh (meson -Dfuzz=true, clang, ASan+UBSan); run alone as
//   build-fuzz/tests/fuzz/fuzz_files [-dict=tests/fuzz/files.dict] CORPUS_DIR...
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>

#include "dictlog/config_json.hpp"
#include "dictlog/errors.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  using dictlog::config::FileFormat;
  const FileFormat format = data[0] % 2 == 0 ? FileFormat::yaml : FileFormat::ini;
  const std::string text(reinterpret_cast<const char*>(data) + 1, size - 1);
  std::string why;
  try {
    auto parsed = dictlog::config::parse_config(text, format, why);
    if (!parsed) {
      if (why.empty()) std::abort();  // a refusal always says why
      return 0;
    }
    auto problems = dictlog::config::check(parsed->config);
    dictlog::config::locate(problems, *parsed);
  } catch (const std::exception& e) {
    // parse_config reports through `why` and check() through its problems: nothing may
    // escape either.
    std::fprintf(stderr, "escaped: %s\n", e.what());
    std::abort();
  }
  return 0;
}
