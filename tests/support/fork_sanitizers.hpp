// Test support for tests that fork(): what the sanitizer runtimes allow a child to do, so
// that such a test checks all it can under each and says what it could not.
#pragma once

#if defined(__SANITIZE_THREAD__)
#define DICTLOG_TEST_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define DICTLOG_TEST_TSAN 1
#endif
#endif

// ThreadSanitizer's runtime aborts a child of a multi-threaded fork as soon as a thread it
// starts gets the pthread id of one of the parent's threads ("dup thread with used id"): it
// never learns they are gone, and glibc hands the child their stacks. Under it, the cases
// that start threads in the child check the parent's side only (no race, every record
// once); the plain and ASan+UBSan builds check both sides.
#ifdef DICTLOG_TEST_TSAN
inline constexpr bool kChildThreadsChecked = false;
#else
inline constexpr bool kChildThreadsChecked = true;
#endif

#if defined(__SANITIZE_ADDRESS__)
#define DICTLOG_TEST_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define DICTLOG_TEST_ASAN 1
#endif
#endif

// The sanitizers' allocators took no lock around fork() until LLVM 18 (ASan, llvm-project
// pull 75290) and 19 (TSan, pull 96600): a child forked while another thread was inside
// malloc waits forever on the allocator's mutex the first time it needs memory of that
// size, in the runtime, before any of dictlog's code runs (seen here under clang 14's ASan:
// the child's new threads stuck in SizeClassAllocator64::GetFromAllocator, from calloc in
// pthread_getattr_np in AsanThread::Init). Under those runtimes a child that hangs is
// reported and its records are not checked; the parent's side is checked in full, and the
// plain build checks the children too.
#if (defined(DICTLOG_TEST_ASAN) && !(defined(__clang__) && __clang_major__ >= 18)) || \
    (defined(DICTLOG_TEST_TSAN) && !(defined(__clang__) && __clang_major__ >= 19))
inline constexpr bool kRuntimeForkSafe = false;
#else
inline constexpr bool kRuntimeForkSafe = true;
#endif
