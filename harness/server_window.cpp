// See server_window.hpp. The arithmetic of the window, one figure or one family of figures per
// function; results/SCHEMA.md says for each where it comes from and what it misses.
#include "server_window.hpp"

#include <algorithm>
#include <unordered_map>

namespace lab {
namespace {

using nlohmann::json;

// end − start as a double: a counter read by two sources may step back by a little.
double delta(std::uint64_t end, std::uint64_t start) {
    return static_cast<double>(end) - static_cast<double>(start);
}

// The Δ of one rusage figure over the three sources of a spawned server's CPU and switches:
// the live tasks (/proc, `tree`), and the tasks that ended inside the window, from the
// block's exited-threads and reaped-children sums (their /proc entries are gone by the end).
template <typename TreeField, typename RusageField>
double three_sources(const EdgeReading& start, const EdgeReading& end, TreeField tree,
                     RusageField rusage) {
    return delta(end.tree.*tree, start.tree.*tree) +
           delta(end.block.exited_threads.*rusage, start.block.exited_threads.*rusage) +
           delta(end.block.children.*rusage, start.block.children.*rusage);
}

// CPU time of the tasks that ended inside the window, in ns (the block's sums, in µs).
double ended_cpu_ns(const EdgeReading& start, const EdgeReading& end) {
    const Rusage& t0 = start.block.exited_threads;
    const Rusage& t1 = end.block.exited_threads;
    const Rusage& c0 = start.block.children;
    const Rusage& c1 = end.block.children;
    return (delta(t1.user_us, t0.user_us) + delta(c1.user_us, c0.user_us) +
            delta(t1.system_us, t0.system_us) + delta(c1.system_us, c0.system_us)) *
           1e3;
}

// Run-queue time only of tasks alive at the end (from 0 if they began in the window): a task
// that ended has no source for it, and subtracting its start value alone would make the
// figure negative.
double runqueue_ns(const TreeSample& start, const TreeSample& end) {
    std::unordered_map<pid_t, std::uint64_t> at_start(start.runqueue_by_task.begin(),
                                                      start.runqueue_by_task.end());
    double sum = 0;
    for (const auto& [tid, at_end] : end.runqueue_by_task) {
        auto found = at_start.find(tid);
        std::uint64_t at_begin = found == at_start.end() ? 0 : found->second;
        sum += delta(at_end, std::min(at_begin, at_end));
    }
    return sum;
}

// Task-time alive in the window: the thread count integrated over the samples strictly inside
// it (trapezoids from the start edge, through each sample, to the end edge).
double alive_ns(const TreeSample& start, const TreeSample& end, const std::vector<Sample>& samples,
                Window window) {
    double alive = 0;
    const TreeSample* previous = &start;
    for (const Sample& s : samples) {
        if (s.tree.mono_ns <= window.start_ns || s.tree.mono_ns >= window.end_ns()) continue;
        alive += delta(s.tree.mono_ns, previous->mono_ns) *
                 static_cast<double>(previous->threads + s.tree.threads) / 2;
        previous = &s.tree;
    }
    alive += delta(end.mono_ns, previous->mono_ns) *
             static_cast<double>(previous->threads + end.threads) / 2;
    return alive;
}

// The peaks over the samples inside the window (edges included) and the window's edges. The
// edges have no PSS and no accept queue (the sampler reads those): without a sample inside
// the window those two stay unknown.
void add_peaks(SpawnedWindow& w, const TreeSample& start, const TreeSample& end,
               const std::vector<Sample>& samples, Window window) {
    w.peak_threads = std::max(start.threads, end.threads);
    w.peak_kernel_threads = std::max(start.kernel_threads, end.kernel_threads);
    w.peak_processes = std::max(start.processes, end.processes);
    w.peak_rss_kb = std::max(start.rss_kb, end.rss_kb);
    w.peak_vm_kb = std::max(start.vm_kb, end.vm_kb);
    for (const Sample& s : samples) {
        if (s.tree.mono_ns < window.start_ns || s.tree.mono_ns > window.end_ns()) continue;
        w.peak_threads = std::max(w.peak_threads, s.tree.threads);
        w.peak_kernel_threads = std::max(w.peak_kernel_threads, s.tree.kernel_threads);
        w.peak_processes = std::max(w.peak_processes, s.tree.processes);
        w.peak_rss_kb = std::max(w.peak_rss_kb, s.tree.rss_kb);
        w.peak_vm_kb = std::max(w.peak_vm_kb, s.tree.vm_kb);
        w.peak_pss_kb = std::max(w.peak_pss_kb.value_or(0), s.tree.pss_kb);
        w.accept_queue_max = std::max(w.accept_queue_max.value_or(0), s.accept_queue);
    }
}

// The counter block's own figures: Δ of its counts, and its counts at both edges.
void add_block_counts(SpawnedWindow& w, const BlockReading& start, const BlockReading& end) {
    w.requests = end.requests - start.requests;
    w.connections_active = {start.connections_active, end.connections_active};
    w.connections_queued = {start.connections_queued, end.connections_queued};
    w.connections_accepted = end.connections_accepted - start.connections_accepted;
    w.connections_rejected = end.connections_rejected - start.connections_rejected;
    for (std::size_t i = 0; i < kBlockingNames.size(); ++i)
        w.blocking_ns[i] = end.blocking_ns[i] - start.blocking_ns[i];
    w.backend = backend_delta(start.backend, end.backend);
    for (std::size_t i = 0; i < std::min(start.loops.size(), end.loops.size()); ++i) {
        w.loops.push_back({end.loops[i].connections_accepted - start.loops[i].connections_accepted,
                           end.loops[i].requests - start.loops[i].requests});
    }
}

// The number at `pointer` in a STATS reply, if it is one.
std::optional<double> number_at(const json& reply, const char* pointer) {
    json::json_pointer where(pointer);
    if (!reply.contains(where) || !reply.at(where).is_number()) return std::nullopt;
    return reply.at(where).get<double>();
}

// The Δ of one rusage figure summed over the server's main process, its reaped children and
// its live workers (prefork publishes each worker's rusage; a reaped worker moves from
// `workers` to `children`). A part either reply lacks counts as zero (a server without
// `workers` is an older one).
double rusage_delta(const json& before, const json& after, const char* key) {
    double sum = 0;
    for (const char* who : {"self", "children", "workers"}) {
        std::string pointer = std::string("/rusage/") + who + "/" + key;
        auto b = number_at(before, pointer.c_str());
        auto a = number_at(after, pointer.c_str());
        if (a && b) sum += *a - *b;
    }
    return sum;
}

// STATS' `backend` object ({queries, failures, query_ns, pool_wait_ns}), or nullopt if the
// reply lacks it or any of its counts.
std::optional<BackendCounts> backend_of(const json& reply) {
    const char* names[] = {"queries", "failures", "query_ns", "pool_wait_ns"};
    std::uint64_t values[4] = {};
    for (std::size_t i = 0; i < 4; ++i) {
        json::json_pointer where(std::string("/backend/") + names[i]);
        if (!reply.contains(where) || !reply.at(where).is_number_integer() ||
            reply.at(where).get<std::int64_t>() < 0) {
            return std::nullopt;
        }
        values[i] = reply.at(where).get<std::uint64_t>();
    }
    return BackendCounts{values[0], values[1], values[2], values[3]};
}

}  // namespace

BackendCounts backend_delta(const BackendCounts& start, const BackendCounts& end) {
    return {end.queries - start.queries, end.failures - start.failures,
            end.query_ns - start.query_ns, end.pool_wait_ns - start.pool_wait_ns};
}

SpawnedWindow account_spawned_window(const EdgeReading& start, const EdgeReading& end,
                                     const std::vector<Sample>& samples, Window window) {
    SpawnedWindow w;
    add_block_counts(w, start.block, end.block);
    w.cpu_user_s = three_sources(start, end, &TreeSample::user_us, &Rusage::user_us) / 1e6;
    w.cpu_system_s = three_sources(start, end, &TreeSample::system_us, &Rusage::system_us) / 1e6;
    w.voluntary_ctx_switches = three_sources(start, end, &TreeSample::voluntary_ctx_switches,
                                             &Rusage::voluntary_ctx_switches);
    w.involuntary_ctx_switches = three_sources(start, end, &TreeSample::involuntary_ctx_switches,
                                               &Rusage::involuntary_ctx_switches);
    w.oncpu_ns = delta(end.tree.oncpu_ns, start.tree.oncpu_ns) + ended_cpu_ns(start, end);
    w.runqueue_ns = runqueue_ns(start.tree, end.tree);
    double alive = alive_ns(start.tree, end.tree, samples, window);
    w.blocked_ns = std::max(0.0, alive - w.oncpu_ns - w.runqueue_ns);
    add_peaks(w, start.tree, end.tree, samples, window);
    return w;
}

std::optional<StatsWindow> account_stats_window(const json& before, const json& after) {
    for (const char* key :
         {"/requests", "/rusage/self/user_s", "/rusage/self/system_s",
          "/rusage/self/voluntary_ctx_switches", "/rusage/self/involuntary_ctx_switches"}) {
        if (!number_at(before, key) || !number_at(after, key)) return std::nullopt;
    }
    StatsWindow w;
    w.requests =
        after.at("requests").get<std::uint64_t>() - before.at("requests").get<std::uint64_t>();
    w.cpu_user_s = rusage_delta(before, after, "user_s");
    w.cpu_system_s = rusage_delta(before, after, "system_s");
    w.voluntary_ctx_switches = rusage_delta(before, after, "voluntary_ctx_switches");
    w.involuntary_ctx_switches = rusage_delta(before, after, "involuntary_ctx_switches");
    for (std::size_t i = 0; i < kBlockingNames.size(); ++i) {
        json::json_pointer where("/blocking_ns/" + std::string(kBlockingNames[i]));
        bool known = before.contains(where) && before.at(where).is_number_unsigned() &&
                     after.contains(where) && after.at(where).is_number_unsigned();
        if (known) {
            w.blocking_ns[i] =
                after.at(where).get<std::uint64_t>() - before.at(where).get<std::uint64_t>();
        }
    }
    auto backend_before = backend_of(before);
    auto backend_after = backend_of(after);
    if (backend_before && backend_after) w.backend = backend_delta(*backend_before, *backend_after);
    return w;
}

PerRequest per_request(const SpawnedWindow& w) {
    if (w.requests == 0) return {.blocked_us = 0.0};
    double n = static_cast<double>(w.requests);
    // CPU from schedstat (ns), not from utime/stime, which the kernel reports in clock ticks
    // (10 ms): too coarse for a few hundred requests.
    return {.cpu_us = w.oncpu_ns / 1e9 * 1e6 / n,
            .voluntary_ctx_switches = w.voluntary_ctx_switches / n,
            .involuntary_ctx_switches = w.involuntary_ctx_switches / n,
            .blocked_us = w.blocked_ns / 1e3 / n};
}

PerRequest per_request(const StatsWindow& w) {
    if (w.requests == 0) return {};
    double n = static_cast<double>(w.requests);
    return {.cpu_us = (w.cpu_user_s + w.cpu_system_s) * 1e6 / n,
            .voluntary_ctx_switches = w.voluntary_ctx_switches / n,
            .involuntary_ctx_switches = w.involuntary_ctx_switches / n,
            .blocked_us = std::nullopt};
}

std::vector<SeriesPoint> time_series(const std::vector<Sample>& samples,
                                     std::uint64_t window_start_ns) {
    std::vector<SeriesPoint> series;
    if (samples.empty()) return series;
    const Sample& first = samples.front();
    auto voluntary = [](const Sample& s) {
        return static_cast<double>(s.tree.voluntary_ctx_switches + s.ended_voluntary);
    };
    auto involuntary = [](const Sample& s) {
        return static_cast<double>(s.tree.involuntary_ctx_switches + s.ended_involuntary);
    };
    // A thread adds its totals to the exited-threads sum just before it ends, so a sample
    // taken in between counts it twice for a moment; the running maximum keeps the
    // cumulative series from stepping back when that passes.
    double running_voluntary = 0;
    double running_involuntary = 0;
    for (const Sample& s : samples) {
        running_voluntary = std::max(running_voluntary, voluntary(s) - voluntary(first));
        running_involuntary = std::max(running_involuntary, involuntary(s) - involuntary(first));
        series.push_back({.t_s = delta(s.tree.mono_ns, window_start_ns) / 1e9,
                          .requests = s.requests - first.requests,
                          .connections_active = s.connections_active,
                          .connections_queued = s.connections_queued,
                          .threads = s.tree.threads,
                          .processes = s.tree.processes,
                          .rss_kb = s.tree.rss_kb,
                          .voluntary_ctx_switches = running_voluntary,
                          .involuntary_ctx_switches = running_involuntary,
                          .accept_queue = s.accept_queue});
    }
    return series;
}

}  // namespace lab
