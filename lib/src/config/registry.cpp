// The registry's table: the built-in names, what the application registers, and the
// lookups the loader makes. One mutex: registering is rare, and a lookup is a map search.
#include "dictlog/registry.hpp"

#include <map>
#include <mutex>

#include "config/entry.hpp"
#include "dictlog/config_json.hpp"
#include "record/at_fork.hpp"

namespace dictlog::config {

using detail::Entry;

namespace {

struct Table {
  std::mutex mutex;
  std::map<std::string, std::shared_ptr<const Entry>, std::less<>> entries;
};

void add(Table& t, Entry e) {
  auto name = e.name;
  t.entries[name] = std::make_shared<const Entry>(std::move(e));
}

Table& table() {
  static Table* t = [] {
    auto* t = new Table;  // leaked: configurations may be applied during static destruction
    for (auto& e : detail::builtin_entries()) add(*t, std::move(e));
    for (auto& e : detail::network_entries()) add(*t, std::move(e));
    for (auto& e : detail::http_entries()) add(*t, std::move(e));
    for (auto& e : detail::smtp_entries()) add(*t, std::move(e));
    for (auto& e : detail::json_formatter_entries()) add(*t, std::move(e));
    add(*t, detail::rfc5424_formatter_entry());
    add(*t, detail::otlp_handler_entry());
    return t;
  }();
  return *t;
}

const int g_at_fork = [] {
  dictlog::detail::add_fork_participant(
      dictlog::detail::ForkRank::config,
      {[](dictlog::detail::ForkLocks& locks) { return locks.take(table().mutex); }, [] {}});
  return 0;
}();

// Registers `value` in the Entry member `slot` under `name`.
template <class T>
void put_entry(Entry::Kind kind, std::string name, T Entry::*slot, T value) {
  Entry e{kind, std::move(name)};
  e.*slot = std::move(value);
  auto& t = table();
  std::lock_guard lock(t.mutex);
  add(t, std::move(e));
}

}  // namespace

namespace detail {

std::shared_ptr<const Entry> lookup(std::string_view name) {
  auto& t = table();
  std::lock_guard lock(t.mutex);
  auto it = t.entries.find(name);
  return it == t.entries.end() ? nullptr : it->second;
}

std::string_view kind_text(Entry::Kind k) {
  switch (k) {
    case Entry::Kind::handler:
    case Entry::Kind::queue_handler:
      return "a handler class";
    case Entry::Kind::formatter:
      return "a formatter class";
    case Entry::Kind::filter:
      return "a filter class";
    case Entry::Kind::queue:
      return "a queue class";
    case Entry::Kind::listener:
      return "a listener class";
    case Entry::Kind::stream:
      return "a stream";
    case Entry::Kind::queue_object:
      return "a queue";
    case Entry::Kind::constant:
      return "a constant";
  }
  return "a name";
}

}  // namespace detail

void register_handler(std::string name, HandlerFactory f) {
  put_entry(Entry::Kind::handler, std::move(name), &Entry::make_handler, std::move(f));
}
void register_queue_handler(std::string name, QueueHandlerFactory f) {
  put_entry(Entry::Kind::queue_handler, std::move(name), &Entry::make_queue_handler, std::move(f));
}
void register_formatter(std::string name, FormatterFactory f) {
  put_entry(Entry::Kind::formatter, std::move(name), &Entry::make_formatter, std::move(f));
}
void register_filter(std::string name, FilterFactory f) {
  put_entry(Entry::Kind::filter, std::move(name), &Entry::make_filter, std::move(f));
}
void register_queue(std::string name, QueueFactory f) {
  put_entry(Entry::Kind::queue, std::move(name), &Entry::make_queue, std::move(f));
}
void register_listener(std::string name, ListenerFactory f) {
  put_entry(Entry::Kind::listener, std::move(name), &Entry::make_listener, std::move(f));
}
void register_object(std::string name, std::shared_ptr<Stream> stream) {
  put_entry(Entry::Kind::stream, std::move(name), &Entry::stream, std::move(stream));
}
void register_object(std::string name, std::shared_ptr<LogQueue> queue) {
  put_entry(Entry::Kind::queue_object, std::move(name), &Entry::queue, std::move(queue));
}
void register_object(std::string name, nlohmann::ordered_json value) {
  put_entry(Entry::Kind::constant, std::move(name), &Entry::constant, std::move(value));
}

std::vector<std::string> registered_names() {
  auto& t = table();
  std::lock_guard lock(t.mutex);
  std::vector<std::string> out;
  for (const auto& kv : t.entries) out.push_back(kv.first);
  return out;
}

}  // namespace dictlog::config
