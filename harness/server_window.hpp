// The server's figures over one measured window, as pure functions of readings taken at the
// window's edges (and, for a spawned server, of the samples taken between them). Nothing here
// reads a clock, /proc, shared memory or a socket: the readers are in server_sampler.hpp and
// the run targets, and tests/server_window_test.cpp hands these functions made-up readings.
// Every figure is a field of results/SCHEMA.md, which says its source and what it misses.
#pragma once

#include <array>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <vector>

#include "counters.hpp"
#include "proc_sampler.hpp"

namespace lab {

// QUERY's counts in the counter block (backend_queries, backend_failures, backend_query_ns,
// backend_pool_wait_ns): at one moment, or their Δ over the window.
struct BackendCounts {
    std::uint64_t queries = 0;       // answered by the database
    std::uint64_t failures = 0;      // ERR 503 backend unavailable instead
    std::uint64_t query_ns = 0;      // sum of each query's time from sending it to its answer
    std::uint64_t pool_wait_ns = 0;  // sum of each query's wait for a free pool connection
};

// The Δ of each count (end − start).
BackendCounts backend_delta(const BackendCounts& start, const BackendCounts& end);

// One event loop's counts in the counter block (select, poll, epoll, libevent, uring,
// coroutines: one loop; epoll --loops N: each loop's), at one moment or their Δ over the window.
struct LoopCounts {
    std::uint64_t connections_accepted = 0;  // clients the loop took in
    std::uint64_t requests = 0;              // request lines it decoded
};

// What a spawned server's counter block says at one moment (read_block, server_sampler.hpp).
struct BlockReading {
    std::uint64_t requests = 0;
    std::uint64_t errors = 0;
    std::uint64_t connections_active = 0;
    std::uint64_t connections_accepted = 0;
    std::uint64_t connections_rejected = 0;
    std::uint64_t connections_queued = 0;  // waiting in a pool's queue (threadpool)
    // Waits still in progress are in blocking_ns[queue] too (read_queue), so that a connection
    // that waits all run long counts in every window it spans.
    std::array<std::uint64_t, kBlockingNames.size()> blocking_ns{};
    BackendCounts backend;
    std::vector<LoopCounts> loops;  // one per event loop (loop_count), none for other models
    Rusage exited_threads;          // the block's sum over threads that have ended
    Rusage children;                // the block's sum over reaped child processes
};

// One edge of the window of a spawned server: its process tree (with each task's run-queue
// time: sample_tree's per_task) and its counter block, read one right after the other.
struct EdgeReading {
    TreeSample tree;
    BlockReading block;
};

// One sample of a spawned server between the edges (ServerSampler, server_sampler.hpp).
struct Sample {
    TreeSample tree;  // with memory (PSS), without per-task run-queue times
    std::uint64_t requests = 0;
    std::uint64_t connections_active = 0;  // being served (counter block)
    std::uint64_t connections_queued = 0;  // waiting in a pool's queue (counter block)
    std::uint64_t accept_queue = 0;
    // Context switches of tasks that have ended (the block's exited-thread and child sums):
    // added to the live tasks' counts, they make a series that never drops when tasks exit.
    std::uint64_t ended_voluntary = 0;
    std::uint64_t ended_involuntary = 0;
};

// The measured window on CLOCK_MONOTONIC: [start_ns, start_ns + length_ns].
struct Window {
    std::uint64_t start_ns = 0;
    std::uint64_t length_ns = 0;
    std::uint64_t end_ns() const { return start_ns + length_ns; }
};

// A count read at both edges of the window.
struct AtEdges {
    std::uint64_t window_start = 0;
    std::uint64_t window_end = 0;
};

// A spawned server's figures over the window (results/SCHEMA.md, `server`). Counts of
// switches and times are doubles because they are sums of differences of several sources.
struct SpawnedWindow {
    std::uint64_t requests = 0;
    AtEdges connections_active;
    AtEdges connections_queued;
    std::uint64_t connections_accepted = 0;
    std::uint64_t connections_rejected = 0;
    double cpu_user_s = 0;
    double cpu_system_s = 0;
    double voluntary_ctx_switches = 0;
    double involuntary_ctx_switches = 0;
    double oncpu_ns = 0;
    double runqueue_ns = 0;
    double blocked_ns = 0;
    std::array<std::uint64_t, kBlockingNames.size()> blocking_ns{};
    BackendCounts backend;
    std::vector<LoopCounts> loops;  // each event loop's Δ: how the loops shared the work
    // Peaks over the samples inside the window and the window's two edges.
    std::uint64_t peak_threads = 0;
    std::uint64_t peak_kernel_threads = 0;  // of peak_threads' kind: io_uring's kernel workers
    std::uint64_t peak_processes = 0;
    std::uint64_t peak_rss_kb = 0;
    std::uint64_t peak_vm_kb = 0;
    // Read by the sampler only, not at the edges: nullopt when no sample fell inside the
    // window (a short window on a busy machine), where 0 would claim a measurement.
    std::optional<std::uint64_t> peak_pss_kb;
    std::optional<std::uint64_t> accept_queue_max;
};

// The figures of a spawned server over `window`, from the readings at its edges and the
// samples (in time order; those outside the window are skipped). Tasks alive at an edge are
// in the tree readings; tasks that ended inside the window are in the block's sums.
SpawnedWindow account_spawned_window(const EdgeReading& start, const EdgeReading& end,
                                     const std::vector<Sample>& samples, Window window);

// A server's figures over the window from its STATS replies at the two edges (--connect):
// all STATS gives that the harness records.
struct StatsWindow {
    std::uint64_t requests = 0;
    // Δ of rusage.self + rusage.children + rusage.workers (shared/PROTOCOL.md, STATS).
    double cpu_user_s = 0;
    double cpu_system_s = 0;
    double voluntary_ctx_switches = 0;
    double involuntary_ctx_switches = 0;
    // nullopt for a kind that either reply lacks (a server that is not ours).
    std::array<std::optional<std::uint64_t>, kBlockingNames.size()> blocking_ns{};
    // nullopt when either reply lacks `backend` or one of its four counts (an older server).
    std::optional<BackendCounts> backend;
};

// The figures between two STATS replies (the JSON after "OK "). nullopt if either reply
// lacks `requests` or a `rusage.self` with the four numbers, which every lab-server sends.
// A rusage part (`children`, `workers`) that either reply lacks counts as zero.
std::optional<StatsWindow> account_stats_window(const nlohmann::json& before,
                                                const nlohmann::json& after);

// Server figures divided by the server's requests in the window (results/SCHEMA.md,
// `per_request`); all 0 when it served none.
struct PerRequest {
    double cpu_us = 0;
    double voluntary_ctx_switches = 0;
    double involuntary_ctx_switches = 0;
    std::optional<double> blocked_us;  // nullopt: the source has no blocked time (STATS)
};

// CPU from oncpu_ns (schedstat), blocked time from blocked_ns.
PerRequest per_request(const SpawnedWindow& w);
// CPU from user + system (rusage); no blocked time: STATS has no source for it.
PerRequest per_request(const StatsWindow& w);

// One point of the run's time series (results/SCHEMA.md, `timeseries`).
struct SeriesPoint {
    double t_s = 0;              // s from the window's start; negative in the warm-up
    std::uint64_t requests = 0;  // since the first sample
    std::uint64_t connections_active = 0;
    std::uint64_t connections_queued = 0;
    std::uint64_t threads = 0;
    std::uint64_t processes = 0;
    std::uint64_t rss_kb = 0;
    double voluntary_ctx_switches = 0;  // since the first sample, live and ended tasks
    double involuntary_ctx_switches = 0;
    std::uint64_t accept_queue = 0;
};

// Every sample as a point of the time series, from the window's start `window_start_ns`.
std::vector<SeriesPoint> time_series(const std::vector<Sample>& samples,
                                     std::uint64_t window_start_ns);

}  // namespace lab
