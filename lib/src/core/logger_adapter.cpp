#include "dictlog/logger_adapter.hpp"

#include <algorithm>

#include <fmt/format.h>

namespace dictlog {

void AdapterCall::set_msg(std::string m) {
  owned_msg_ = std::move(m);
  msg_ = owned_msg_;
  msg_changed_ = true;
}

void AdapterCall::prefix(std::string_view text) {
  std::string m;
  m.reserve(text.size() + msg_.size());
  for (char c : text) {
    m += c;
    if (has_args_ && (c == '{' || c == '}')) m += c;
  }
  m += msg_;
  set_msg(std::move(m));
}

Options& AdapterCall::mutable_kwargs() {
  if (!owned_kwargs_ || kwargs_ != &*owned_kwargs_) {
    owned_kwargs_.emplace(*kwargs_);
    kwargs_ = &*owned_kwargs_;
  }
  return *owned_kwargs_;
}

LoggerAdapter::LoggerAdapter(Logger& logger, dictlog::extra extra, bool merge_extra)
    : logger_(&logger), extra_(std::move(extra)), merge_extra_(merge_extra) {
  with_extra_.extra = extra_;
  with_extra_exc_.extra = extra_;
  with_extra_exc_.exc_info = true;
}

LoggerAdapter::LoggerAdapter(const LoggerAdapter& inner, dictlog::extra extra, bool merge_extra)
    : LoggerAdapter(*inner.logger_, std::move(extra), merge_extra) {
  inner_ = &inner;
}

LoggerAdapter::~LoggerAdapter() = default;

const Options& LoggerAdapter::exc_info_options() {
  static const Options exc = [] {
    Options o;
    o.exc_info = true;
    return o;
  }();
  return exc;
}

void LoggerAdapter::process(AdapterCall& call) const {
  const Options& in = call.kwargs();
  if (merge_extra_ && !in.extra.empty()) {
    // {**self.extra, **kwargs["extra"]}: the adapter's keys keep their places.
    if (extra_.empty()) return;
    dictlog::extra merged = extra_;
    for (const auto& [key, value] : in.extra) {
      auto it = std::find_if(merged.begin(), merged.end(),
                             [&key = key](const auto& kv) { return kv.first == key; });
      if (it != merged.end())
        it->second = value;
      else
        merged.emplace_back(key, value);
    }
    call.mutable_kwargs().extra = std::move(merged);
    return;
  }
  // kwargs["extra"] = self.extra
  if (extra_.empty() && in.extra.empty()) return;
  if (&in == &Options::none())
    call.set_kwargs(with_extra_);
  else if (&in == &exc_info_options())
    call.set_kwargs(with_extra_exc_);
  else
    call.mutable_kwargs().extra = extra_;
}

std::string LoggerAdapter::repr() const {
  return fmt::format("<{} {} ({})>", class_name(), name(), get_level_name(get_effective_level()));
}

void LoggerAdapter::run_process(AdapterCall& call) const {
  for (const LoggerAdapter* a = this; a; a = a->inner_) a->process(call);
}

void LoggerAdapter::forward_text(int level, const Literal& m, const Options& o) const {
  AdapterCall call(m.text, o, false);
  run_process(call);
  if (!call.msg_changed())
    logger_->log(level, m, call.kwargs());
  else
    logger_->log_message(level, call.msg(), call.kwargs(), m.where);
}

void LoggerAdapter::forward_text(int level, std::string_view text, const Options& o,
                                 const SourceLocation& w) const {
  AdapterCall call(text, o, false);
  run_process(call);
  logger_->log_message(level, call.msg(), call.kwargs(), w);
}

}  // namespace dictlog
