// A QueueHandler's own keys (Python 3.12+): `queue` (a queue class name, a {"()": ...}
// object or an ext:// queue), and, with "class", the listener dictConfig attaches:
// `listener`, `handlers` and `respect_handler_level`.
#include "config/builder.hpp"

namespace dictlog::config::detail {

Builder::Made Builder::make_queue_handler(const Converted& hc, const Entry& entry, bool custom) {
  Args args(*this, entry.name, hc.pointer, dry_);
  add_handler_args(hc, custom, args, {"queue", "listener", "handlers", "respect_handler_level"});
  std::shared_ptr<LogQueue> queue;
  Converted q = get(hc, "queue");
  if (!q.absent()) {
    queue = build_queue(q, q.pointer);
  } else if (!dry_) {
    queue = std::make_shared<Queue>();  // unbounded, as CPython's default
  }
  ListenerSpec spec;
  if (!custom) {
    spec = listener_spec(hc);
  } else {
    for (const char* k : {"listener", "handlers", "respect_handler_level"})
      if (hc.json->contains(k))
        throw Fail{hc.pointer + "/" + k, "QueueHandler() got an unexpected keyword argument '" +
                                             std::string(k) +
                                             "' (with \"()\" CPython builds no "
                                             "listener: use \"class\")"};
  }
  auto qh = entry.make_queue_handler(queue, args);
  reject_unused(args, hc.pointer, entry.name);
  Made made;
  if (dry_) return made;
  if (!qh) throw Fail{hc.pointer, entry.name + ": the registered factory returned no handler"};
  if (!custom) {
    made.listener = spec.entry->make_listener(queue, spec.targets, spec.respect_handler_level);
    qh->set_listener(made.listener);
  }
  made.handler = qh;
  return made;
}

Builder::ListenerSpec Builder::listener_spec(const Converted& hc) {
  ListenerSpec spec;
  Converted l = get(hc, "listener");
  spec.entry = l.absent() ? lookup("logging.handlers.QueueListener") : listener_entry(l, l.pointer);
  Converted hs = get(hc, "handlers");
  if (!hs.absent()) {
    for (const auto& n : names_of(hs, "handlers")) {
      Converted c;
      c.json = &n.value;
      c.pointer = n.pointer;
      spec.targets.push_back(handler_named(c));
    }
  }
  Converted r = get(hc, "respect_handler_level");
  spec.respect_handler_level = !r.absent() && (!r.json || truthy(*r.json));
  return spec;
}

std::shared_ptr<LogQueue> Builder::build_queue(const Converted& q, const std::string& ptr) {
  if (q.entry) {
    if (q.entry->kind == Entry::Kind::queue_object) return q.entry->queue;
    if (q.entry->kind == Entry::Kind::queue)
      throw Fail{ptr, "ext://" + q.entry->name +
                          " is the queue class, not a queue (CPython accepts "
                          "it and then fails at every record): write \"" +
                          q.entry->name + "\""};
    throw Fail{ptr, "Invalid queue specifier: ext://" + q.entry->name + " is " +
                        std::string(kind_text(q.entry->kind)) + ", not a queue"};
  }
  if (q.is_handler) throw Fail{ptr, "Invalid queue specifier: a handler is not a queue"};
  const Json& j = *q.json;
  const Entry* entry = nullptr;
  Args args(*this, "", ptr, dry_);
  if (j.is_string()) {
    // A dotted class name, resolved without ext:// conversion and called with no arguments.
    if (j.get_ref<const std::string&>().empty()) throw Fail{ptr, "Empty module name"};
    auto e = lookup(j.get_ref<const std::string&>());
    if (!e)
      throw Fail{ptr, py_repr(j) +
                          " is not a registered queue class (built in: queue.Queue, "
                          "queue.SimpleQueue; see dictlog::config::register_queue)"};
    if (e->kind != Entry::Kind::queue)
      throw Fail{ptr, "Invalid queue specifier " + py_repr(j) + ": it is " +
                          std::string(kind_text(e->kind)) + ", not a queue class"};
    entry = e.get();
    args.class_name_ = entry->name;
    auto made = entry->make_queue(args);
    return made;
  }
  if (j.is_object()) {
    // Built from a plain copy: nothing inside is converted.
    if (!j.contains("()"))
      throw Fail{ptr, "Invalid queue specifier " + py_repr(j) + ": a queue object needs \"()\""};
    const Json& c = j["()"];
    if (!c.is_string()) throw Fail{ptr + "/()", "expected a queue class name, not " + py_repr(c)};
    auto e = lookup(c.get_ref<const std::string&>());
    if (!e || e->kind != Entry::Kind::queue)
      throw Fail{ptr + "/()", py_repr(c) +
                                  " is not a registered queue class (built in: "
                                  "queue.Queue, queue.SimpleQueue; no ext:// here, as in CPython)"};
    entry = e.get();
    args.class_name_ = entry->name;
    add_kwargs(q, args, false);
    auto made = entry->make_queue(args);
    reject_unused(args, ptr, entry->name);
    return made;
  }
  throw Fail{ptr, "Invalid queue specifier " + py_repr(j) +
                      " (give a class name, an object with \"()\", or an ext:// queue)"};
}

std::shared_ptr<const Entry> Builder::listener_entry(const Converted& l, const std::string& ptr) {
  std::shared_ptr<const Entry> e;
  if (l.entry) {
    e = l.entry;
  } else if (l.is_string()) {
    e = lookup(l.str());
    if (!e)
      throw Fail{ptr, "Cannot resolve " + quoted(l.str()) +
                          ": not a registered listener class "
                          "(see dictlog::config::register_listener)"};
  } else if (l.is_object()) {
    throw Fail{ptr, "Invalid listener specifier " + py_repr(*l.json) +
                        ": a {\"()\": ...} listener must be a factory returning a listener class; "
                        "give the listener class name as a string"};
  } else {
    throw Fail{ptr, "Invalid listener specifier " +
                        (l.json ? py_repr(*l.json) : std::string("(a handler)"))};
  }
  if (e->kind != Entry::Kind::listener)
    throw Fail{ptr, "Invalid listener specifier " + quoted(e->name) + ": it is " +
                        std::string(kind_text(e->kind)) + ", not a QueueListener class"};
  return e;
}

}  // namespace dictlog::config::detail
