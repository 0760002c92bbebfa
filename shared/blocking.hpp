// BlockingTimer: the one helper every model wraps its blocking calls in. It adds the
// wall time spent inside the call to the counter of its kind when the call returns, so
// blocking time is counted per call, never saved up (a killed process loses nothing
// already counted).
#pragma once

#include "clock.hpp"
#include "counters.hpp"

namespace lab {

class BlockingTimer {
  public:
    BlockingTimer(StatsBlock& stats, Blocking kind)
        : stats_(stats), kind_(kind), start_(mono_ns()) {}
    ~BlockingTimer() { add_blocking(stats_, kind_, mono_ns() - start_); }
    BlockingTimer(const BlockingTimer&) = delete;
    BlockingTimer& operator=(const BlockingTimer&) = delete;

  private:
    StatsBlock& stats_;
    Blocking kind_;
    std::uint64_t start_;
};

}  // namespace lab
