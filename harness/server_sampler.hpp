// Reading a spawned server while it runs: its counter block at one moment (read_block), and
// its whole process tree in the background, every interval, for the time series and the
// peaks (ServerSampler). What these readings become is server_window.hpp's business.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "counters.hpp"
#include "server_window.hpp"

namespace lab {

inline constexpr std::size_t kMaxTimeseries = 10'000;            // samples kept per run
inline constexpr std::uint64_t kMaxSampleGapNs = 1'000'000'000;  // a sample at least this often

// The counter block now (relaxed loads: each counter is independent; the queue's seqlock is
// read with read_queue). Any thread may call it.
BlockReading read_block(const StatsBlock& block);

// Samples the server's process tree in the background, every interval (longer when a sample
// itself takes long: with thousands of tasks, walking /proc is not free), until stop(). Keeps
// at most kMaxTimeseries samples; a sample whose tree could not be read is dropped. Does not
// own `block`, which must outlive it. samples() and own_cpu_ns() may be called from any
// thread.
class ServerSampler {
  public:
    ServerSampler(pid_t pid, const StatsBlock& block, std::uint16_t port,
                  std::uint64_t interval_ns);
    ~ServerSampler();  // stops
    ServerSampler(const ServerSampler&) = delete;
    ServerSampler& operator=(const ServerSampler&) = delete;

    void stop();  // waits for a sample under way to finish
    std::vector<Sample> samples();
    std::uint64_t own_cpu_ns();  // the sampler thread's CPU time, all samples together

  private:
    void loop();
    std::optional<Sample> take();  // one sample; nullopt if the tree could not be read

    pid_t pid_;
    const StatsBlock& block_;
    std::uint16_t port_;
    std::uint64_t interval_ns_;
    std::mutex mutex_;
    bool stopping_ = false;         // guarded by mutex_
    std::vector<Sample> samples_;   // guarded by mutex_
    std::uint64_t own_cpu_ns_ = 0;  // guarded by mutex_
    std::thread thread_;            // last: starts after every other member is made
};

}  // namespace lab
