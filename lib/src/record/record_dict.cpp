// record_dict: Python's record.__dict__, in the order CPython builds it.
#include <algorithm>

#include "dictlog/record.hpp"

namespace dictlog {

std::vector<RecordItem> record_dict(const LogRecord& r, std::string& args_text) {
  args_text = r.args_repr();
  std::vector<RecordItem> d;
  d.reserve(23 + r.extra.size() + (r.context ? r.context->size() : 0));
  // LogRecord.__init__'s assignments, in order.
  for (Attr a : {Attr::name,     Attr::msg,        Attr::args,        Attr::levelname,
                 Attr::levelno,  Attr::pathname,   Attr::filename,    Attr::module,
                 Attr::exc_info, Attr::exc_text,   Attr::stack_info,  Attr::lineno,
                 Attr::funcName, Attr::created,    Attr::msecs,       Attr::relativeCreated,
                 Attr::thread,   Attr::threadName, Attr::processName, Attr::process,
                 Attr::taskName})
    d.emplace_back(attr_name(a),
                   a == Attr::args ? ValueView(std::string_view(args_text)) : r.attribute(a));
  // makeRecord's extras (the bound context's first). Logger refuses one that names an attribute; a
  // record made by make_log_record may still carry one, and a dict keeps the first place of a key.
  for_each_extra(r, [&d](std::string_view key, ValueView value) {
    auto it = std::find_if(d.begin(), d.end(), [key](const auto& kv) { return kv.first == key; });
    if (it != d.end())
      it->second = value;
    else
      d.emplace_back(key, value);
  });
  // Formatter.format's, in its order; an extra of the same name is overwritten in place.
  auto put = [&](std::string_view key, ValueView v) {
    auto it = std::find_if(d.begin(), d.end(), [&](const auto& kv) { return kv.first == key; });
    if (it != d.end())
      it->second = v;
    else
      d.emplace_back(key, v);
  };
  if (r.message_set) put("message", r.message_text());
  if (r.asctime.set()) put("asctime", r.asctime.view());
  return d;
}

}  // namespace dictlog
