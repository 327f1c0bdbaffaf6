// The registry's entries: what a registered name stands for (a class's factory, a stream,
// a queue or a constant), and the lookup the loader resolves `class`, `()` and `ext://`
// through (registry.cpp). Not installed.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "dictlog/registry.hpp"

namespace dictlog::config::detail {

using Json = nlohmann::ordered_json;

// One registered name.
struct Entry {
  enum class Kind {
    handler,
    queue_handler,
    formatter,
    filter,
    queue,
    listener,
    stream,
    queue_object,
    constant
  };
  Entry(Kind k, std::string n) : kind(k), name(std::move(n)) {}
  Kind kind;
  std::string name;
  HandlerFactory make_handler;
  QueueHandlerFactory make_queue_handler;
  FormatterFactory make_formatter;
  FilterFactory make_filter;
  QueueFactory make_queue;
  ListenerFactory make_listener;
  std::shared_ptr<Stream> stream;
  std::shared_ptr<LogQueue> queue;
  Json constant;
  // Non-empty: the name is known, but this build cannot make it; the message says why
  // (a class needing a library the build lacks). resolve_class reports it.
  std::string unavailable;
};

// Thread-safe; null for a name nobody registered.
std::shared_ptr<const Entry> lookup(std::string_view name);
// "a handler class", "a stream", ... for messages.
std::string_view kind_text(Entry::Kind k);

// The names the registry starts with: Python's (builtins.cpp) and those of the network
// handlers (network_handlers.cpp).
std::vector<Entry> builtin_entries();
std::vector<Entry> network_entries();
// logging.handlers.HTTPHandler (http_handler_config.cpp; unavailable without libcurl).
std::vector<Entry> http_entries();
// HTTPHandler's "." attribute `timeout`: validates and sets it; false for any other key or
// handler (nothing done).
bool set_http_attribute(const Entry& entry, Handler* handler, std::string_view key,
                        const Json& value, const std::string& pointer);
// logging.handlers.SMTPHandler (smtp_handler_config.cpp); a configuration error without libcurl.
std::vector<Entry> smtp_entries();
// python-json-logger's JsonFormatter, under its two module names and dictlog's
// (json_formatter_config.cpp).
std::vector<Entry> json_formatter_entries();
// dictlog.RFC5424Formatter (rfc5424_config.cpp).
Entry rfc5424_formatter_entry();
// dictlog.handlers.OTLPHandler (otlp_handler_config.cpp; unavailable without libcurl).
Entry otlp_handler_entry();

}  // namespace dictlog::config::detail
