// doctest's runner and main, compiled once and linked into every test executable (one
// compiled per test file cost about 10 s of compiler time each, in each of CI's builds).
// A test with a main of its own (test_crash_handler) defines DOCTEST_CONFIG_IMPLEMENT
// itself and does not link this.
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>
