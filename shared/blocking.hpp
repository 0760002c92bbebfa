// BlockingTimer: the one helper every model wraps its blocking calls in. It adds the
// wall time spent inside the call to the counter of its kind when the call returns, so
// blocking time is counted per call, never saved up (a killed process loses nothing
// already counted).
#pragma once

#include "clock.hpp"
#include "counters.hpp"
#include "trace.hpp"

namespace lab {

class BlockingTimer {
  public:
    BlockingTimer(StatsBlock& stats, Blocking kind)
        : stats_(stats),
          kind_(kind),
          start_(mono_ns()),
          start_cpu_(trace::enabled() ? thread_cpu_ns() : 0) {}
    ~BlockingTimer() {
        std::uint64_t elapsed = mono_ns() - start_;
        add_blocking(stats_, kind_, elapsed);
        // With --trace, every wait is also a span (the trace's phases start with the kinds).
        if (trace::enabled()) {
            trace::record(static_cast<trace::Phase>(kind_), start_, elapsed,
                          thread_cpu_ns() - start_cpu_);
        }
    }
    BlockingTimer(const BlockingTimer&) = delete;
    BlockingTimer& operator=(const BlockingTimer&) = delete;

  private:
    StatsBlock& stats_;
    Blocking kind_;
    std::uint64_t start_;
    std::uint64_t start_cpu_;
};

}  // namespace lab
