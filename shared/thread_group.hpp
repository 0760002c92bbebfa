// ThreadGroup: the threads of a threaded server. Starts one thread per task, joins finished
// ones as it goes (so a long-running server does not collect them), and joins all of them at
// the end. Each thread, as it exits, adds its own RUSAGE_THREAD totals to
// stats.exited_threads, so no thread's CPU time or context switches are lost. Threads are
// made with pthread_create so that their stack size can be set (--thread-stack-kb).
#pragma once

#include <pthread.h>

#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "counters.hpp"

namespace lab {

// The bounds of --thread-stack-kb. The least is what every request needs in every build of
// this lab, with room to spare: a STATS request (JSON, a netlink query) overflowed a 16 KiB
// stack (glibc's PTHREAD_STACK_MIN) in the release build, and a stack overflow is a SIGSEGV
// that kills the whole server, which no client's request may do.
inline constexpr std::uint64_t kMinThreadStackKb = 64;
inline constexpr std::uint64_t kMaxThreadStackKb = 65'536;

// Whether a thread with a stack of stack_kb KiB can be made here: glibc refuses one too small
// for the thread's TLS and guard page (EINVAL), and that size depends on the build (a
// sanitizer's TLS is large). Makes and joins one thread that does nothing; fills `error` if
// it cannot.
bool thread_stack_fits(std::uint64_t stack_kb, std::string& error);

// start(), reap() and join_all() are for the one thread that owns the group.
class ThreadGroup {
  public:
    // stack_kb: each thread's stack size in KiB; 0 keeps the system's default (the stack
    // rlimit, usually 8 MiB of address space, of which only the touched pages use memory).
    explicit ThreadGroup(StatsBlock& stats, std::uint64_t stack_kb = 0)
        : stats_(stats), stack_kb_(stack_kb) {}
    ~ThreadGroup() { join_all(); }
    ThreadGroup(const ThreadGroup&) = delete;
    ThreadGroup& operator=(const ThreadGroup&) = delete;

    // Runs task on a new thread, named `name` in a trace (empty: "client thread N"). Returns
    // false if the system has no thread to give (out of threads, or of memory for a stack).
    bool start(std::function<void()> task, const std::string& name = "");
    // Joins the threads that have finished.
    void reap();
    // Joins every thread; they must be on their way out (the stop latch tells them).
    void join_all();

  private:
    struct Launch;  // what a new thread runs: the task, and how to report its end
    static void* run(void* launch);

    StatsBlock& stats_;
    std::uint64_t stack_kb_;
    std::uint64_t next_id_ = 0;
    std::unordered_map<std::uint64_t, pthread_t> threads_;
    std::mutex finished_lock_;
    std::vector<std::uint64_t> finished_;  // guarded by finished_lock_
};

}  // namespace lab
