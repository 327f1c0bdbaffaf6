// JsonFormatter: one JSON object per record, as python-json-logger 4.x's
// pythonjsonlogger.json.JsonFormatter writes it, byte for byte.
//
// The format does not lay out text: its fields choose which record attributes become keys,
// in order. Then come static fields, the exception and stack, every other attribute the
// record carries (its `extra` keys and bound context, except names starting with `_` and
// the reserved LogRecord attributes), and the timestamp if asked for. Values are written
// as Python's json.dumps writes them.
//
//   dictlog::JsonFormatterOptions o;
//   o.fmt = "%(asctime)s %(levelname)s %(name)s %(message)s";
//   o.rename_fields = {{"levelname", "level"}};
//   o.static_fields = {{"svc", "api"}};
//   auto f = std::make_shared<dictlog::JsonFormatter>(o);
//   // log.info("hi", dictlog::extra{{"user", "alice"}}) gives
//   // {"asctime": "2026-12-04 19:50:52,123", "level": "INFO", "name": "app",
//   //  "message": "hi", "svc": "api", "user": "alice"}      (on one line)
//
// dictConfig builds it under "pythonjsonlogger.json.JsonFormatter",
// "pythonjsonlogger.jsonlogger.JsonFormatter" and "dictlog.JsonFormatter".
//
// Thread-safety: immutable after construction; format() may run on several threads at
// once (each call sets only the record's message and asctime, as Formatter does).
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_set>
#include <utility>
#include <vector>

#include "dictlog/detail/name_filter.hpp"
#include "dictlog/formatter.hpp"
#include "dictlog/value.hpp"

namespace dictlog {

namespace detail {
class JsonItems;  // the object being built (lib/src/format/json_items.hpp)
}

// python-json-logger 4.x's constructor arguments, with its defaults.
struct JsonFormatterOptions {
  // A `%`, `{` or `$` format whose fields select the attributes written, or with style ","
  // a comma-separated list of names. Absent: "%(message)s" (no fields with style ",").
  std::optional<std::string> fmt;
  // The fields as a list (4.x's sequence `fmt`): used instead of fmt, style is ignored.
  std::optional<std::vector<std::string>> fields;
  std::optional<std::string> datefmt;  // for asctime, as Formatter's
  std::string style = "%";             // "%", "{", "$" or ","
  bool validate = true;                // check fmt as logging.Formatter does
  std::string prefix;                  // written before the JSON object
  // Output key for a field or attribute name, applied to every key written.
  std::vector<std::pair<std::string, std::string>> rename_fields;
  // Renamed keys the record did not give are written as null, at the end.
  bool rename_fields_keep_missing = false;
  dictlog::extra static_fields;  // written into every record, after the format's fields
  // Attribute names never copied as "extra" keys; absent: reserved_attrs_default().
  std::optional<std::vector<std::string>> reserved_attrs;
  // The key of a UTC ISO 8601 timestamp (`timestamp: true` is "timestamp"); none if absent.
  std::optional<std::string> timestamp;
  dictlog::extra defaults;         // written first; a later key of the same name replaces the value
  bool exc_info_as_array = false;  // the exception text as a list of its lines
  bool stack_info_as_array = false;  // the same for stack_info
  // json.dumps' indent: absent, one line; else a newline per item and this per level
  // (an int n in Python is n spaces).
  std::optional<std::string> json_indent;
  bool json_ensure_ascii = true;  // non-ASCII as \uXXXX
};

class JsonFormatter : public Formatter {
 public:
  // Throws ValueError as 4.x does: "Style must be one of: '%{$,'", "Style 'x' is not
  // supported" (with validate false), and logging.Formatter's format validation.
  explicit JsonFormatter(JsonFormatterOptions options = {});

  void format_to(const LogRecord& record, std::string& out) const override;
  // format_to()'s line for a queued call's record, written from the call (QueueListener's
  // direct path), when the keys are attributes a call carries (not msg, args, thread,
  // threadName, process or processName), no other record attribute is copied as an extra
  // (the default reserved_attrs) and the object is exactly a JsonFormatter.
  bool format_call_to(const detail::CallFields& c, std::string& out) const override;

  const JsonFormatterOptions& options() const { return options_; }
  // The attribute names the format selects, in order (4.x's _required_fields).
  const std::vector<std::string>& required_fields() const { return required_; }
  // python-json-logger's RESERVED_ATTRS on Python 3.12+ (taskName included).
  static const std::vector<std::string>& reserved_attrs_default();

 protected:
  const std::type_info& format_to_type() const override { return typeid(JsonFormatter); }

 private:
  // A key that defaults, the format's fields or static_fields put in every object, in the
  // dict's order (a key's first place, its last value), resolved once here rather than
  // by name on every record.
  struct Slot {
    std::string key;               // after rename_fields
    std::string key_json;          // ", ", the key as json.dumps writes it, ": "
    const Value* fixed = nullptr;  // a configured value; else
    std::optional<Attr> attr;      // a record attribute; else
    std::string extra_name;        // record.__dict__.get(name) of an extra
  };
  struct NameHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const noexcept {
      return std::hash<std::string_view>{}(s);
    }
  };

  static bool call_carries(Attr a);  // a queued call has what the attribute needs
  bool is_slot_key(std::string_view key) const {
    return slot_keys_.may_contain(key) && is_slot_key_slow(key);
  }
  bool is_slot_key_slow(std::string_view key) const;
  bool skipped(std::string_view key) const;
  // The timestamp and the renamed keys kept missing, after every other key. The
  // timestamp's text is this thread's until its next call: write the items before that.
  void add_last_items(detail::JsonItems& items, double created) const;
  std::string_view renamed(std::string_view key) const;
  void put_slot(std::string_view key, const Value* fixed, std::string_view field);

  JsonFormatterOptions options_;
  std::vector<std::string> required_;
  std::vector<Slot> slots_;
  // required_ and the reserved attributes: never copied as extras.
  std::unordered_set<std::string, NameHash, std::equal_to<>> skip_;
  detail::NameFilter skip_filter_;  // most extras' keys are not skipped: no hash for them
  bool uses_asctime_ = false;
  bool skips_every_attribute_ = false;  // the extras are then only the record's extra keys
  bool takes_calls_ = false;            // format_call_to() may write the line
  // One line, no timestamp, no renamed keys kept missing: a call's keys in the order they
  // come when none repeats, with no dict built.
  bool one_line_ = false;
  detail::NameFilter slot_keys_;  // the keys of slots_
};

}  // namespace dictlog
