// dictlog::config::watch: re-applies a configuration file when it changes.
//
// A Watcher owns one thread that waits for the file to change (inotify on the file's
// directory, so an editor's "write a temporary file, rename it over the original" is seen
// as well as an edit in place; polling where inotify is unavailable), lets a burst of
// changes settle, and re-applies the file if its content differs from the last one it
// read. A reload is a dict_config_file (JSON, YAML or INI by the extension; INI without
// defaults): a file that does not parse or is rejected changes nothing, and every problem is
// reported. After a reload the new configuration's
// QueueHandler listeners are started (start_listeners()), as after the first load; the old
// listeners drain their queues first, so a reload under load loses no record.
//
//   dictlog::config::dict_config_file("logging.json");
//   dictlog::config::start_listeners();
//   dictlog::config::WatchOptions options;
//   options.sighup = true;
//   auto watcher = dictlog::config::watch("logging.json", options);  // stops when destroyed
//
// Thread safety: watch() may be called from any thread, for several files. The callbacks
// run on the watcher's thread, one at a time, never while a configuration lock is held;
// they must not destroy or stop their own Watcher (that would wait for itself).
#pragma once

#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "dictlog/config.hpp"

namespace dictlog::config {

// What one reload attempt did.
struct ReloadOutcome {
  std::string file;               // the watched path, as given to watch()
  std::vector<Problem> problems;  // empty: the file was applied
  bool applied() const { return problems.empty(); }
};

struct WatchOptions {
  // How often the file is read and compared when inotify is unavailable or fails (or
  // `inotify` is false). With inotify this is unused: nothing runs until a change.
  std::chrono::milliseconds poll_interval{1000};
  // How long the file must stay quiet after a change before it is read: an editor's
  // write, rename and chmod become one reload. A file written to but not yet closed
  // waits longer (a second), so a slow writer's half-written file is not read.
  std::chrono::milliseconds debounce{20};
  // false: poll even where inotify works (tests, file systems inotify does not see, such as
  // some network mounts).
  bool inotify = true;
  // Also re-apply on SIGHUP, even when the content has not changed (so SIGHUP reopens the
  // files of FileHandlers, as after logrotate). The handler is installed with sigaction,
  // calls any handler installed before it, and only writes to a descriptor the watcher
  // thread polls; the previous action is restored when the last such Watcher ends, unless
  // someone installed another handler meanwhile.
  bool sighup = false;
  // Called after every reload attempt, applied or not. A file whose content is unchanged
  // is not an attempt; neither is a missing file (deleted, or between two writes of a
  // replacement): the running configuration stays and the file is read when it comes back.
  std::function<void(const ReloadOutcome&)> on_reload;
  // Called once per problem of a rejected file, before on_reload. Empty (the default):
  // each problem is written to stderr as one line in `dictlog check`'s form,
  // problem_line(file, problem).
  std::function<void(const std::string& file, const Problem& problem)> on_problem;
};

// A running watch; destroying it (or stop()) stops the thread, waiting for a reload in
// progress to finish. Movable, not copyable.
class Watcher {
 public:
  Watcher() noexcept;  // watches nothing
  Watcher(Watcher&&) noexcept;
  Watcher& operator=(Watcher&&) noexcept;
  ~Watcher();

  // Stops watching; idempotent.
  void stop();
  // Asks the watcher thread to re-apply the file now, even if unchanged (what SIGHUP does
  // with `sighup`). Returns at once.
  void reload();
  // true from watch() until stop().
  bool active() const { return impl_ != nullptr; }
  // true if changes are seen through inotify, false if the file is polled.
  bool uses_inotify() const;

  struct Impl;

 private:
  explicit Watcher(std::unique_ptr<Impl> impl);
  friend Watcher watch(const std::filesystem::path&, WatchOptions);
  std::unique_ptr<Impl> impl_;
};

// Starts watching `file`; the file's present content counts as applied (apply it first,
// with dict_config_file). Throws std::system_error if no thread or descriptor can be made.
[[nodiscard]] Watcher watch(const std::filesystem::path& file, WatchOptions options = {});

}  // namespace dictlog::config
