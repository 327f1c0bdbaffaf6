// TimedRotatingFileHandler: a file that is moved aside at fixed times, its backups named
// by date, as Python's logging.handlers.TimedRotatingFileHandler.
//
// `when` is Python's: "S", "M", "H", "D" (every interval seconds/minutes/hours/days from
// now, unaligned), "MIDNIGHT" (at midnight or at_time) or "W0".."W6" (weekly, 0 = Monday;
// without at_time at the midnight that *ends* that day). Case is ignored. The closed file
// becomes "app.log.2026-11-24" (the suffix is the start of the interval it covers); with
// backup_count > 0 only that many dated backups are kept.
//
//   auto h = std::make_shared<dictlog::TimedRotatingFileHandler>("app.log", "midnight", 1, 7);
//   dictlog::get_logger().add_handler(h);
//
// Python quirk kept: if the backup name for an interval already exists, the rollover is
// skipped and the next one is not rescheduled, so the handler keeps appending to the
// current file (and re-checks on every record) until that name goes away.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "dictlog/rotating_file_handler.hpp"

namespace dictlog {

// Thread-safety: as every handler, records are written under lock(), which also guards
// the rollover time; namer, rotator and the clock are called with it held.
class TimedRotatingFileHandler : public BaseRotatingHandler {
 public:
  // Python's atTime (a datetime.time; only hour, minute and second are used).
  struct AtTime {
    int hour = 0;
    int minute = 0;
    int second = 0;
  };
  // Whole seconds since the epoch, as Python's int(time.time()). Tests inject one.
  using Clock = std::function<std::int64_t()>;

  // Python's TimedRotatingFileHandler(filename, when='h', interval=1, backupCount=0,
  // encoding=None, delay=False, utc=False, atTime=None, errors=None); `clock` is
  // dictlog's (null = the system clock). Throws ValueError with Python's message for a
  // bad `when`. Mode is always "a". The first rollover is computed from the file's mtime
  // if it exists (after the open, so without delay it always does), else from now.
  explicit TimedRotatingFileHandler(std::string_view filename, std::string_view when = "h",
                                    std::int64_t interval = 1, int backup_count = 0,
                                    std::optional<std::string> encoding = std::nullopt,
                                    bool delay = false, bool utc = false,
                                    std::optional<AtTime> at_time = std::nullopt,
                                    std::optional<std::string> errors = std::nullopt,
                                    Clock clock = nullptr);

  // Python's computeRollover(currentTime): when the interval starting at `t` ends.
  std::int64_t compute_rollover(std::int64_t t) const;
  // now >= rollover_at(); a path that is not a regular file only gets a new rollover_at.
  bool should_rollover(const LogRecord& record) override;
  void do_rollover() override;
  // Python's getFilesToDelete: the dated backups beyond backup_count, oldest first.
  std::vector<std::string> get_files_to_delete() const;

  const std::string& when() const { return when_; }
  std::int64_t interval() const { return interval_; }  // in seconds
  int backup_count() const { return backup_count_; }
  bool utc() const { return utc_; }
  const std::optional<AtTime>& at_time() const { return at_time_; }
  const std::string& suffix() const { return suffix_; }  // strftime format of backups
  // Python's rolloverAt: when the next rollover is due (seconds since the epoch).
  std::int64_t rollover_at() const;
  void set_rollover_at(std::int64_t t);
  std::string_view class_name() const override { return "TimedRotatingFileHandler"; }

 protected:
  std::int64_t now() const;

 private:
  std::string when_;
  std::int64_t interval_ = 0;
  int backup_count_;
  bool utc_;
  std::optional<AtTime> at_time_;
  int day_of_week_ = 0;
  std::string suffix_;
  std::string_view ext_shape_;    // the suffix's shape: 'd' a digit, anything else itself
  std::int64_t rollover_at_ = 0;  // guarded by lock()
  Clock clock_;
};

}  // namespace dictlog
