// `dictlog tree`: apply a configuration and print the logger tree it leaves.
//
//   root  level=WARNING
//     handler 'console': StreamHandler level=NOTSET repr=<StreamHandler <stdout> (NOTSET)>
//       formatter style=% format='%(levelname)s %(message)s'
//     handler 'json': StreamHandler ...
//       formatter JsonFormatter style=% format='%(message)s' fields=['message'] timestamp='ts'
//     app  (placeholder)
//       app.db  level=DEBUG (effective DEBUG) propagate=yes disabled=no
//
// On a terminal (and unless NO_COLOR is set) logger names are bold, handler names blue and
// levels in the colour of their severity.
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <iostream>
#include <map>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include <dictlog/filter.hpp>
#include <dictlog/formatter.hpp>
#include <dictlog/handler.hpp>
#include <dictlog/json_formatter.hpp>
#include <dictlog/level.hpp>
#include <dictlog/logger.hpp>
#include <dictlog/queue_handler.hpp>
#include <dictlog/queue_listener.hpp>
#include <dictlog/shutdown.hpp>
#include <dictlog/value.hpp>

#include "cli.hpp"

namespace dictlog::cli {

std::string format_stats(const HandlerStats& s) {
  return "emitted=" + std::to_string(s.emitted) + " filtered=" + std::to_string(s.filtered) +
         " dropped_queue_full=" + std::to_string(s.dropped_queue_full) +
         " dropped_peer_down=" + std::to_string(s.dropped_peer_down) +
         " dropped_write_failed=" + std::to_string(s.dropped_write_failed) +
         " errors=" + std::to_string(s.errors);
}

namespace {

// Colour only for a person at a terminal, and never when NO_COLOR is set (no-color.org).
bool g_colour = false;

std::string paint(const std::string& text, const char* sgr) {
  return g_colour ? "\x1b[" + std::string(sgr) + "m" + text + "\x1b[0m" : text;
}

// A level name in the colour of its severity.
std::string level_text(int level) {
  const std::string name = get_level_name(level);
  if (!g_colour) return name;
  const char* sgr = level >= CRITICAL  ? "1;31"
                    : level >= ERROR   ? "31"
                    : level >= WARNING ? "33"
                    : level >= INFO    ? "32"
                    : level > NOTSET   ? "36"
                                       : "2";
  return paint(name, sgr);
}

std::string quoted(const std::string& s) {
  return repr(ValueView(std::string_view(s)));
}

std::string yes_no(bool b) {
  return b ? "yes" : "no";
}

void print_filters(std::ostream& out, const std::vector<FilterRef>& filters,
                   const std::string& indent) {
  for (const auto& f : filters) {
    if (const Filter* obj = f.filter_object())
      out << indent << "filter name=" << quoted(obj->name()) << '\n';
    else
      out << indent << "filter <function>\n";
  }
}

std::string dict_text(const dictlog::extra& items) {
  std::string s = "{";
  for (const auto& [k, v] : items) s += (s.size() > 1 ? ", " : "") + quoted(k) + ": " + repr(v);
  return s + "}";
}

std::string list_text(const std::vector<std::string>& items) {
  std::string s = "[";
  for (const auto& k : items) s += (s.size() > 1 ? ", " : "") + quoted(k);
  return s + "]";
}

// JsonFormatter: the fields it selects and every setting that differs from 4.x's default.
void print_json_formatter(std::ostream& out, const JsonFormatter& f, const std::string& indent) {
  const JsonFormatterOptions& o = f.options();
  out << indent << "formatter JsonFormatter";
  if (o.fields)
    out << " fmt=" << list_text(*o.fields);
  else
    out << " style=" << o.style << " format=" << quoted(o.fmt ? *o.fmt : f.fmt());
  out << " fields=" << list_text(f.required_fields());
  if (o.datefmt) out << " datefmt=" << quoted(*o.datefmt);
  if (!o.prefix.empty()) out << " prefix=" << quoted(o.prefix);
  if (!o.rename_fields.empty()) {
    out << " rename_fields={";
    bool first = true;
    for (const auto& [from, to] : o.rename_fields) {
      out << (first ? "" : ", ") << quoted(from) << ": " << quoted(to);
      first = false;
    }
    out << '}';
  }
  if (o.rename_fields_keep_missing) out << " rename_fields_keep_missing=yes";
  if (!o.static_fields.empty()) out << " static_fields=" << dict_text(o.static_fields);
  if (!o.defaults.empty()) out << " defaults=" << dict_text(o.defaults);
  if (o.reserved_attrs) out << " reserved_attrs=" << list_text(*o.reserved_attrs);
  if (o.timestamp) out << " timestamp=" << quoted(*o.timestamp);
  if (o.exc_info_as_array) out << " exc_info_as_array=yes";
  if (o.stack_info_as_array) out << " stack_info_as_array=yes";
  if (o.json_indent) out << " json_indent=" << quoted(*o.json_indent);
  if (!o.json_ensure_ascii) out << " json_ensure_ascii=no";
  out << '\n';
}

void print_handler(std::ostream& out, const std::shared_ptr<Handler>& h,
                   const std::string& indent) {
  const std::string name = h->name();
  out << indent << "handler " << paint(name.empty() ? std::string("(unnamed)") : quoted(name), "34")
      << ": " << h->class_name() << " level=" << level_text(h->level())
      << (h->closed() ? " closed" : "") << " repr=" << h->repr() << '\n';
  const std::string inner = indent + "  ";
  out << inner << "counts " << format_stats(h->stats()) << '\n';
  if (auto j = std::dynamic_pointer_cast<const JsonFormatter>(h->formatter())) {
    print_json_formatter(out, *j, inner);
  } else if (auto f = h->formatter()) {
    out << inner << "formatter style=" << f->style() << " format=" << quoted(f->fmt());
    if (f->datefmt()) out << " datefmt=" << quoted(*f->datefmt());
    if (!f->defaults().empty()) {
      out << " defaults={";
      bool first = true;
      for (const auto& [k, v] : f->defaults()) {
        out << (first ? "" : ", ") << quoted(k) << ": " << repr(v);
        first = false;
      }
      out << '}';
    }
    out << '\n';
  } else {
    out << inner << "formatter (default) format='%(message)s'\n";
  }
  print_filters(out, h->filters(), inner);
  if (auto qh = std::dynamic_pointer_cast<QueueHandler>(h)) {
    if (auto q = qh->queue()) {
      out << inner << "queue: " << q->class_name() << " maxsize=" << q->maxsize()
          << " overflow=" << (qh->overflow() == QueueHandler::Overflow::block ? "block" : "drop")
          << " waiting=" << q->qsize() << " dropped=" << qh->dropped() << '\n';
    }
    auto listener = qh->listener();
    if (!listener) {
      out << inner << "listener (none)\n";
      return;
    }
    out << inner << "listener: " << listener->class_name()
        << " running=" << yes_no(listener->running())
        << " respect_handler_level=" << yes_no(listener->respect_handler_level()) << '\n';
    for (const auto& target : listener->handlers()) print_handler(out, target, inner + "  ");
  }
}

void print_logger(std::ostream& out, const std::string& name, bool placeholder,
                  const std::string& indent) {
  if (placeholder) {
    out << indent << name << "  (placeholder)\n";
    return;
  }
  Logger* lg = name.empty() ? &root() : find_logger(name);
  if (!lg) return;
  out << indent << paint(name.empty() ? std::string("root") : name, "1")
      << "  level=" << level_text(lg->level());
  if (!name.empty()) {
    out << " (effective " << level_text(lg->get_effective_level()) << ")"
        << " propagate=" << yes_no(lg->propagate());
  }
  out << " disabled=" << yes_no(lg->disabled()) << '\n';
  const std::string inner = indent + "  ";
  print_filters(out, lg->filters(), inner);
  for (const auto& h : lg->handlers()) print_handler(out, h, inner);
}

}  // namespace

void print_tree(std::ostream& out) {
  // Python's manager: a logger hangs under the nearest dotted prefix that exists
  // (logger or placeholder), else under the root.
  const std::vector<std::string> names = logger_names();
  std::map<std::string, std::vector<std::string>> children;
  for (const auto& n : names) {
    std::string parent;
    for (auto dot = n.rfind('.'); dot != std::string::npos && dot > 0;
         dot = n.rfind('.', dot - 1)) {
      std::string prefix = n.substr(0, dot);
      if (std::binary_search(names.begin(), names.end(), prefix)) {
        parent = prefix;
        break;
      }
    }
    children[parent].push_back(n);
  }
  struct Walk {
    std::ostream& out;
    std::map<std::string, std::vector<std::string>>& children;
    void operator()(const std::string& name, const std::string& indent) {
      auto it = children.find(name);
      if (it == children.end()) return;
      for (const auto& child : it->second) {
        print_logger(out, child, is_placeholder(child), indent);
        (*this)(child, indent + "  ");
      }
    }
  } walk{out, children};
  print_logger(out, "", false, "");
  walk("", "  ");
}

int tree_command(const std::string& config_path) {
  if (int status = load_config(config_path, Load::apply); status != ok) return status;
  const char* no_colour = std::getenv("NO_COLOR");
  g_colour = ::isatty(STDOUT_FILENO) && !(no_colour && *no_colour);
  print_tree(std::cout);
  std::cout.flush();
  shutdown();
  return ok;
}

}  // namespace dictlog::cli
