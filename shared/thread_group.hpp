// ThreadGroup: the threads of a thread-per-client server. Starts one thread per task,
// joins finished ones as it goes (so a long-running server does not collect them), and
// joins all of them at the end. Each thread, as it exits, adds its own RUSAGE_THREAD totals
// to stats.exited_threads, so no thread's CPU time or context switches are lost.
#pragma once

#include <cstdint>
#include <functional>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <vector>

#include "counters.hpp"

namespace lab {

// start(), reap() and join_all() are for the one thread that owns the group.
class ThreadGroup {
  public:
    explicit ThreadGroup(StatsBlock& stats) : stats_(stats) {}
    ~ThreadGroup() { join_all(); }
    ThreadGroup(const ThreadGroup&) = delete;
    ThreadGroup& operator=(const ThreadGroup&) = delete;

    // Runs task on a new thread. Returns false if the system has no thread to give.
    bool start(std::function<void()> task);
    // Joins the threads that have finished.
    void reap();
    // Joins every thread; they must be on their way out (the stop latch tells them).
    void join_all();

  private:
    StatsBlock& stats_;
    std::uint64_t next_id_ = 0;
    std::unordered_map<std::uint64_t, std::thread> threads_;
    std::mutex finished_lock_;
    std::vector<std::uint64_t> finished_;  // guarded by finished_lock_
};

}  // namespace lab
