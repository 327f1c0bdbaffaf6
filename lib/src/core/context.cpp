// The thread's bound context. It lives here, beside the hazard depth, because the logger's
// direct path tests "context bound" and "call in flight" as one word (dictlog/detail/chain.hpp).
#include "dictlog/context.hpp"

#include <algorithm>

#include "dictlog/detail/chain.hpp"
#include "dictlog/record.hpp"

namespace dictlog {

namespace {
thread_local Context t_context;

void set_thread_context(Context c) {
  t_context = std::move(c);
  detail::t_call.context_bound = t_context.empty() ? 0 : 1;
}
}  // namespace

const dictlog::extra& Context::items() const {
  static const dictlog::extra none;
  return items_ ? *items_ : none;
}

ContextScope::ContextScope(Context next) : saved_(t_context) {
  set_thread_context(std::move(next));
}

ContextScope::~ContextScope() {
  if (active_) set_thread_context(std::move(saved_));
}

Context current_context() {
  return t_context;
}

namespace context {

ContextScope bind(const dictlog::extra& items) {
  check_extra_keys(items);
  auto merged = std::make_shared<dictlog::extra>(t_context.items());
  for (const auto& [k, v] : items) {
    auto it = std::find_if(merged->begin(), merged->end(),
                           [&key = k](const auto& kv) { return kv.first == key; });
    if (it != merged->end())
      it->second = v;
    else
      merged->emplace_back(k, v);
  }
  return ContextScope(Context(std::move(merged)));
}

ContextScope attach(Context ctx) {
  return ContextScope(std::move(ctx));
}

}  // namespace context
}  // namespace dictlog
