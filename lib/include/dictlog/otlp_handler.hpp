// OTLPHandler: records to an OpenTelemetry Collector (or any OTLP receiver: Loki, Elastic,
// the cloud vendors' endpoints) over OTLP/HTTP with the JSON encoding, in batches sent by a
// thread of its own, so neither the application nor a QueueListener waits for the network.
//
// Each request is an ExportLogsServiceRequest in OTLP's JSON mapping: one ResourceLogs
// (the `resource` attributes), one ScopeLogs per logger name (the scope's name), and per
// record a LogRecord with timeUnixNano (created) and observedTimeUnixNano (emit), the
// severityNumber of the level (DEBUG 5, INFO 9, WARNING 13, ERROR 17, CRITICAL 21; levels
// between them by OpenTelemetry's ranges, as its Python SDK maps them), severityText, the
// body as a string (the record through the handler's formatter when it has one, else its
// message), and typed attributes: code.file.path, code.function.name, code.line.number,
// thread.id, thread.name, exception.type/message/stacktrace for a record logged with
// exc_info, then the bound context and `extra` keys (int as intValue, float, bool, str,
// lists as arrayValue, dicts as kvlistValue). A context or extra key `trace_id` / `span_id`
// (or `otelTraceID` / `otelSpanID`, as Python's logging instrumentation names them) holding
// 32 / 16 hex digits becomes the record's traceId / spanId instead of an attribute.
//
// Delivery: emit() encodes the record and queues it (never blocks on the network). The
// export thread sends a batch when `max_batch` records wait or the oldest has waited
// `flush_interval`. 429, 502, 503, 504 and a connection that fails or times out are retried
// with exponential back-off (`retry_initial`, doubled up to `retry_max`, at most
// `max_attempts` tries), waiting as long as a Retry-After header says (up to 60 s); any
// other answer (a 400 above all) is never retried. What could not be delivered is counted
// (stats().dropped_peer_down) and reported once through handle_error; what arrives while
// `max_queue` records wait is dropped and counted (stats().dropped_queue_full), reported
// once per overflow. close() sends what is queued, for at most `shutdown_timeout`.
//
//   dictlog::OTLPOptions o;
//   o.endpoint = "http://collector:4318/v1/logs";
//   o.resource = {{"service.name", "billing"}, {"deployment.environment", "prod"}};
//   dictlog::get_logger().add_handler(std::make_shared<dictlog::OTLPHandler>(o));
//
// dictConfig builds it as {"class": "dictlog.handlers.OTLPHandler", "endpoint": ..., ...}.
// Built only when Meson found libcurl (gzip needs zlib as well).
//
// Thread-safety: as every Handler; the options are fixed at construction. Counters may be
// read from any thread.
#pragma once

#include <cstdint>
#include <exception>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "dictlog/handler.hpp"
#include "dictlog/value.hpp"

namespace dictlog {

namespace detail {
class CurlEasy;
}

struct OTLPOptions {
  // Where requests go. Unset: OTEL_EXPORTER_OTLP_LOGS_ENDPOINT as it is, else
  // OTEL_EXPORTER_OTLP_ENDPOINT with "/v1/logs" appended, else
  // http://localhost:4318/v1/logs.
  std::optional<std::string> endpoint;
  // Extra request headers (an API key, a tenant), after those of
  // OTEL_EXPORTER_OTLP_HEADERS and OTEL_EXPORTER_OTLP_LOGS_HEADERS ("k=v,k2=v2"), which a
  // header named here replaces.
  std::vector<std::pair<std::string, std::string>> headers;
  // Resource attributes. service.name, when not given here: OTEL_SERVICE_NAME, else a
  // service.name in OTEL_RESOURCE_ATTRIBUTES (whose other keys are added too), else
  // "unknown_service". telemetry.sdk.name "dictlog" and telemetry.sdk.language "cpp" are added.
  dictlog::extra resource;
  // Seconds one request may take (OTEL_EXPORTER_OTLP_TIMEOUT, in milliseconds, when unset).
  std::optional<double> timeout;
  // Records per request, and the longest a record waits for its batch to fill (seconds).
  std::size_t max_batch = 512;
  double flush_interval = 1.0;
  // Records that may wait to be sent; beyond it, new records are dropped and counted.
  std::size_t max_queue = 2048;
  // Compresses each body with gzip (OTEL_EXPORTER_OTLP_COMPRESSION=gzip when unset).
  std::optional<bool> gzip;
  // Retries of a failed batch: the first wait, its ceiling (each doubles the last), and
  // the number of tries in all.
  double retry_initial = 1.0;
  double retry_max = 5.0;
  int max_attempts = 5;
  // The longest close() and flush() wait for queued records to be sent.
  double shutdown_timeout = 5.0;
};

class OTLPHandler : public Handler {
 public:
  // Reads the environment for what `options` leaves unset. Throws ValueError for an
  // endpoint that is not http:// or https://, a max_batch or max_queue of 0, or gzip in a
  // build without zlib. Connects to nothing.
  explicit OTLPHandler(OTLPOptions options = {});
  ~OTLPHandler() override;

  // Queues the record (see above); starts the export thread with the first one.
  void emit(LogRecord& record) override;
  // Off a listener's thread: waits (at most shutdown_timeout) until the records emitted
  // before it are delivered or given up. On a QueueListener's thread it does nothing, so
  // a listener whose queue runs dry never waits for the network.
  void flush() override;
  // Sends what is queued (at most shutdown_timeout), stops the export thread.
  void close() override;
  // The export thread is the parent's: the child forgets the parent's queue (the parent
  // sends it) and starts a thread of its own with its first record.
  void at_fork_reinit() override;
  HandlerStats stats() const override;

  // Records the receiver accepted (less those it reported rejected in partialSuccess).
  std::uint64_t exported() const;
  // Records the receiver reported rejected in partialSuccess.rejectedLogRecords.
  std::uint64_t rejected() const;
  // The options in force, the environment applied (endpoint, timeout, gzip set).
  const OTLPOptions& options() const { return options_; }

  std::string_view class_name() const override { return "OTLPHandler"; }

 private:
  struct Exporter;
  void run();  // the export thread
  void export_batch(detail::CurlEasy& curl, const std::string& body, std::size_t records);
  void report(std::size_t records, std::exception_ptr error, int tries);
  OTLPOptions options_;
  std::unique_ptr<Exporter> exporter_;
};

// OpenTelemetry's SeverityNumber for a Python level (0 for NOTSET).
int otlp_severity_number(int levelno);

}  // namespace dictlog
