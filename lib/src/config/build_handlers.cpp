// The `handlers` section: handlers built in sorted name order, a handler that names one
// not built yet retried once (CPython's deferral), and each handler's configuration read
// in CPython's order: formatter, level, filters, class, arguments, then `.` attributes.
// QueueHandler's own keys are in queue_specs.cpp.
#include <algorithm>

#include "config/builder.hpp"
#include "dictlog/stream_handler.hpp"
#include "dictlog/syslog_handler.hpp"
#ifdef DICTLOG_HAVE_CURL
#include "dictlog/smtp_handler.hpp"
#endif

namespace dictlog::config::detail {

namespace {

// The keys dictConfig reads itself, which are no constructor arguments.
bool consumed(std::string_view key, bool custom) {
  return key == "formatter" || key == "level" || key == "filters" || key == "." ||
         key == (custom ? "()" : "class");
}

}  // namespace

std::shared_ptr<Handler> Builder::handler_named(const Converted& v) {
  if (v.is_handler) {
    auto it = handlers_.find(v.handler);
    return it == handlers_.end() ? nullptr : it->second;
  }
  if (!v.is_string())
    throw Fail{v.pointer, "expected a handler name, not " +
                              (v.json ? py_repr(*v.json) : std::string("a registered object"))};
  const std::string& n = v.str();
  if (auto it = handlers_.find(n); it != handlers_.end()) return it->second;
  if (bad_handlers_.count(n)) throw Skip{};
  if (handlers_section_ && handlers_section_->contains(n))
    throw NotYet{v.pointer, "handler " + quoted(n) + " is not configured yet"};
  throw Fail{v.pointer, "no handler named " + quoted(n)};
}

void Builder::build_handlers() {
  Converted sec = section("handlers");
  if (!sec.is_object()) return;
  handlers_section_ = sec.json;
  std::vector<std::string> names = keys(sec);
  std::sort(names.begin(), names.end());  // CPython builds handlers in sorted name order
  std::vector<std::string> deferred;
  for (int pass = 0; pass < 2; ++pass) {
    for (const auto& name : pass == 0 ? names : deferred) {
      Converted hc;
      try {
        hc = get(sec, name);
        build_handler(name, hc);
      } catch (const NotYet& n) {
        if (pass == 0) {
          deferred.push_back(name);
        } else {
          problem(n.pointer, n.message +
                                 " (CPython builds handlers in name order and retries "
                                 "a waiting handler once: rename them so that each is "
                                 "built after the handlers it names)");
          bad_handlers_.insert(name);
        }
      } catch (const Fail& f) {
        problem(f.pointer, f.message);
        bad_handlers_.insert(name);
      } catch (const Skip&) {
        bad_handlers_.insert(name);
      } catch (const dictlog::Error& e) {
        problem(hc.pointer.empty() ? sec.pointer + "/" + pointer_token(name) : hc.pointer,
                std::string(e.python_type()) + ": " + e.what());
        bad_handlers_.insert(name);
      } catch (const std::exception& e) {
        problem(hc.pointer.empty() ? sec.pointer + "/" + pointer_token(name) : hc.pointer,
                e.what());
        bad_handlers_.insert(name);
      }
    }
  }
}

void Builder::build_handler(const std::string& name, const Converted& hc) {
  if (!hc.is_object()) throw Fail{hc.pointer, "a handler configuration must be an object"};
  const HandlerKeys common = handler_keys(hc);
  const bool custom = hc.json->contains("()");
  Converted cls = custom ? get(hc, "()") : get(hc, "class");
  if (cls.absent())
    throw Fail{hc.pointer,
               "missing \"class\" (a handler class name such as \"logging.StreamHandler\")"};
  const auto entry =
      resolve_class(cls, {Entry::Kind::handler, Entry::Kind::queue_handler}, "handler");
  for (const auto& [k, v] : hc.json->items())
    if (!consumed(k, custom)) check_ident(k, hc.pointer);

  Made made = entry->kind == Entry::Kind::queue_handler ? make_queue_handler(hc, *entry, custom)
                                                        : make_handler(hc, *entry, custom);
  set_attributes(hc, *entry, made.handler.get());
  if (made.handler) {
    if (common.formatter) made.handler->set_formatter(common.formatter);
    if (common.level) made.handler->set_level(*common.level);
    for (const auto& flt : common.filters) made.handler->add_filter(FilterRef(flt));
    built_order_.push_back(made.handler);
    names_.emplace_back(name, made.handler);
  }
  if (made.listener) listeners_.push_back(made.listener);
  handlers_[name] = made.handler;
}

Builder::HandlerKeys Builder::handler_keys(const Converted& hc) {
  HandlerKeys out;
  Converted f = get(hc, "formatter");
  if (!f.absent() && (!f.json || truthy(*f.json))) {
    if (!f.is_string())
      throw Fail{f.pointer, "expected a formatter name, not " +
                                (f.json ? py_repr(*f.json) : std::string("an object"))};
    auto it = formatters_.find(f.str());
    if (it == formatters_.end()) {
      if (bad_formatters_.count(f.str())) throw Skip{};
      throw Fail{f.pointer, "no formatter named " + quoted(f.str())};
    }
    out.formatter = it->second;
  }
  Converted lv = get(hc, "level");
  if (!lv.absent() && !lv.is_null()) out.level = check_level_value(lv);
  Converted fl = get(hc, "filters");
  if (!fl.absent() && (!fl.json || truthy(*fl.json))) {
    if (!lookup_names(fl, "filters", filters_, bad_filters_, out.filters)) throw Skip{};
  }
  return out;
}

void Builder::add_handler_args(const Converted& hc, bool custom, Args& args,
                               std::initializer_list<std::string_view> skip) {
  for (const auto& [k, v] : hc.json->items()) {
    if (consumed(k, custom) || std::find(skip.begin(), skip.end(), k) != skip.end()) continue;
    args.add(k, get(hc, k));
  }
}

Builder::Made Builder::make_handler(const Converted& hc, const Entry& entry, bool custom) {
  Args args(*this, entry.name, hc.pointer, dry_);
  add_handler_args(hc, custom, args);
  Made made;
  made.handler = entry.make_handler(args);
  reject_unused(args, hc.pointer, entry.name);
  if (!dry_ && !made.handler)
    throw Fail{hc.pointer, entry.name + ": the registered factory returned no handler"};
  return made;
}

// `.`: attributes set after construction; values are not converted (CPython).
void Builder::set_attributes(const Converted& hc, const Entry& entry, Handler* handler) {
  if (!hc.json->contains(".")) return;
  const Json& props = (*hc.json)["."];
  const std::string pp = hc.pointer + "/.";
  if (!props.is_object()) {
    if (truthy(props)) throw Fail{pp, "\".\" must be an object of attribute: value"};
    return;
  }
  for (const auto& [k, v] : props.items()) {
    const std::string kp = pp + "/" + pointer_token(k);
    if (set_http_attribute(entry, handler, k, v, kp)) continue;
    if (k == "terminator") {
      if (!v.is_string()) throw Fail{kp, "terminator must be a string"};
      if (auto* sh = dynamic_cast<StreamHandler*>(handler)) sh->terminator = v.get<std::string>();
    } else if (k == "ident" && entry.name == "logging.handlers.SysLogHandler") {
      if (!v.is_string()) throw Fail{kp, "ident must be a string"};
      if (auto* sl = dynamic_cast<SysLogHandler*>(handler)) sl->ident = v.get<std::string>();
    } else if (k == "append_nul") {
      if (auto* sl = dynamic_cast<SysLogHandler*>(handler)) sl->append_nul = truthy(v);
    } else if (k == "octet_counting") {
      if (auto* sl = dynamic_cast<SysLogHandler*>(handler)) sl->octet_counting = truthy(v);
    } else if (k == "backlog" && entry.name == "logging.handlers.SysLogHandler") {
      // dictlog's own (TCP): records kept while the peer is down.
      if (!v.is_number_integer() || v.get<std::int64_t>() < 0)
        throw Fail{kp, "backlog must be a number of records, 0 or more, not " + py_repr(v)};
      if (auto* sl = dynamic_cast<SysLogHandler*>(handler))
        sl->backlog = static_cast<std::size_t>(v.get<std::int64_t>());
    } else if ((k == "retry_start" || k == "retry_factor" || k == "retry_max") &&
               entry.name == "logging.handlers.SysLogHandler") {
      if (!v.is_number() || v.get<double>() < 0)
        throw Fail{kp, k + " must be a number of seconds, 0 or more, not " + py_repr(v)};
      if (auto* sl = dynamic_cast<SysLogHandler*>(handler))
        (k == "retry_start"    ? sl->retry_start
         : k == "retry_factor" ? sl->retry_factor
                               : sl->retry_max) = v.get<double>();
#ifdef DICTLOG_HAVE_CURL
    } else if (k == "verify" && entry.name == "logging.handlers.SMTPHandler") {
      // dictlog's own setting (CPython sets the attribute and reads it nowhere).
      if (auto* sm = dynamic_cast<SMTPHandler*>(handler)) sm->verify = truthy(v);
#endif
    } else if (k == "overflow" && entry.kind == Entry::Kind::queue_handler) {
      if (!v.is_string() || (v != "drop" && v != "block"))
        throw Fail{kp,
                   "overflow must be \"drop\" (CPython's: report and drop) or \"block\" "
                   "(the logging thread waits for room)"};
      if (auto* qh = dynamic_cast<QueueHandler*>(handler))
        qh->set_overflow(v == "block" ? QueueHandler::Overflow::block
                                      : QueueHandler::Overflow::drop);
    }
    // Any other attribute is set by CPython and read by nothing: accepted, no effect.
  }
}

}  // namespace dictlog::config::detail
