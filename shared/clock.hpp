// Clocks used for every measurement, in nanoseconds.
#pragma once

#include <time.h>

#include <cstdint>

namespace lab {

inline std::uint64_t clock_ns(clockid_t id) {
    timespec ts{};
    clock_gettime(id, &ts);
    return static_cast<std::uint64_t>(ts.tv_sec) * 1'000'000'000u +
           static_cast<std::uint64_t>(ts.tv_nsec);
}
// Wall time that never jumps: durations, deadlines, blocking time.
inline std::uint64_t mono_ns() {
    return clock_ns(CLOCK_MONOTONIC);
}
// CPU time of the calling thread only: preemption does not advance it.
inline std::uint64_t thread_cpu_ns() {
    return clock_ns(CLOCK_THREAD_CPUTIME_ID);
}
inline std::uint64_t realtime_ns() {
    return clock_ns(CLOCK_REALTIME);
}

}  // namespace lab
