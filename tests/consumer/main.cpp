// Configures logging from JSON text and logs one record, through the one public include
// (which does not bring nlohmann/json into this file).
#include <dictlog/dictlog.hpp>

#ifdef NLOHMANN_JSON_VERSION_MAJOR
#error "dictlog/dictlog.hpp includes nlohmann/json"
#endif

int main() {
  dictlog::config::dict_config_string(R"({"version": 1,
    "formatters": {"bare": {"format": "%(message)s"}},
    "handlers": {"err": {"class": "logging.StreamHandler", "formatter": "bare"}},
    "root": {"handlers": ["err"]}})",
                                      "consumer.json");
  dictlog::get_logger("consumer").warning("hello from {} {}", "a subproject", 1);
  return 0;
}
