// Logs one record through the default lastResort handler (stderr).
#include <dictlog/dictlog.hpp>

int main() {
  dictlog::get_logger("consumer").warning("hello from {} {}", "a subproject", 1);
  return 0;
}
