#include "dictlog/file_handler.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <typeinfo>
#include <vector>

#include <fmt/format.h>

#include "core/listener_thread.hpp"
#include "core/system_calls.hpp"
#include "dictlog/detail/pystr.hpp"
#include "dictlog/errors.hpp"

namespace dictlog {

namespace detail {

std::string abspath(std::string_view path) {
  std::string joined;
  if (path.empty() || path.front() != '/') {
    std::vector<char> buf(4096);
    while (!::getcwd(buf.data(), buf.size())) {
      if (errno != ERANGE) throw_os_error(errno);
      buf.resize(buf.size() * 2);
    }
    joined = buf.data();
    joined += '/';
  }
  joined += path;
  // posixpath.normpath: drop "" and ".", resolve ".." lexically.
  std::vector<std::string_view> parts;
  std::string_view rest = joined;
  while (!rest.empty()) {
    auto slash = rest.find('/');
    std::string_view part = rest.substr(0, slash);
    rest = slash == std::string_view::npos ? std::string_view() : rest.substr(slash + 1);
    if (part.empty() || part == ".") continue;
    if (part == "..") {
      if (!parts.empty()) parts.pop_back();
      continue;
    }
    parts.push_back(part);
  }
  std::string out;
  for (auto p : parts) {
    out += '/';
    out += p;
  }
  return out.empty() ? "/" : out;
}

}  // namespace detail

namespace {

std::string normalise_encoding(const std::optional<std::string>& e) {
  if (!e || e->empty()) return "utf-8";
  std::string s;
  for (char c : *e)
    s += (c == '_') ? '-' : static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (s == "utf-8" || s == "utf8" || s == "locale" || s == "u8") return "utf-8";
  if (s == "ascii" || s == "us-ascii" || s == "646") return "ascii";
  if (s == "latin-1" || s == "latin1" || s == "iso-8859-1" || s == "iso8859-1" || s == "l1")
    return "latin-1";
  throw LookupError("unknown encoding: " + *e);
}

std::string normalise_errors(const std::optional<std::string>& e) {
  if (!e) return "strict";
  static const char* known[] = {
      "strict", "ignore", "replace", "backslashreplace", "xmlcharrefreplace", "surrogateescape"};
  for (const char* k : known)
    if (*e == k) return *e;
  throw LookupError("unknown error handler name '" + *e + "'");
}

// Next code point of UTF-8 text; invalid bytes come back as themselves.
char32_t next_cp(std::string_view s, std::size_t& i) {
  auto b = static_cast<unsigned char>(s[i]);
  int len = b < 0x80 ? 1 : (b >> 5) == 6 ? 2 : (b >> 4) == 14 ? 3 : (b >> 3) == 30 ? 4 : 1;
  if (i + len > s.size()) len = 1;
  char32_t cp = len == 1 ? b : len == 2 ? (b & 0x1F) : len == 3 ? (b & 0x0F) : (b & 0x07);
  for (int k = 1; k < len; ++k) cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
  i += len;
  return cp;
}

}  // namespace

FileHandler::FileHandler(std::string_view filename, std::string_view mode,
                         std::optional<std::string> encoding, bool delay,
                         std::optional<std::string> errors)
    : StreamHandler(NoStream{}, NOTSET),
      base_filename_(detail::abspath(filename)),
      mode_(mode),
      delay_(delay) {
  binary_ = mode_.find('b') != std::string::npos;
  if (mode_.find_first_not_of("rwaxbt+") != std::string::npos || mode_.empty() ||
      mode_.find_first_of("rwax") == std::string::npos)
    throw ValueError("invalid mode: '" + mode_ + "'");
  encoding_ = binary_ ? "" : normalise_encoding(encoding);
  errors_ = normalise_errors(errors);
  if (!delay_) open_stream();
}

FileHandler::~FileHandler() {
  if (fd_ >= 0) detail::sys().close(fd_);
}

void FileHandler::open_stream(bool append) {
  int flags = O_CLOEXEC;
  bool plus = mode_.find('+') != std::string::npos;
  switch (append || mode_.find_first_of("rwax") == std::string::npos
              ? 'a'
              : mode_[mode_.find_first_of("rwax")]) {
    case 'r':
      flags |= plus ? O_RDWR : O_RDONLY;
      break;
    case 'w':
      flags |= (plus ? O_RDWR : O_WRONLY) | O_CREAT | O_TRUNC;
      break;
    case 'x':
      flags |= (plus ? O_RDWR : O_WRONLY) | O_CREAT | O_EXCL;
      break;
    default:
      flags |= (plus ? O_RDWR : O_WRONLY) | O_CREAT | O_APPEND;
      break;
  }
  const detail::SystemCalls& calls = detail::sys();
  int fd = calls.open(base_filename_.c_str(), flags, 0666);
  if (fd < 0) detail::throw_os_error(errno, base_filename_);
  if (flags & O_APPEND) calls.lseek(fd, 0, SEEK_END);
  fd_ = fd;
  stream_ = std::make_shared<FdStream>(fd_, base_filename_);
}

void FileHandler::close_stream() {
  if (fd_ < 0) return;
  stream_.reset();
  int fd = fd_;
  fd_ = -1;
  if (detail::sys().close(fd) != 0 && errno != EINTR) detail::throw_os_error(errno);
}

std::int64_t FileHandler::tell() const {
  if (fd_ < 0) return 0;
  off_t pos = detail::sys().lseek(fd_, 0, SEEK_CUR);
  if (pos < 0) throw OSError("[Errno 29] Illegal seek");
  return pos;
}

std::string FileHandler::encode(std::string_view text) const {
  if (encoding_ == "utf-8") return std::string(text);
  const char32_t limit = encoding_ == "ascii" ? 0x80 : 0x100;
  std::string out;
  out.reserve(text.size());
  std::size_t i = 0, pos = 0;
  while (i < text.size()) {
    char32_t cp = next_cp(text, i);
    if (cp < limit) {
      out += static_cast<char>(cp);
    } else if (errors_ == "strict" || errors_ == "surrogateescape") {
      // Python shows the character as repr() does: '\xe9', '\u20ac'.
      std::string repr;
      if (cp < 0x100)
        repr = fmt::format("'\\x{:02x}'", static_cast<unsigned>(cp));
      else if (cp < 0x10000)
        repr = fmt::format("'\\u{:04x}'", static_cast<unsigned>(cp));
      else
        repr = fmt::format("'\\U{:08x}'", static_cast<unsigned>(cp));
      throw UnicodeEncodeError(fmt::format(
          "'{}' codec can't encode character {} in position {}: ordinal not in range({})",
          encoding_ == "ascii" ? "ascii" : "latin-1", repr, pos, limit == 0x80 ? 128 : 256));
    } else if (errors_ == "replace") {
      out += '?';
    } else if (errors_ == "backslashreplace") {
      if (cp < 0x100)
        out += fmt::format("\\x{:02x}", static_cast<unsigned>(cp));
      else if (cp < 0x10000)
        out += fmt::format("\\u{:04x}", static_cast<unsigned>(cp));
      else
        out += fmt::format("\\U{:08x}", static_cast<unsigned>(cp));
    } else if (errors_ == "xmlcharrefreplace") {
      out += fmt::format("&#{};", static_cast<unsigned>(cp));
    }  // ignore: nothing
    ++pos;
  }
  return out;
}

namespace {
constexpr std::size_t kBatchBytes = 64 * 1024;
}  // namespace

// Inline in emit(), its only caller: a call per record for two flag checks.
[[gnu::always_inline]] inline bool FileHandler::batchable() const {
  if (plain_ < 0) [[unlikely]]  // fixed once constructed; read with lock() held
    plain_ = typeid(*this) == typeid(FileHandler) && encoding_ == "utf-8" && !binary_;
  return plain_ == 1 && detail::on_listener_thread();
}

bool FileHandler::write_records(std::string_view text, std::size_t records, LogRecord& last,
                                bool batch) {
  std::string with_break;
  if (torn_) {
    with_break.reserve(text.size() + 1);
    with_break += '\n';
    with_break += text;
    text = with_break;
  }
  std::size_t written = 0;
  const int err = detail::write_all(fd_, text, &written);
  if (err == 0) {
    torn_ = false;
    if (lost_in_run_ > 0) end_failure_run("writing succeeded again");
    return true;
  }
  if (written > 0) torn_ = text[written - 1] != '\n';
  count_dropped_write_failed(records);
  const bool first = lost_in_run_ == 0;
  lost_in_run_ += records;
  if (first) {
    run_errno_ = err;
    if (batch) last.set_msg_copy(fmt::format("<{} records written in one batch>", records));
    try {
      detail::throw_os_error(err);
    } catch (...) {
      handle_error(last);
    }
  }
  return false;
}

void FileHandler::end_failure_run(const char* how) {
  LogRecord r;
  r.name = pending_last_.name;
  r.levelno = pending_last_.levelno;
  r.levelname = pending_last_.levelname;
  r.pathname = pending_last_.pathname;
  r.lineno = pending_last_.lineno;
  r.set_msg_copy(fmt::format("<{} records not written>", lost_in_run_));
  try {
    throw OSError(
        fmt::format("[Errno {}] {}: '{}': {} records were not written (in whole or in "
                    "part) before {}",
                    run_errno_, std::strerror(run_errno_), base_filename_, lost_in_run_, how));
  } catch (...) {
    handle_error(r);
  }
  lost_in_run_ = 0;
}

// Writes the batch; false (and the batch dropped and counted) if the write failed.
bool FileHandler::write_pending() {
  if (pending_.empty()) return true;
  std::string batch;
  batch.swap(pending_);
  std::size_t records = pending_records_;
  pending_records_ = 0;
  const bool ok = write_records(batch, records, pending_last_, true);
  batch.clear();
  pending_.swap(batch);  // keep the buffer's capacity
  return ok;
}

void FileHandler::batched(std::string_view name, int levelno, std::string_view levelname,
                          std::string_view pathname, std::string_view func, std::uint32_t lineno) {
  if (terminator.size() == 1)
    pending_.push_back(terminator[0]);
  else
    pending_ += terminator;
  // Where the batch's last record came from, without copying its text.
  pending_last_.name = name;
  pending_last_.levelno = levelno;
  pending_last_.levelname = levelname;
  pending_last_.pathname = pathname;
  pending_last_.func = func;
  pending_last_.lineno = lineno;
  ++pending_records_;
  if (pending_.size() >= kBatchBytes) write_pending();
}

// emit()'s batched path for a queued call: the formatter writes its line from the call.
bool FileHandler::emit_call(const detail::CallFields& c) {
  if (fd_ < 0 || !batchable() || !emit_formatter().format_call_to(c, pending_)) return false;
  batched(c.name, c.levelno, c.levelname, c.pathname, c.func, c.lineno);
  return true;
}

void FileHandler::emit(LogRecord& record) {
  if (fd_ < 0) {
    // Python: after close() a mode "w" handler stays closed (records dropped).
    if (mode_ == "w" && closed()) return;
    open_stream();
  }
  if (binary_) throw TypeError("a bytes-like object is required, not 'str'");
  if (batchable()) {
    const Formatter& fm = emit_formatter();
    // format_to appends in place; a subclass that overrides format() gets format().
    if (fm.formats_in_place()) {
      const std::size_t start = pending_.size();
      try {
        fm.format_to(record, pending_);
      } catch (...) {  // the batch keeps whole lines only
        pending_.resize(start);
        throw;
      }
    } else {
      pending_ += fm.format(record);
    }
    batched(record.name, record.levelno, record.levelname, record.pathname, record.func,
            record.lineno);
    return;
  }
  write_pending();  // lines batched earlier go first
  std::string msg = format(record);
  msg += terminator;
  pending_last_.name = record.name;  // for the report that ends a failure run
  pending_last_.levelno = record.levelno;
  pending_last_.levelname = record.levelname;
  pending_last_.pathname = record.pathname;
  pending_last_.lineno = record.lineno;
  if (encoding_ == "utf-8")
    write_records(msg, 1, record, false);  // the text is UTF-8 already: no copy
  else
    write_records(encode(msg), 1, record, false);
}

void FileHandler::flush() {
  std::lock_guard lock(this->lock());
  if (fd_ >= 0) write_pending();
  StreamHandler::flush();
}

void FileHandler::at_fork_reinit() {
  pending_.clear();
  pending_records_ = 0;
  Handler::at_fork_reinit();
}

void FileHandler::close() {
  std::lock_guard lock(this->lock());
  if (fd_ >= 0) write_pending();
  if (lost_in_run_ > 0) end_failure_run("the handler was closed");
  try {
    close_stream();
  } catch (...) {
    Handler::close();
    throw;
  }
  Handler::close();
}

std::string FileHandler::repr() const {
  return fmt::format("<{} {} ({})>", class_name(), base_filename_, get_level_name(level()));
}

}  // namespace dictlog
