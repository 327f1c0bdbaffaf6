// The soak (tools/soak.sh; Meson suite `soak`, not in the default run): producer threads
// log at a steady rate through a QueueHandler whose listener writes a RotatingFileHandler
// with a small maxBytes, a TimedRotatingFileHandler that rolls over every second and a
// SocketHandler to a receiver in this process. Every second it samples its own RSS, open
// descriptors and threads. It fails (exit 1) when, after the warm-up, RSS grows by more
// than 10 % over its value at the end of the warm-up, or the descriptors or threads exceed those at
// the end of the warm-up, when after shutdown they differ from those before configuration, or when
// the lines in the rotated files or the records the receiver got differ from the count logged.
//
// The warm-up starts with a burst (each thread logs 50,000 records as fast as it can), so that
// the queue's buffers reach the size a backlog gives them before RSS is measured: growth
// after it is what a leak would show.
//
//   soak [SECONDS [RECORDS_PER_SECOND_PER_THREAD [THREADS]]]   (60, 1000, 4)
//   DICTLOG_SOAK_SECONDS overrides SECONDS (tools/soak.sh sets it).
#include <arpa/inet.h>
#include <dirent.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "dictlog/config_json.hpp"
#include "dictlog/handler.hpp"
#include "dictlog/logger.hpp"
#include "dictlog/shutdown.hpp"
#include "support/temp_dir.hpp"

namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace {

constexpr long kBurstRecords = 50000;

long count_entries(const char* dir) {
  long n = 0;
  if (DIR* d = ::opendir(dir)) {
    while (dirent* e = ::readdir(d))
      if (e->d_name[0] != '.') ++n;
    ::closedir(d);
  }
  return n;
}

long rss_kib() {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("VmRSS:", 0) == 0) return std::atol(line.c_str() + 6);
  return -1;
}

struct Sample {
  long rss_kib, fds, threads;
};

Sample sample() {
  // Less the descriptor opendir holds while it counts.
  return {rss_kib(), count_entries("/proc/self/fd") - 1, count_entries("/proc/self/task")};
}

// Accepts connections on 127.0.0.1 and counts SocketHandler's frames (a 4-byte big-endian
// length, then that many bytes of pickle) until stopped and every peer has closed.
class Receiver {
 public:
  Receiver() {
    listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    if (listen_fd_ < 0 || ::bind(listen_fd_, reinterpret_cast<sockaddr*>(&a), len) != 0 ||
        ::listen(listen_fd_, 8) != 0 ||
        ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&a), &len) != 0) {
      std::perror("soak: receiver");
      std::exit(2);
    }
    port_ = ntohs(a.sin_port);
    thread_ = std::thread([this] { run(); });
  }
  int port() const { return port_; }
  long frames() const { return frames_; }
  long connections() const { return connections_; }
  // After the handlers have closed: the last connection is drained to its end.
  void stop() {
    stop_ = true;
    thread_.join();
    ::close(listen_fd_);
  }

 private:
  void run() {
    std::vector<int> peers;
    std::vector<std::string> pending;
    char buf[65536];
    for (;;) {
      std::vector<pollfd> p{{listen_fd_, POLLIN, 0}};
      for (int fd : peers) p.push_back({fd, POLLIN, 0});
      ::poll(p.data(), p.size(), 100);
      if (p[0].revents & POLLIN) {
        int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
        if (fd >= 0) {
          peers.push_back(fd);
          pending.emplace_back();
          ++connections_;
        }
      }
      for (std::size_t i = peers.size(); i-- > 0;) {
        if (!(p[i + 1].revents & (POLLIN | POLLHUP | POLLERR))) continue;
        ssize_t n = ::read(peers[i], buf, sizeof buf);
        if (n > 0) {
          pending[i].append(buf, static_cast<std::size_t>(n));
          consume(pending[i]);
        } else if (n == 0 || errno != EINTR) {
          ::close(peers[i]);
          peers.erase(peers.begin() + static_cast<long>(i));
          pending.erase(pending.begin() + static_cast<long>(i));
        }
      }
      if (stop_ && peers.empty()) return;
    }
  }
  void consume(std::string& data) {
    std::size_t at = 0;
    while (data.size() - at >= 4) {
      auto* b = reinterpret_cast<const unsigned char*>(data.data() + at);
      std::size_t len =
          (std::size_t{b[0]} << 24) | (std::size_t{b[1]} << 16) | (std::size_t{b[2]} << 8) | b[3];
      if (data.size() - at - 4 < len) break;
      at += 4 + len;
      ++frames_;
    }
    data.erase(0, at);
  }

  int listen_fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<long> frames_{0};
  std::atomic<long> connections_{0};
  std::thread thread_;
};

long count_lines(const fs::path& dir, const std::string& prefix, long* files) {
  long lines = 0;
  *files = 0;
  for (const auto& e : fs::directory_iterator(dir)) {
    if (e.path().filename().string().rfind(prefix, 0) != 0) continue;
    ++*files;
    std::ifstream in(e.path(), std::ios::binary);
    char buf[65536];
    while (in.read(buf, sizeof buf) || in.gcount() > 0) {
      lines += std::count(buf, buf + in.gcount(), '\n');
      if (!in) break;
    }
  }
  return lines;
}

}  // namespace

int main(int argc, char** argv) {
  long seconds = argc > 1 ? std::atol(argv[1]) : 60;
  if (const char* env = std::getenv("DICTLOG_SOAK_SECONDS"); env && *env) seconds = std::atol(env);
  const long rate = argc > 2 ? std::atol(argv[2]) : 1000;
  const int threads = argc > 3 ? std::atoi(argv[3]) : 4;
  if (seconds < 10 || rate < 10 || threads < 1) {
    std::fprintf(stderr, "soak: SECONDS >= 10, RECORDS_PER_SECOND_PER_THREAD >= 10\n");
    return 2;
  }
  const long warmup = std::min(60L, seconds / 5);
  constexpr long kMaxBytes = 256 * 1024;
  constexpr long kLineBytes = 90;  // an upper bound of the line below, for backupCount
  const long backups = (seconds * rate + kBurstRecords) * threads * kLineBytes / kMaxBytes * 2 + 16;

  dictlog::test::TempDir dir;
  const Sample before = sample();
  Receiver receiver;
  nlohmann::ordered_json config = {
      {"version", 1},
      {"formatters",
       {{"line", {{"format", "%(asctime)s %(levelname)s %(threadName)s %(message)s"}}}}},
      {"handlers",
       {{"rotating",
         {{"class", "logging.handlers.RotatingFileHandler"},
          {"filename", dir.file("rotating.log")},
          {"maxBytes", kMaxBytes},
          {"backupCount", backups},
          {"formatter", "line"}}},
        {"timed",
         {{"class", "logging.handlers.TimedRotatingFileHandler"},
          {"filename", dir.file("timed.log")},
          {"when", "S"},
          {"interval", 1},
          {"formatter", "line"}}},
        {"socket",
         {{"class", "logging.handlers.SocketHandler"},
          {"host", "127.0.0.1"},
          {"port", receiver.port()}}},
        {"queue",
         {{"class", "logging.handlers.QueueHandler"},
          {"handlers", {"rotating", "timed", "socket"}}}}}},
      {"root", {{"level", "INFO"}, {"handlers", {"queue"}}}}};
  dictlog::config::dict_config(config, "soak");
  dictlog::config::start_listeners();

  std::printf("soak: %ld s (warm-up %ld s), %d threads x %ld records/s; in %s\n", seconds, warmup,
              threads, rate, dir.path().c_str());
  std::printf("soak: before configuration: %ld KiB RSS, %ld fds, %ld threads\n", before.rss_kib,
              before.fds, before.threads);
  std::fflush(stdout);

  std::atomic<long> logged{0};
  std::atomic<bool> stop{false};
  std::vector<std::thread> producers;
  for (int t = 0; t < threads; ++t)
    producers.emplace_back([&, t] {
      auto& log = dictlog::get_logger("soak.t" + std::to_string(t));
      constexpr int kBurst = 10;
      const auto period = std::chrono::microseconds(1000000L * kBurst / rate);
      long n = 0;
      while (n < kBurstRecords) log.info("record {} of thread {} {}", n++, t, "burst");
      auto next = std::chrono::steady_clock::now();
      while (!stop.load(std::memory_order_relaxed)) {
        for (int i = 0; i < kBurst; ++i) log.info("record {} of thread {} {}", n++, t, "soak");
        next += period;
        std::this_thread::sleep_until(next);
      }
      logged += n;
    });

  const auto start = std::chrono::steady_clock::now();
  Sample warm{0, 0, 0};
  long warm_peak_rss = 0, peak_rss = 0, peak_fds = 0, peak_threads = 0;
  for (long s = 1; s <= seconds; ++s) {
    std::this_thread::sleep_until(start + std::chrono::seconds(s));
    Sample now = sample();
    if (s <= warmup) {
      warm_peak_rss = std::max(warm_peak_rss, now.rss_kib);
      if (s == warmup) warm = now;
    } else {
      peak_rss = std::max(peak_rss, now.rss_kib);
      peak_fds = std::max(peak_fds, now.fds);
      peak_threads = std::max(peak_threads, now.threads);
    }
    if (s % 10 == 0 || s == seconds)
      std::printf("soak: %4ld s  rss %ld KiB  fds %ld  threads %ld\n", s, now.rss_kib, now.fds,
                  now.threads);
    std::fflush(stdout);
  }
  const Sample end = sample();
  stop = true;
  for (auto& p : producers) p.join();
  auto counts = dictlog::stats();
  dictlog::shutdown();  // stops the listener (draining the queue) and closes the handlers
  receiver.stop();
  const Sample after = sample();

  long rotating_files = 0, timed_files = 0;
  const long rotating = count_lines(dir.path(), "rotating.log", &rotating_files);
  const long timed = count_lines(dir.path(), "timed.log", &timed_files);
  const long total = logged.load();
  std::printf("soak: logged %ld records (%.0f/s)\n", total, double(total) / double(seconds));
  std::printf(
      "soak: rotating: %ld lines in %ld files; timed: %ld lines in %ld files; "
      "socket: %ld records over %ld connection(s)\n",
      rotating, rotating_files, timed, timed_files, receiver.frames(), receiver.connections());
  for (const auto& [name, st] : counts)
    std::printf(
        "soak: handler %s: emitted %llu, dropped %llu, errors %llu (at the end of logging)\n",
        name.c_str(), static_cast<unsigned long long>(st.emitted),
        static_cast<unsigned long long>(st.dropped_queue_full + st.dropped_peer_down +
                                        st.dropped_write_failed),
        static_cast<unsigned long long>(st.errors));
  // Against the warm-up's last sample: its peak is the burst's backlog, already freed.
  const double growth = 100.0 * double(peak_rss - warm.rss_kib) / double(warm.rss_kib);
  std::printf(
      "soak: RSS warm-up peak %ld KiB, at its end %ld KiB; peak after %ld KiB (%+.1f %%), "
      "end %ld KiB\n",
      warm_peak_rss, warm.rss_kib, peak_rss, growth, end.rss_kib);
  std::printf("soak: fds %ld after warm-up, peak %ld, end %ld; after shutdown %ld (before %ld)\n",
              warm.fds, peak_fds, end.fds, after.fds, before.fds);
  std::printf(
      "soak: threads %ld after warm-up, peak %ld, end %ld; after shutdown %ld (before "
      "%ld)\n",
      warm.threads, peak_threads, end.threads, after.threads, before.threads);

  int failures = 0;
  auto fail = [&](bool bad, const char* what) {
    if (bad) {
      std::printf("soak: FAILED: %s\n", what);
      ++failures;
    }
  };
  fail(total == 0, "nothing was logged");
  fail(rotating != total, "the rotating files' lines differ from the records logged");
  fail(timed != total, "the timed files' lines differ from the records logged");
  fail(receiver.frames() != total, "the receiver's records differ from the records logged");
  fail(growth > 10.0, "RSS grew by more than 10 % after the warm-up");
  // A rollover closes the file before it opens the next: a sample may see one fewer.
  fail(peak_fds > warm.fds, "descriptors leaked while logging");
  fail(peak_threads > warm.threads, "threads leaked while logging");
  // The receiver's listening socket and thread are gone after stop() as well.
  fail(after.fds != before.fds, "descriptors left open after shutdown");
  fail(after.threads != before.threads, "threads left running after shutdown");
  std::printf("soak: %s\n", failures ? "FAILED" : "OK");
  return failures ? 1 : 0;
}
