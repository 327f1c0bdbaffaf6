#include "dictlog/timed_rotating_file_handler.hpp"

#include <dirent.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <ctime>
#include <mutex>

#include "core/system_calls.hpp"
#include "dictlog/errors.hpp"
#include "dictlog/stream.hpp"

namespace dictlog {

namespace {

constexpr std::int64_t kDay = 24 * 60 * 60;

std::tm to_tm(std::int64_t t, bool utc) {
  std::time_t tt = static_cast<std::time_t>(t);
  std::tm tm{};
  if (utc)
    ::gmtime_r(&tt, &tm);
  else
    ::localtime_r(&tt, &tm);
  return tm;
}

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

// Python's extMatch, a regex of ASCII digits and separators, as a shape string: 'd' is a
// digit, any other character stands for itself.
bool shape_at(std::string_view s, std::size_t i, std::string_view shape) {
  if (i + shape.size() > s.size()) return false;
  for (std::size_t k = 0; k < shape.size(); ++k) {
    char c = s[i + k];
    if (shape[k] == 'd' ? !is_digit(c) : c != shape[k]) return false;
  }
  return true;
}

// extMatch.search(s, from): a match not preceded or followed by another digit.
std::size_t shape_search(std::string_view s, std::string_view shape, std::size_t from) {
  for (std::size_t i = from; i + shape.size() <= s.size(); ++i) {
    if (!shape_at(s, i, shape)) continue;
    if (i > 0 && is_digit(s[i - 1])) continue;
    if (i + shape.size() < s.size() && is_digit(s[i + shape.size()])) continue;
    return i;
  }
  return std::string_view::npos;
}

std::string upper_ascii(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  return out;
}

std::string format_suffix(const std::string& fmt, const std::tm& tm) {
  char buf[64];
  std::size_t n = std::strftime(buf, sizeof buf, fmt.c_str(), &tm);
  return std::string(buf, n);
}

std::int64_t system_now() {
  using namespace std::chrono;
  // int(time.time()) truncates toward zero.
  return duration_cast<seconds>(system_clock::now().time_since_epoch()).count();
}

}  // namespace

TimedRotatingFileHandler::TimedRotatingFileHandler(std::string_view filename, std::string_view when,
                                                   std::int64_t interval, int backup_count,
                                                   std::optional<std::string> encoding, bool delay,
                                                   bool utc, std::optional<AtTime> at_time,
                                                   std::optional<std::string> errors, Clock clock)
    : BaseRotatingHandler(filename, "a", std::move(encoding), delay, std::move(errors)),
      when_(upper_ascii(when)),
      backup_count_(backup_count),
      utc_(utc),
      at_time_(at_time),
      clock_(std::move(clock)) {
  if (when_ == "S") {
    interval_ = 1;
    suffix_ = "%Y-%m-%d_%H-%M-%S";
    ext_shape_ = "dddd-dd-dd_dd-dd-dd";
  } else if (when_ == "M") {
    interval_ = 60;
    suffix_ = "%Y-%m-%d_%H-%M";
    ext_shape_ = "dddd-dd-dd_dd-dd";
  } else if (when_ == "H") {
    interval_ = 60 * 60;
    suffix_ = "%Y-%m-%d_%H";
    ext_shape_ = "dddd-dd-dd_dd";
  } else if (when_ == "D" || when_ == "MIDNIGHT") {
    interval_ = kDay;
    suffix_ = "%Y-%m-%d";
    ext_shape_ = "dddd-dd-dd";
  } else if (when_.starts_with('W')) {
    interval_ = 7 * kDay;
    if (when_.size() != 2)
      throw ValueError("You must specify a day for weekly rollover from 0 to 6 (0 is Monday): " +
                       when_);
    if (when_[1] < '0' || when_[1] > '6')
      throw ValueError("Invalid day specified for weekly rollover: " + when_);
    day_of_week_ = when_[1] - '0';
    suffix_ = "%Y-%m-%d";
    ext_shape_ = "dddd-dd-dd";
  } else {
    throw ValueError("Invalid rollover interval specified: " + when_);
  }
  interval_ *= interval;
  struct stat st {};
  std::int64_t t;
  if (detail::sys().stat(base_filename().c_str(), &st) == 0) {
    // int(st_mtime) truncates toward zero.
    t = st.st_mtim.tv_sec;
    if (t < 0 && st.st_mtim.tv_nsec > 0) ++t;
  } else {
    t = now();
  }
  rollover_at_ = compute_rollover(t);
}

std::int64_t TimedRotatingFileHandler::now() const {
  return clock_ ? clock_() : system_now();
}

std::int64_t TimedRotatingFileHandler::rollover_at() const {
  std::lock_guard lock(this->lock());
  return rollover_at_;
}

void TimedRotatingFileHandler::set_rollover_at(std::int64_t t) {
  std::lock_guard lock(this->lock());
  rollover_at_ = t;
}

std::int64_t TimedRotatingFileHandler::compute_rollover(std::int64_t current) const {
  std::int64_t result = current + interval_;
  bool weekly = when_.starts_with('W');
  if (when_ != "MIDNIGHT" && !weekly) return result;

  std::tm tm = to_tm(current, utc_);
  int day = (tm.tm_wday + 6) % 7;  // Python's tm_wday: 0 is Monday
  std::int64_t rotate_ts =
      at_time_ ? (static_cast<std::int64_t>(at_time_->hour) * 60 + at_time_->minute) * 60 +
                     at_time_->second
               : kDay;
  std::int64_t r = rotate_ts - ((tm.tm_hour * 60 + tm.tm_min) * 60 + tm.tm_sec);
  if (r <= 0) {
    r += kDay;
    day = (day + 1) % 7;
  }
  result = current + r;
  if (weekly) {
    if (day != day_of_week_) {
      int days_to_wait = day < day_of_week_ ? day_of_week_ - day : 6 - day + day_of_week_ + 1;
      result += days_to_wait * kDay;
    }
    result += interval_ - kDay * 7;
  } else {
    result += interval_ - kDay;
  }
  if (!utc_) {
    int dst_now = tm.tm_isdst;
    int dst_at_rollover = to_tm(result, false).tm_isdst;
    if (dst_now != dst_at_rollover) {
      std::int64_t addend;
      if (!dst_now) {
        // DST starts before the rollover: an hour less, unless that lands outside DST.
        addend = -3600;
        if (!to_tm(result - 3600, false).tm_isdst) addend = 0;
      } else {
        addend = 3600;
      }
      result += addend;
    }
  }
  return result;
}

bool TimedRotatingFileHandler::should_rollover(const LogRecord&) {
  std::int64_t t = now();
  if (t < rollover_at_) return false;
  if (exists_but_not_regular(base_filename())) {
    rollover_at_ = compute_rollover(t);
    return false;
  }
  return true;
}

std::vector<std::string> TimedRotatingFileHandler::get_files_to_delete() const {
  const std::string& base = base_filename();
  std::size_t slash = base.rfind('/');
  std::string dir = slash == std::string::npos ? "." : base.substr(0, slash == 0 ? 1 : slash);
  std::string base_name = slash == std::string::npos ? base : base.substr(slash + 1);
  auto join = [&](const std::string& name) {
    return dir.ends_with('/') ? dir + name : dir + "/" + name;
  };

  std::vector<std::string> names;
  DIR* d = ::opendir(dir.c_str());
  if (!d) detail::throw_os_error(errno, dir);
  while (dirent* e = ::readdir(d)) {
    std::string_view n = e->d_name;
    if (n != "." && n != "..") names.emplace_back(n);
  }
  ::closedir(d);

  std::vector<std::string> result;
  if (!namer) {
    std::string prefix = base_name + ".";
    for (const auto& name : names) {
      if (!name.starts_with(prefix)) continue;
      std::string_view suffix = std::string_view(name).substr(prefix.size());
      if (suffix.size() == ext_shape_.size() && shape_at(suffix, 0, ext_shape_))
        result.push_back(join(name));
    }
  } else {
    for (const auto& name : names) {
      // After custom naming the date can be anywhere in the name: accept the file if one
      // of the dates in it names this file through the namer.
      for (std::size_t at = shape_search(name, ext_shape_, 0); at != std::string::npos;
           at = shape_search(name, ext_shape_, at + 1)) {
        std::string dfn = namer(base + "." + name.substr(at, ext_shape_.size()));
        std::size_t s = dfn.rfind('/');
        if ((s == std::string::npos ? dfn : dfn.substr(s + 1)) == name) {
          result.push_back(join(name));
          break;
        }
      }
    }
  }
  if (result.size() < static_cast<std::size_t>(std::max(backup_count_, 0))) return {};
  std::sort(result.begin(), result.end());
  result.resize(result.size() - static_cast<std::size_t>(std::max(backup_count_, 0)));
  return result;
}

void TimedRotatingFileHandler::do_rollover() {
  std::int64_t current = now();
  std::int64_t t = rollover_at_ - interval_;
  std::tm tm = to_tm(t, utc_);
  if (!utc_) {
    int dst_now = to_tm(current, false).tm_isdst;
    if (dst_now != tm.tm_isdst) tm = to_tm(t + (dst_now ? 3600 : -3600), false);
  }
  std::string dfn = rotation_filename(base_filename() + "." + format_suffix(suffix_, tm));
  // Python: already rolled over. rollover_at is not advanced, so this repeats each record.
  if (path_exists(dfn)) return;

  close_stream();
  rotate(base_filename(), dfn);
  if (backup_count_ > 0)
    for (const auto& s : get_files_to_delete()) remove_file(s);
  if (!delay()) open_stream();
  rollover_at_ = compute_rollover(current);
}

}  // namespace dictlog
