// Plain steps: a %, { or $ template whose fields are the record's text attributes, reduced
// at construction to literal runs and attribute copies.
#include <cstring>

#include "dictlog/detail/capture.hpp"  // copy_short, ArgVTable
#include "dictlog/formatter.hpp"       // CallFields
#include "format/format_template.hpp"
#include "record/py_unicode.hpp"

namespace dictlog::detail {

namespace {

std::optional<PlainStep::Kind> text_attr(const FieldRef& ref) {
  if (ref.kind != FieldRef::by_attr) return std::nullopt;
  switch (ref.attr) {
    case Attr::name:
      return PlainStep::name;
    case Attr::levelname:
      return PlainStep::levelname;
    case Attr::message:
      return PlainStep::message;
    case Attr::asctime:
      return PlainStep::asctime;
    default:
      return std::nullopt;
  }
}

class StepsBuilder {
 public:
  void literal(std::string_view t) {
    if (t.empty()) return;
    PlainStep s = literal_step(p_.text.size(), t.size(), t);
    p_.text += t;
    p_.literal_size += t.size();
    p_.steps.push_back(s);
    run_size_ += t.size();
  }
  bool field(const FieldRef& ref, int width, bool left) {
    auto kind = text_attr(ref);
    if (!kind) return false;
    PlainStep s;
    s.kind = *kind;
    s.width = width > 0 ? static_cast<std::uint32_t>(width) : 0;
    s.left = left;
    if (s.kind == PlainStep::asctime) p_.needs_asctime = true;
    if (s.width) p_.padded = true;
    p_.steps.push_back(s);
    end_run(s.kind);
    return true;
  }
  std::optional<PlainSteps> done() {
    if (p_.steps.size() > kMaxPlainSteps) return std::nullopt;
    if (run_size_) end_run(PlainStep::literal);
    return std::move(p_);
  }

 private:
  static PlainStep literal_step(std::size_t offset, std::size_t size, std::string_view t) {
    PlainStep s;
    s.offset = static_cast<std::uint32_t>(offset);
    s.size = static_cast<std::uint32_t>(size);
    if (size <= sizeof s.small) std::memcpy(s.small, t.data(), size);
    return s;
  }
  // The literals since the last field, with `kind` after them.
  void end_run(PlainStep::Kind kind) {
    const std::size_t offset = p_.text.size() - run_size_;
    PlainStep r = literal_step(offset, run_size_, std::string_view(p_.text).substr(offset));
    r.kind = kind;
    p_.runs.push_back(r);
    run_size_ = 0;
  }

  PlainSteps p_;
  std::size_t run_size_ = 0;
};

std::optional<PlainSteps> percent_steps(const PercentFormat& f) {
  StepsBuilder b;
  for (const PercentOp& op : f.ops) {
    if (op.kind == PercentOp::literal) {
      b.literal(op.text);
      continue;
    }
    // `%(name)s` or `%(name)-8s`: a key, str, at most a width and '-'.
    const bool padded_str = op.kind == PercentOp::field && op.has_key && op.conv == 's' &&
                            !op.plus && !op.blank && !op.alt && !op.zero && op.prec < 0 &&
                            !op.width_star && !op.prec_star && !op.incomplete && !op.unsupported;
    if (!padded_str || !b.field(op.ref, op.width, op.left)) return std::nullopt;
  }
  return b.done();
}

std::optional<PlainSteps> brace_steps(const BraceTemplate& t) {
  if (t.error) return std::nullopt;
  StepsBuilder b;
  for (const BraceOp& op : t.ops) {
    b.literal(op.literal);
    if (!op.field) continue;
    const BraceField& f = *op.field;
    // `{name}` alone: a str formatted with an empty spec is itself.
    if (f.too_many_digits || f.recursion_error || !f.accessors.empty() || f.conversion ||
        f.nested || !f.spec.empty || f.spec.error != BraceSpec::none || !b.field(f.ref, 0, false))
      return std::nullopt;
  }
  return b.done();
}

std::optional<PlainSteps> dollar_steps(const DollarFormat& f) {
  StepsBuilder b;
  for (const DollarOp& op : f.ops) {
    b.literal(op.literal);
    if (op.error) return std::nullopt;
    if (op.is_field && !b.field(op.ref, 0, false)) return std::nullopt;
  }
  return b.done();
}

std::string_view field_text(PlainStep::Kind kind, const LogRecord& r, const std::string& asctime) {
  switch (kind) {
    case PlainStep::name:
      return r.name;
    case PlainStep::levelname:
      return r.levelname;
    case PlainStep::message:
      return r.message_text();
    case PlainStep::asctime:
      return asctime;
    default:
      return {};
  }
}

// With widths: each field's code points counted for its padding.
void render_padded(const PlainSteps& p, const LogRecord& r, const std::string& asctime,
                   std::string& out) {
  for (const PlainStep& s : p.steps) {
    if (s.kind == PlainStep::literal) {
      out.append(p.text, s.offset, s.size);
      continue;
    }
    const std::string_view t = field_text(s.kind, r, asctime);
    const std::size_t have = s.width ? count_code_points(t) : 0;
    const std::size_t pad = have < s.width ? s.width - have : 0;
    if (!s.left) out.append(pad, ' ');
    out.append(t);
    if (s.left) out.append(pad, ' ');
  }
}

}  // namespace

std::optional<PlainSteps> plain_steps(const CompiledFormat& c) {
  switch (c.style) {
    case '%':
      return percent_steps(c.percent);
    case '{':
      return c.brace ? brace_steps(*c.brace) : std::nullopt;
    default:
      return dollar_steps(c.dollar);
  }
}

void render_plain(const PlainSteps& p, const LogRecord& r, const std::string& asctime,
                  std::string& out) {
  if (p.padded) {
    render_padded(p, r, asctime, out);
    return;
  }
  // Each field's text once, by kind (the literal's slot stays empty).
  static_assert(PlainStep::name == 1 && PlainStep::levelname == 2 && PlainStep::message == 3 &&
                PlainStep::asctime == 4);
  const std::string_view fields[] = {{}, r.name, r.levelname, r.message_text(), asctime};
  std::size_t total = p.literal_size;
  for (const PlainStep& s : p.runs) total += fields[s.kind].size();
  // 8 bytes of slack, so that a short literal is one 8-byte copy whatever its length.
  const std::size_t start = out.size();
  out.resize(start + total + sizeof(PlainStep::small));
  char* w = out.data() + start;
  for (const PlainStep& s : p.runs) {
    if (s.size <= sizeof s.small)
      std::memcpy(w, s.small, sizeof s.small);
    else
      std::memcpy(w, p.text.data() + s.offset, s.size);
    w += s.size;
    const std::string_view t = fields[s.kind];
    if (t.size() <= 32)
      copy_short(w, t.data(), t.size());
    else
      std::memcpy(w, t.data(), t.size());
    w += t.size();
  }
  out.resize(start + total);
}

void render_plain_call(const PlainSteps& p, const CallFields& c, const std::string& asctime,
                       std::string& out) {
  static_assert(PlainStep::name == 1 && PlainStep::levelname == 2 && PlainStep::message == 3 &&
                PlainStep::asctime == 4);
  const std::string_view fields[] = {{}, c.name, c.levelname, {}, asctime};
  StringOut w(out);
  for (const PlainStep& s : p.runs) {
    // One check for room per run: its literal, as one 8-byte copy when it is that short
    // (the slack after it is overwritten next), and its field unless that is the message.
    const std::string_view t = fields[s.kind];
    char* at = w.room(s.size + t.size() + sizeof s.small);
    if (s.size <= sizeof s.small)
      std::memcpy(at, s.small, sizeof s.small);
    else
      std::memcpy(at, p.text.data() + s.offset, s.size);
    at += s.size;
    if (t.size() <= 32)
      copy_short(at, t.data(), t.size());
    else
      std::memcpy(at, t.data(), t.size());
    w.commit(at + t.size());
    if (s.kind != PlainStep::message) continue;
    // LogRecord::get_message(): msg as it is when there are no arguments.
    if (c.vt && c.vt->count > 0)
      c.vt->format(c.args, c.msg, w);
    else
      w.put(c.msg.data(), c.msg.size());
  }
}

}  // namespace dictlog::detail
