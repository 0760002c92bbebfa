// An independent check of the harness's server figures: `perf stat` attached to the server
// for exactly the measurement window (started disabled, enabled and disabled through its
// --control pipes), counting context-switches and task-clock over every thread and child, and
// the system calls they make (the raw_syscalls:sys_enter tracepoint) where tracefs has it.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>

namespace lab {

struct PerfCounts {
    std::uint64_t context_switches = 0;
    std::uint64_t task_clock_ns = 0;
    // System calls entered: nullopt where the tracepoint is missing (no tracefs).
    std::optional<std::uint64_t> syscalls;
};

class PerfStat {
  public:
    // Attaches a disabled `perf stat` to pid. nullopt (and a reason) if perf is missing or
    // cannot attach (perf_event_paranoid; run as root).
    static std::optional<PerfStat> attach(pid_t pid, std::string& error);
    PerfStat(PerfStat&& other) noexcept;
    PerfStat& operator=(PerfStat&&) = delete;
    PerfStat(const PerfStat&) = delete;
    ~PerfStat();

    bool enable();  // starts counting; false if perf did not acknowledge
    // Stops counting, ends perf and reads its counts.
    std::optional<PerfCounts> finish(std::string& error);

  private:
    PerfStat() = default;
    bool command(const char* what);
    pid_t pid_ = -1;
    int control_fd_ = -1;
    int ack_fd_ = -1;
    std::string output_path_;
};

}  // namespace lab
