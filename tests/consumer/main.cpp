// Configures logging from a JSON file and logs one record, through the one public include
// (which does not bring nlohmann/json into this file): what a user's first program does.
#include <dictlog/dictlog.hpp>

#include <cstdio>
#include <fstream>

#ifdef NLOHMANN_JSON_VERSION_MAJOR
#error "dictlog/dictlog.hpp includes nlohmann/json"
#endif

int main() {
  const char* path = "consumer-logging.json";
  std::ofstream(path) << R"({"version": 1,
    "formatters": {"bare": {"format": "%(message)s"}},
    "handlers": {"err": {"class": "logging.StreamHandler", "formatter": "bare"}},
    "root": {"handlers": ["err"]}})";
  dictlog::config::dict_config_file(path);
  std::remove(path);
  dictlog::get_logger("consumer").warning("hello from {} {}", "a subproject", 1);
  return 0;
}
