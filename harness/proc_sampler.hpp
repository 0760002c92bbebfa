// Reads what the kernel knows about a server's whole process tree from /proc: every task
// (thread) under /proc/PID/task/ of the server process and of each of its descendant
// processes. /proc/PID/status alone would count only the main thread.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace lab {

// Sums over the live tasks of a process tree at one moment.
struct TreeSample {
    std::uint64_t mono_ns = 0;    // CLOCK_MONOTONIC when the sample was taken
    std::uint64_t processes = 0;  // the root and its live descendants
    std::uint64_t threads = 0;    // tasks in all of them
    // Of those, the tasks the kernel made for the processes' io_uring instances (PF_IO_WORKER
    // in /proc/.../task/TID/stat's flags: io-wq workers, named iou-wrk-TID, and SQPOLL threads,
    // iou-sqp-TID), not the server's own threads.
    std::uint64_t kernel_threads = 0;
    std::uint64_t user_us = 0;    // utime of every task (/proc/PID/task/TID/stat), in µs
    std::uint64_t system_us = 0;  // stime, likewise
    std::uint64_t voluntary_ctx_switches = 0;  // /proc/.../task/TID/status
    std::uint64_t involuntary_ctx_switches = 0;
    std::uint64_t oncpu_ns = 0;     // /proc/.../task/TID/schedstat field 1
    std::uint64_t runqueue_ns = 0;  // schedstat field 2: runnable but waiting for a CPU
    std::uint64_t timeslices = 0;   // schedstat field 3
    std::uint64_t rss_kb = 0;  // sum of VmRSS over processes (shared pages counted per process)
    std::uint64_t pss_kb = 0;  // sum of Pss (/proc/PID/smaps_rollup): shared pages split fairly
    std::uint64_t vm_kb = 0;   // sum of VmSize
    std::uint64_t sample_cpu_ns = 0;  // the sampler's own thread CPU time spent on this sample
    // With per_task: each live task's run-queue ns, so a delta can leave out tasks that
    // ended (whose run-queue time no other source has). Empty otherwise.
    std::vector<std::pair<pid_t, std::uint64_t>> runqueue_by_task;
};

// Samples the tree rooted at root_pid. nullopt if the root no longer exists.
// with_memory=false skips smaps_rollup (the slowest file) and leaves pss_kb at 0;
// per_task=true fills runqueue_by_task.
std::optional<TreeSample> sample_tree(pid_t root_pid, bool with_memory = true,
                                      bool per_task = false);

// The CPU steal share (0-100) between two readings of the "cpu" line of /proc/stat.
struct CpuTimes {
    std::uint64_t total = 0;
    std::uint64_t steal = 0;
};
CpuTimes read_cpu_times();
double steal_pct(const CpuTimes& before, const CpuTimes& after);

}  // namespace lab
