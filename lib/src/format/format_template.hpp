// The compiled form of a Formatter's format string, one per style, and the lookups a
// format call makes. Parsing happens once, in the Formatter's constructor; errors Python
// raises only while formatting (with validate=False, or past validation) are kept as
// operations that throw at the point where Python would.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "dictlog/record.hpp"
#include "format/format_value.hpp"

namespace dictlog::detail {

struct CallFields;  // dictlog/formatter.hpp

// Where a field's value comes from: a record attribute, an `extra` key or default, or a
// positional argument (str.format's {0} and {}: always out of range here).
struct FieldRef {
  enum Kind : std::uint8_t { by_attr, by_key, by_index };
  Kind kind = by_key;
  Attr attr{};
  std::string key;
  std::size_t index = 0;
  static FieldRef resolve(std::string_view name);
};

// The values mapping of one format call: defaults overlaid by the record.
class FieldSource {
 public:
  FieldSource(const LogRecord& r, const dictlog::extra& defaults, const std::string* asctime)
      : record_(r), defaults_(defaults), asctime_(asctime) {}
  // Throws ValueError("Formatting field not found in record: 'foo'") for a missing key.
  PyVal get(const FieldRef& ref);
  // str(get(ref)), appended.
  void append_str_of(const FieldRef& ref, std::string& out);
  // The whole mapping (what `%s` without a key formats).
  PyVal mapping();

 private:
  const LogRecord& record_;
  const dictlog::extra& defaults_;
  const std::string* asctime_;
  std::string args_repr_;
  bool args_done_ = false;
  std::string dict_repr_;
};

[[noreturn]] void throw_not_found(std::string_view key);

// ---- `%` style -------------------------------------------------------------------------

struct PercentOp {
  enum Kind : std::uint8_t { literal, field, error };
  Kind kind = literal;
  std::string text;  // literal text, or the error message
  bool has_key = false;
  FieldRef ref;
  bool left = false, plus = false, blank = false, alt = false, zero = false;
  bool width_star = false, prec_star = false;
  int width = -1, prec = -1;
  char32_t conv = 0;
  // Set when the conversion is missing or unknown: thrown after the operand is fetched,
  // as Python does.
  bool incomplete = false;
  bool unsupported = false;
  // A plain `%(key)s`: no flags, width or precision. Rendered as str(value) appended.
  bool plain_str = false;
};

struct PercentFormat {
  std::vector<PercentOp> ops;
};

// Python's PercentStyle.validation_pattern.search(fmt).
bool percent_validates(std::string_view fmt);
PercentFormat compile_percent(std::string_view fmt);

// The operands of one `%` operation: a mapping (the record) or a tuple.
struct PercentArgs {
  FieldSource* mapping = nullptr;
  const PyVal* items = nullptr;
  std::size_t count = 0;
};
void render_percent(const PercentFormat& f, PercentArgs args, std::string& out);
// One conversion of a value ('%s', '%05.1f', ...), shared with the msec format.
void render_percent_value(const PercentOp& op, const PyVal& v, int width, int prec,
                          std::string& out);

// ---- `{` style -------------------------------------------------------------------------

// A parsed standard format spec, before the value's type is known.
struct BraceSpec {
  enum Error : std::uint8_t { none, invalid, missing_precision, comma_and_underscore };
  Error error = none;
  bool empty = true;
  char32_t fill = ' ';
  bool fill_given = false;
  char align = 0;  // 0 = the type's default
  char sign = 0;
  bool no_neg_0 = false;
  bool alt = false;
  bool zero = false;
  int width = -1;
  char grouping = 0;  // ',' or '_'
  int prec = -1;
  char32_t type = 0;
  std::string raw;
};
BraceSpec parse_brace_spec(std::string_view spec);
// format(v, spec): Python's __format__ of str, int, bool, float, None.
void render_brace_value(const PyVal& v, const BraceSpec& spec, std::string& out);

struct BraceTemplate;

struct BraceAccessor {
  enum Kind : std::uint8_t { attribute, item, error };
  Kind kind = attribute;
  std::string name;         // attribute or item key, or the error message
  std::int64_t index = -1;  // item index when the key is all digits
};

struct BraceField {
  FieldRef ref;
  std::vector<BraceAccessor> accessors;
  char32_t conversion = 0;
  BraceSpec spec;                         // when the spec has no nested fields
  std::unique_ptr<BraceTemplate> nested;  // when it has
  bool recursion_error = false;           // nested too deep
  bool too_many_digits = false;           // a positional index past Py_ssize_t (before lookup)
};

struct BraceOp {
  std::string literal;
  std::unique_ptr<BraceField> field;
};

struct BraceTemplate {
  std::vector<BraceOp> ops;
  std::optional<std::string> error;  // a parse error after the ops
};

// Compiles; with validate, throws Python's "invalid format: ..." ValueError instead of
// keeping parse errors for format time.
std::unique_ptr<BraceTemplate> compile_brace(std::string_view fmt, bool validate);
void render_brace(const BraceTemplate& t, FieldSource& src, std::string& out);

// ---- `$` style -------------------------------------------------------------------------

struct DollarOp {
  std::string literal;
  bool is_field = false;
  FieldRef ref;
  std::optional<std::string> error;  // "Invalid placeholder in string: line 1, col 5"
};
struct DollarFormat {
  std::vector<DollarOp> ops;
};
DollarFormat compile_dollar(std::string_view fmt, bool validate);
void render_dollar(const DollarFormat& f, FieldSource& src, std::string& out);

// ---- plain steps: the formats most configurations use ------------------------------------

// One piece of a format whose fields are all the record's text attributes (name, levelname,
// message, asctime) as str, at most padded to a width: the same bytes in any style, so the
// record is rendered by copying runs, with no lookup and no value conversion per record.
struct PlainStep {
  enum Kind : std::uint8_t { literal, name, levelname, message, asctime };
  Kind kind = literal;
  bool left = false;                   // padding after the text (`%-8s`, `{:<8}`)
  std::uint32_t width = 0;             // in code points; 0: none
  std::uint32_t offset = 0, size = 0;  // a literal's bytes in PlainSteps::text
  char small[8] = {};                  // and, up to 8 of them, here: one 8-byte copy
};
inline constexpr std::size_t kMaxPlainSteps = 16;
struct PlainSteps {
  std::vector<PlainStep> steps;  // at most kMaxPlainSteps
  // The same without widths, fewer: each run is a literal (maybe empty) and then the field
  // of its kind (none for a `literal` run, the last one).
  std::vector<PlainStep> runs;
  std::string text;              // the literals, one after another
  std::size_t literal_size = 0;  // all literals' bytes
  bool needs_asctime = false;
  bool padded = false;  // a step has a width
};

// ---- the whole thing ---------------------------------------------------------------------

struct CompiledFormat {
  char style = '%';
  PercentFormat percent;
  std::unique_ptr<BraceTemplate> brace;
  DollarFormat dollar;
  // Set when the style's template reduces to plain steps (render_plain gives its bytes).
  std::optional<PlainSteps> plain;
};

// The plain steps of a compiled template, if every field is one plain_steps supports.
std::optional<PlainSteps> plain_steps(const CompiledFormat& c);
// Appends the record's text; `asctime` is set whenever a step needs it (the format uses it).
// render_plain for the record a queued call would make (Formatter::format_call_to): the
// message formatted straight into `out`. Throws what formatting the message throws.
void render_plain_call(const PlainSteps& p, const CallFields& c, const std::string& asctime,
                       std::string& out);
void render_plain(const PlainSteps& p, const LogRecord& r, const std::string& asctime,
                  std::string& out);

// The widest field dictlog pads or fills (width or precision). Python goes as far as memory
// allows (`{n:2000000000}` makes a 2 GB line for every record, or a MemoryError); dictlog
// refuses with a ValueError: a Formatter's own format at construction (a configuration's
// error, with its pointer), and widths that come from values (`%*d`, `{n:{w}}`) when
// formatting.
inline constexpr int kMaxFieldWidth = 1'000'000;
[[noreturn]] void throw_field_too_wide();
// Throws for a width or precision past kMaxFieldWidth written in the format itself.
void check_field_widths(const CompiledFormat& f);

}  // namespace dictlog::detail
