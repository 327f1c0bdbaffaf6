#include "dictlog/filter.hpp"

#include <algorithm>

namespace dictlog {

bool Filter::filter(LogRecord& record) const {
  if (name_.empty()) return true;
  std::string_view n = record.name;
  if (n == name_) return true;
  return n.size() > name_.size() && n.compare(0, name_.size(), name_) == 0 &&
         n[name_.size()] == '.';
}

bool FilterRef::operator()(LogRecord& r) const {
  if (auto* f = std::get_if<std::shared_ptr<const Filter>>(&v_)) return (*f)->filter(r);
  return (*std::get<std::shared_ptr<FilterFunction>>(v_))(r);
}

const Filter* FilterRef::filter_object() const {
  auto* f = std::get_if<std::shared_ptr<const Filter>>(&v_);
  return f ? f->get() : nullptr;
}

void Filterer::add_filter(FilterRef f) {
  std::lock_guard lock(mutex_);
  if (std::find(filters_->begin(), filters_->end(), f) != filters_->end()) return;
  auto next = std::make_shared<std::vector<FilterRef>>(*filters_);
  next->push_back(std::move(f));
  std::atomic_store(&filters_, std::shared_ptr<const std::vector<FilterRef>>(std::move(next)));
  has_filters_.store(true, std::memory_order_release);
}

void Filterer::remove_filter(const FilterRef& f) {
  std::lock_guard lock(mutex_);
  auto next = std::make_shared<std::vector<FilterRef>>(*filters_);
  next->erase(std::remove(next->begin(), next->end(), f), next->end());
  has_filters_.store(!next->empty(), std::memory_order_release);
  std::atomic_store(&filters_, std::shared_ptr<const std::vector<FilterRef>>(std::move(next)));
}

std::vector<FilterRef> Filterer::filters() const {
  return *std::atomic_load(&filters_);
}

bool Filterer::filter(LogRecord& record) const {
  if (!has_filters_.load(std::memory_order_acquire)) return true;
  auto list = std::atomic_load(&filters_);
  for (const auto& f : *list)
    if (!f(record)) return false;
  return true;
}

}  // namespace dictlog
