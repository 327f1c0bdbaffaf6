// The same kind of setup as samples/quickstart.json, in code instead of a configuration
// file: console and file handlers, per-logger levels, a few records (no queue: each record
// is written on the thread that logs it). build/samples/setup_in_code writes
// setup_in_code.log in the current directory.
#include <dictlog/dictlog.hpp>
#include <dictlog/file_handler.hpp>
#include <dictlog/stream_handler.hpp>

int main() {
  auto console = std::make_shared<dictlog::StreamHandler>(dictlog::stdout_stream());
  console->set_level(dictlog::INFO);
  console->set_formatter(
      std::make_shared<dictlog::Formatter>("%(levelname)-8s %(name)s: %(message)s"));

  auto file = std::make_shared<dictlog::FileHandler>("setup_in_code.log", "w");
  file->set_formatter(std::make_shared<dictlog::Formatter>(
      "%(asctime)s %(levelname)s [%(name)s] %(message)s (user=%(user)s)", std::nullopt, '%', true,
      dictlog::extra{{"user", "-"}}));

  dictlog::root().set_level(dictlog::INFO);
  dictlog::root().add_handler(console);
  dictlog::root().add_handler(file);
  dictlog::get_logger("app").set_level(dictlog::DEBUG);
  dictlog::get_logger("app.db").set_level(dictlog::WARNING);

  auto& app = dictlog::get_logger("app");
  app.info("service starting", dictlog::extra{{"user", "alice"}});
  app.debug("debug goes to the file only");
  dictlog::get_logger("app.db").info("dropped: app.db logs WARNING and up");
  dictlog::get_logger("app.db").warning("slow query: {} ms", 1200);
  try {
    throw std::runtime_error("connection reset");
  } catch (...) {
    dictlog::root().exception("root logger: request {} failed", 42);
  }
  return 0;  // dictlog::shutdown() runs at exit: handlers flushed and closed
}
