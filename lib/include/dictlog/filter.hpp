// Filter and Filterer: Python's name-based filter, plus any callable, on loggers and
// handlers.
//
// A filter sees the record by reference and may change it (Python 3.12's "return a
// record" becomes "edit the record"); returning false drops it.
//
//   handler->add_filter(std::make_shared<dictlog::Filter>("app.db"));
//   handler->add_filter([](dictlog::LogRecord& r) { return r.levelno != dictlog::DEBUG; });
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <variant>
#include <vector>

#include "dictlog/record.hpp"

namespace dictlog {

class Filter {
 public:
  // Empty name passes everything; else records of that logger and its descendants.
  explicit Filter(std::string name = "") : name_(std::move(name)) {}
  virtual ~Filter() = default;
  virtual bool filter(LogRecord& record) const;
  const std::string& name() const { return name_; }

 private:
  std::string name_;
};

using FilterFunction = std::function<bool(LogRecord&)>;

// Either a Filter object (shared, so one dictConfig filter can sit on many owners) or a
// callable.
class FilterRef {
 public:
  FilterRef(std::shared_ptr<const Filter> f) : v_(std::move(f)) {}
  template <class F>
  requires std::is_invocable_r_v<bool, F, LogRecord&> FilterRef(F f)
      : v_(std::make_shared<FilterFunction>(std::move(f))) {}
  bool operator()(LogRecord& r) const;
  // Equality is identity, which is what Python's addFilter duplicate check sees.
  friend bool operator==(const FilterRef& a, const FilterRef& b) { return a.v_ == b.v_; }
  const Filter* filter_object() const;

 private:
  std::variant<std::shared_ptr<const Filter>, std::shared_ptr<FilterFunction>> v_;
};

// Thread-safety: add/remove may run while other threads filter; each filter() call sees
// either the list before or after a change.
class Filterer {
 public:
  void add_filter(FilterRef f);
  void remove_filter(const FilterRef& f);
  std::vector<FilterRef> filters() const;
  // Python's Filterer.filter: in order, first false wins.
  bool filter(LogRecord& record) const;
  bool has_filters() const { return has_filters_.load(std::memory_order_relaxed); }

 private:
  mutable std::mutex mutex_;
  std::shared_ptr<const std::vector<FilterRef>> filters_ =
      std::make_shared<std::vector<FilterRef>>();
  std::atomic<bool> has_filters_{false};
};

}  // namespace dictlog
