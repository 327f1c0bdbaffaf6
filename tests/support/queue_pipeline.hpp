// Test support: a logger whose one handler is a QueueHandler on an unbounded Queue, so that
// its calls take the direct path into the queue (detail/direct_call.hpp). Tests log before
// they start a listener on `queue`, so that the listener takes the calls in one batch.
#pragma once

#include <memory>
#include <string>

#include "dictlog/logger.hpp"
#include "dictlog/queue.hpp"
#include "dictlog/queue_handler.hpp"

namespace dictlog::test {

struct QueuePipeline {
  std::shared_ptr<Queue> queue = std::make_shared<Queue>();
  std::shared_ptr<QueueHandler> handler = std::make_shared<QueueHandler>(queue);
  Logger& logger;
  explicit QueuePipeline(const std::string& name) : logger(get_logger(name)) {
    logger.set_level(DEBUG);
    logger.set_propagate(false);
    logger.add_handler(handler);
  }
  ~QueuePipeline() { logger.remove_handler(handler); }
  QueuePipeline(const QueuePipeline&) = delete;
  QueuePipeline& operator=(const QueuePipeline&) = delete;
};

}  // namespace dictlog::test
