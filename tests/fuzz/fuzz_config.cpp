// libFuzzer target over the configuration loader: bytes -> parse_config -> check ->
// dict_config. Any JSON value at any key must end in a ConfigError (or another
// dictlog::Error a constructor raises), never a crash, a hang, a leak or a foreign exception.
//
// Built by tools/fuzz.sh (meson -Dfuzz=true, clang, ASan+UBSan); run alone as
//   build-fuzz/tests/fuzz/fuzz_config [-dict=tests/fuzz/config.dict] CORPUS_DIR...
// It works in a scratch directory of its own (see LLVMFuzzerInitialize).
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <set>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include <nlohmann/json.hpp>

#include "dictlog/config_json.hpp"
#include "dictlog/errors.hpp"

namespace {

namespace fs = std::filesystem;
using Json = nlohmann::ordered_json;

// Where the file handlers a configuration names create their files: a fresh directory of
// our own, emptied now and then, so the fuzzer neither litters the tree it runs from nor
// fills the disk.
fs::path g_dir;
unsigned long g_runs = 0;
constexpr unsigned long kCleanEvery = 256;

void clean_dir() {
  std::error_code ec;
  for (auto it = fs::directory_iterator(g_dir, ec); !ec && it != fs::directory_iterator();
       it.increment(ec))
    fs::remove_all(it->path(), ec);
}

// A file name that leaves the directory (absolute, or through "..") could create or
// truncate a file anywhere the fuzzer's user may write, so inputs holding such a string are
// skipped. A relative name with a slash stays inside: nothing creates directories, so it can
// only fail.
//
// Network handlers (sockets, syslog, SMTP, HTTP) are left out as well: their hosts would be
// looked up and connected to. A class is named only by its exact name somewhere in the input
// (directly or as a cfg:// target), so skipping inputs holding those names is enough.
bool harmless(std::string_view s) {
  if (s.starts_with('/') || s.starts_with('~') || s.find("..") != std::string_view::npos)
    return false;
  for (std::string_view net : {"Socket", "Datagram", "SysLog", "SMTP", "HTTP", "NTEventLog"})
    if (s.find(net) != std::string_view::npos) return false;
  return true;
}

// Iterative, so a deeply nested input cannot overflow the stack here (the loader has to
// cope with it on its own).
bool safe(const Json& root) {
  std::vector<const Json*> todo{&root};
  while (!todo.empty()) {
    const Json* j = todo.back();
    todo.pop_back();
    if (j->is_string()) {
      if (!harmless(j->get_ref<const std::string&>())) return false;
    } else if (j->is_object()) {
      for (const auto& [k, v] : j->items()) {
        // Keys become values too (cfg:// can reach them as "[key]", handlers' names...).
        if (!harmless(k)) return false;
        todo.push_back(&v);
      }
    } else if (j->is_array()) {
      for (const auto& v : *j) todo.push_back(&v);
    }
  }
  return true;
}

// Loggers live as long as the process (as in Python), so a campaign of millions of inputs
// would grow without end on new logger names alone (past 2 GB within a few million). Past
// kMaxLoggers names, an input that names a new one is skipped; the names already made still
// take every path.
constexpr std::size_t kMaxLoggers = 5000;
std::set<std::string> g_loggers;

bool few_loggers(const Json& config) {
  if (!config.is_object()) return true;
  auto loggers = config.find("loggers");
  if (loggers == config.end() || !loggers->is_object()) return true;
  for (const auto& [name, _] : loggers->items())
    if (!g_loggers.count(name) && g_loggers.size() >= kMaxLoggers) return false;
  for (const auto& [name, _] : loggers->items()) g_loggers.insert(name);
  return true;
}

[[noreturn]] void foreign(const char* what) {
  // Not a dictlog error: the loader let something through it should have turned into a
  // Problem. Abort so libFuzzer saves the input.
  std::fprintf(stderr, "fuzz_config: unexpected exception: %s\n", what);
  std::abort();
}

void apply(const Json& config) {
  try {
    dictlog::config::dict_config(config, "fuzz");
  } catch (const dictlog::config::ConfigError&) {
  } catch (const dictlog::Error&) {
  } catch (const std::exception& e) {
    foreign(e.what());
  } catch (...) {
    foreign("not a std::exception");
  }
}

// libFuzzer reads its arguments after this returns, so paths in them are made absolute
// here, before the change of directory; without -artifact_prefix a crashing input would be
// written into the scratch directory, which is deleted at exit.
void absolute_paths(int* argc, char*** argv) {
  static std::vector<std::string> args;
  static std::vector<char*> ptrs;
  bool has_prefix = false;
  for (int i = 0; i < *argc; ++i) {
    std::string a = (*argv)[i];
    if (i > 0 && !a.empty() && a[0] != '-') {
      a = fs::absolute(a).string();
    } else {
      for (std::string_view flag : {"-artifact_prefix=", "-exact_artifact_path=", "-dict="}) {
        if (a.starts_with(flag) && a.size() > flag.size()) {
          has_prefix = has_prefix || flag != "-dict=";
          a = std::string(flag) + fs::absolute(a.substr(flag.size())).string();
        }
      }
    }
    args.push_back(a);
  }
  if (!has_prefix) args.push_back("-artifact_prefix=" + fs::current_path().string() + "/");
  for (auto& a : args) ptrs.push_back(a.data());
  ptrs.push_back(nullptr);
  *argc = static_cast<int>(args.size());
  *argv = ptrs.data();
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int* argc, char*** argv) {
  absolute_paths(argc, argv);
  std::string templ = (fs::temp_directory_path() / "dictlog-fuzz-XXXXXX").string();
  if (!mkdtemp(templ.data())) {
    std::perror("fuzz_config: mkdtemp");
    std::exit(1);
  }
  g_dir = templ;
  fs::current_path(g_dir);
  // Runs before dictlog's own exit hook (registered earlier, so run later); the handlers it
  // then closes have nothing left to write.
  std::atexit([] {
    std::error_code ec;
    fs::remove_all(g_dir, ec);
  });
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string why;
  auto config =
      dictlog::config::parse_config(std::string(reinterpret_cast<const char*>(data), size), why);
  if (!config || !safe(*config) || !few_loggers(*config)) return 0;

  try {
    (void)dictlog::config::check(*config);
  } catch (const std::exception& e) {
    // check() reports problems; it has no reason to throw at all.
    foreign(e.what());
  }
  apply(*config);
  // A neutral configuration closes and drops what the input built (CPython's dictConfig
  // clears existing handlers), so files are closed and memory does not pile up.
  static const Json neutral = {{"version", 1}};
  apply(neutral);

  if (++g_runs % kCleanEvery == 0) clean_dir();
  return 0;
}
