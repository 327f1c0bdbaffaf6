// dictlog: Python's logging model in C++20. This header includes the public API, the
// configuration loader included; not nlohmann/json, which only config_json.hpp (the
// loader's nlohmann::json overloads) brings in.
//
//   #include <dictlog/dictlog.hpp>
//   dictlog::config::dict_config_file("logging.json");
//   auto& log = dictlog::get_logger("app");
//   log.info("ready in {} ms", ms);
//
// Thread safety: each included header states its own.
#pragma once

#include "dictlog/config.hpp"
#include "dictlog/context.hpp"
#include "dictlog/crash_handler.hpp"
#include "dictlog/errors.hpp"
#include "dictlog/file_handler.hpp"
#include "dictlog/filter.hpp"
#include "dictlog/formatter.hpp"
#include "dictlog/handler.hpp"
#include "dictlog/json_formatter.hpp"
#include "dictlog/level.hpp"
#include "dictlog/logger.hpp"
#include "dictlog/logger_adapter.hpp"
#include "dictlog/memory_handler.hpp"
#include "dictlog/null_handler.hpp"
#include "dictlog/queue.hpp"
#include "dictlog/queue_handler.hpp"
#include "dictlog/queue_listener.hpp"
#include "dictlog/record.hpp"
#include "dictlog/registry.hpp"
#include "dictlog/rfc5424_formatter.hpp"
#include "dictlog/rotating_file_handler.hpp"
#include "dictlog/shutdown.hpp"
#include "dictlog/socket_handler.hpp"
#include "dictlog/stream.hpp"
#include "dictlog/stream_handler.hpp"
#include "dictlog/syslog_handler.hpp"
#include "dictlog/thread_name.hpp"
#include "dictlog/timed_rotating_file_handler.hpp"
#include "dictlog/value.hpp"
#include "dictlog/watch.hpp"
#include "dictlog/watched_file_handler.hpp"
