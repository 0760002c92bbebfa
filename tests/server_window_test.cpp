// The window's server accounting (harness/server_window.hpp) and the JSON it becomes
// (harness/run_json.hpp), from hand-made readings: no server, no /proc, no clock. Each figure
// is checked against the sum a reader of results/SCHEMA.md would work out by hand from the
// same readings, including the paths where a figure cannot be known and must be null.
#include <gtest/gtest.h>

#include <cstdint>
#include <nlohmann/json.hpp>
#include <vector>

#include "run_json.hpp"
#include "server_window.hpp"

namespace {

using lab::EdgeReading;
using lab::Sample;
using lab::TreeSample;
using lab::Window;
using nlohmann::json;

constexpr std::uint64_t kSecond = 1'000'000'000;
// The window of every spawned case: 10 s to 12 s on the monotonic clock.
constexpr Window kWindow{10 * kSecond, 2 * kSecond};

std::size_t kind(lab::Blocking b) {
    return static_cast<std::size_t>(b);
}

// A tree of `threads` tasks in one process at `mono_ns`, all other figures 0.
TreeSample tree_at(std::uint64_t mono_ns, std::uint64_t threads) {
    TreeSample t;
    t.mono_ns = mono_ns;
    t.threads = threads;
    t.processes = 1;
    return t;
}

// Edges of the window with `threads` tasks at each and nothing else happening.
EdgeReading edge(std::uint64_t mono_ns, std::uint64_t threads) {
    return {tree_at(mono_ns, threads), {}};
}

Sample sample_at(std::uint64_t mono_ns, std::uint64_t threads) {
    Sample s;
    s.tree = tree_at(mono_ns, threads);
    return s;
}

// ----- CPU and context switches: live tasks, ended threads, reaped children -----

TEST(SpawnedWindow, CpuAndSwitchesAddTheLiveTasksAndTheEndedOnes) {
    EdgeReading a = edge(kWindow.start_ns, 3);
    EdgeReading b = edge(kWindow.end_ns(), 3);
    a.tree.user_us = 1'000'000;
    b.tree.user_us = 1'300'000;  // live tasks: 0.3 s
    a.block.exited_threads.user_us = 50'000;
    b.block.exited_threads.user_us = 150'000;  // threads that ended: 0.1 s
    a.block.children.user_us = 0;
    b.block.children.user_us = 200'000;  // reaped children: 0.2 s
    b.tree.system_us = 40'000;
    b.block.children.system_us = 10'000;
    a.tree.voluntary_ctx_switches = 100;
    b.tree.voluntary_ctx_switches = 160;
    b.block.exited_threads.voluntary_ctx_switches = 7;
    b.block.children.voluntary_ctx_switches = 3;
    b.tree.involuntary_ctx_switches = 5;
    b.block.children.involuntary_ctx_switches = 1;

    lab::SpawnedWindow w = lab::account_spawned_window(a, b, {}, kWindow);
    EXPECT_DOUBLE_EQ(w.cpu_user_s, 0.6);
    EXPECT_DOUBLE_EQ(w.cpu_system_s, 0.05);
    EXPECT_DOUBLE_EQ(w.voluntary_ctx_switches, 70);
    EXPECT_DOUBLE_EQ(w.involuntary_ctx_switches, 6);
}

TEST(SpawnedWindow, OnCpuTimeIsSchedstatOfLiveTasksPlusTheEndedTasksCpu) {
    EdgeReading a = edge(kWindow.start_ns, 2);
    EdgeReading b = edge(kWindow.end_ns(), 2);
    a.tree.oncpu_ns = 5'000'000;
    b.tree.oncpu_ns = 8'000'000;                 // live: 3 ms
    b.block.exited_threads.user_us = 400;        // ended threads: 0.4 ms
    b.block.exited_threads.system_us = 100;      // + 0.1 ms
    a.block.children.system_us = 1'000;          // reaped before the window: not counted
    b.block.children.system_us = 1'000 + 1'500;  // reaped inside: 1.5 ms
    lab::SpawnedWindow w = lab::account_spawned_window(a, b, {}, kWindow);
    EXPECT_DOUBLE_EQ(w.oncpu_ns, 3e6 + 0.4e6 + 0.1e6 + 1.5e6);
}

// ----- Run-queue time: only tasks alive at the end -----

TEST(SpawnedWindow, RunQueueTimeCountsOnlyTasksAliveAtTheEnd) {
    EdgeReading a = edge(kWindow.start_ns, 3);
    EdgeReading b = edge(kWindow.end_ns(), 3);
    a.tree.runqueue_by_task = {{101, 1'000}, {102, 5'000}, {103, 9'000}};
    // 101 ran on (+500), 102 ended (no source: left out), 104 began in the window (from 0),
    // 103's reading went backwards (a recycled id): it adds nothing rather than a negative.
    b.tree.runqueue_by_task = {{101, 1'500}, {103, 2'000}, {104, 700}};
    lab::SpawnedWindow w = lab::account_spawned_window(a, b, {}, kWindow);
    EXPECT_DOUBLE_EQ(w.runqueue_ns, 500 + 700 + 0);
}

// ----- Blocked time: task-time alive, minus on a CPU, minus waiting for one -----

TEST(SpawnedWindow, BlockedTimeIsTheThreadCountIntegratedLessCpuAndRunQueue) {
    // 4 threads all window long (2 s): 8 s of task-time; 1 s on a CPU, 0.5 s in the run queue.
    EdgeReading a = edge(kWindow.start_ns, 4);
    EdgeReading b = edge(kWindow.end_ns(), 4);
    a.tree.oncpu_ns = 0;
    b.tree.oncpu_ns = kSecond;
    a.tree.runqueue_by_task = {{1, 0}};
    b.tree.runqueue_by_task = {{1, kSecond / 2}};
    std::vector<Sample> samples = {sample_at(kWindow.start_ns + kSecond, 4)};
    lab::SpawnedWindow w = lab::account_spawned_window(a, b, samples, kWindow);
    EXPECT_DOUBLE_EQ(w.blocked_ns, 8e9 - 1e9 - 0.5e9);
}

TEST(SpawnedWindow, ThreadCountIsIntegratedByTrapezoidsOverTheSamplesInsideTheWindow) {
    // 2 threads at the start, 6 at 11 s, 2 again at the end: (2+6)/2 + (6+2)/2 = 8 task-s.
    // The samples outside the window (the warm-up, after the end) change nothing.
    EdgeReading a = edge(kWindow.start_ns, 2);
    EdgeReading b = edge(kWindow.end_ns(), 2);
    std::vector<Sample> samples = {sample_at(kWindow.start_ns - kSecond, 100),
                                   sample_at(kWindow.start_ns + kSecond, 6),
                                   sample_at(kWindow.end_ns() + kSecond, 100)};
    lab::SpawnedWindow w = lab::account_spawned_window(a, b, samples, kWindow);
    EXPECT_DOUBLE_EQ(w.blocked_ns, 8e9);
}

TEST(SpawnedWindow, BlockedTimeNeverGoesNegative) {
    // More CPU than task-time (a task that lived between samples): 0, not a negative time.
    EdgeReading a = edge(kWindow.start_ns, 1);
    EdgeReading b = edge(kWindow.end_ns(), 1);
    b.tree.oncpu_ns = 5 * kSecond;
    lab::SpawnedWindow w = lab::account_spawned_window(a, b, {}, kWindow);
    EXPECT_EQ(w.blocked_ns, 0.0);
}

// ----- The counter block's own figures -----

TEST(SpawnedWindow, CounterBlockFiguresAreDeltasAndEdgeCounts) {
    EdgeReading a = edge(kWindow.start_ns, 1);
    EdgeReading b = edge(kWindow.end_ns(), 1);
    a.block.requests = 1'000;
    b.block.requests = 1'750;
    a.block.connections_accepted = 10;
    b.block.connections_accepted = 14;
    a.block.connections_rejected = 2;
    b.block.connections_rejected = 3;
    a.block.connections_active = 8;
    b.block.connections_active = 6;
    a.block.connections_queued = 1;
    b.block.connections_queued = 4;
    a.block.blocking_ns[kind(lab::Blocking::Read)] = 100;
    b.block.blocking_ns[kind(lab::Blocking::Read)] = 350;
    b.block.blocking_ns[kind(lab::Blocking::Queue)] = 2 * kSecond;
    lab::SpawnedWindow w = lab::account_spawned_window(a, b, {}, kWindow);
    EXPECT_EQ(w.requests, 750u);
    EXPECT_EQ(w.connections_accepted, 4u);
    EXPECT_EQ(w.connections_rejected, 1u);
    EXPECT_EQ(w.connections_active.window_start, 8u);
    EXPECT_EQ(w.connections_active.window_end, 6u);
    EXPECT_EQ(w.connections_queued.window_start, 1u);
    EXPECT_EQ(w.connections_queued.window_end, 4u);
    EXPECT_EQ(w.blocking_ns[kind(lab::Blocking::Read)], 250u);
    EXPECT_EQ(w.blocking_ns[kind(lab::Blocking::Queue)], 2 * kSecond);
    EXPECT_EQ(w.blocking_ns[kind(lab::Blocking::Accept)], 0u);
}

// QUERY's counts (issue 14): Δ of each over the window, and the kinds of blocking the database
// and WAIT add, in the run's JSON as results/SCHEMA.md names them.
TEST(SpawnedWindow, BackendCountsAndTheirBlockingKindsAreDeltas) {
    EdgeReading a = edge(kWindow.start_ns, 1);
    EdgeReading b = edge(kWindow.end_ns(), 1);
    a.block.backend = {1'000, 3, 5 * kSecond, kSecond};
    b.block.backend = {4'200, 10, 21 * kSecond, 4 * kSecond};
    a.block.blocking_ns[kind(lab::Blocking::Backend)] = kSecond;
    b.block.blocking_ns[kind(lab::Blocking::Backend)] = 17 * kSecond;
    b.block.blocking_ns[kind(lab::Blocking::Pool)] = 3 * kSecond;
    a.block.blocking_ns[kind(lab::Blocking::Peer)] = 100;
    b.block.blocking_ns[kind(lab::Blocking::Peer)] = 600;
    lab::SpawnedWindow w = lab::account_spawned_window(a, b, {}, kWindow);
    EXPECT_EQ(w.backend.queries, 3'200u);
    EXPECT_EQ(w.backend.failures, 7u);
    EXPECT_EQ(w.backend.query_ns, 16 * kSecond);
    EXPECT_EQ(w.backend.pool_wait_ns, 3 * kSecond);
    json server = lab::server_json(w);
    EXPECT_EQ(server.at("backend"), json({{"queries", 3'200},
                                          {"failures", 7},
                                          {"query_ns", 16 * kSecond},
                                          {"pool_wait_ns", 3 * kSecond}}));
    EXPECT_EQ(server.at("blocking_ns").at("backend"), 16 * kSecond);
    EXPECT_EQ(server.at("blocking_ns").at("pool"), 3 * kSecond);
    EXPECT_EQ(server.at("blocking_ns").at("peer"), 500u);
}

// Each event loop's own counts (issue 16, epoll --loops N): Δ per loop, in loop order; none
// for a model without a loop.
TEST(SpawnedWindow, EachLoopsCountsAreDeltas) {
    EdgeReading a = edge(kWindow.start_ns, 2);
    EdgeReading b = edge(kWindow.end_ns(), 2);
    a.block.loops = {{10, 1'000}, {4, 300}};
    b.block.loops = {{12, 1'900}, {9, 2'300}};
    lab::SpawnedWindow w = lab::account_spawned_window(a, b, {}, kWindow);
    ASSERT_EQ(w.loops.size(), 2u);
    EXPECT_EQ(w.loops[0].connections_accepted, 2u);
    EXPECT_EQ(w.loops[0].requests, 900u);
    EXPECT_EQ(w.loops[1].connections_accepted, 5u);
    EXPECT_EQ(w.loops[1].requests, 2'000u);
    json server = lab::server_json(w);
    EXPECT_EQ(server.at("loops"), json::parse(R"([{"connections_accepted": 2, "requests": 900},
                                                  {"connections_accepted": 5, "requests": 2000}])"));
    lab::SpawnedWindow none = lab::account_spawned_window(edge(kWindow.start_ns, 2),
                                                          edge(kWindow.end_ns(), 2), {}, kWindow);
    EXPECT_EQ(lab::server_json(none).at("loops"), json::array()) << "a model without a loop";
}

// ----- Peaks -----

TEST(SpawnedWindow, PeaksTakeTheEdgesAndTheSamplesInsideTheWindow) {
    EdgeReading a = edge(kWindow.start_ns, 3);
    EdgeReading b = edge(kWindow.end_ns(), 9);
    a.tree.rss_kb = 5'000;
    b.tree.vm_kb = 70'000;
    Sample inside = sample_at(kWindow.start_ns + kSecond, 5);
    inside.tree.processes = 4;
    inside.tree.rss_kb = 4'000;
    inside.tree.pss_kb = 3'000;
    inside.tree.vm_kb = 80'000;
    inside.accept_queue = 12;
    Sample before = sample_at(kWindow.start_ns - 1, 50);  // warm-up: not a peak of the window
    before.tree.pss_kb = 99'000;
    before.accept_queue = 99;
    lab::SpawnedWindow w = lab::account_spawned_window(a, b, {before, inside}, kWindow);
    EXPECT_EQ(w.peak_threads, 9u);
    EXPECT_EQ(w.peak_processes, 4u);
    EXPECT_EQ(w.peak_rss_kb, 5'000u);
    EXPECT_EQ(w.peak_vm_kb, 80'000u);
    EXPECT_EQ(w.peak_pss_kb, std::optional<std::uint64_t>(3'000));
    EXPECT_EQ(w.accept_queue_max, std::optional<std::uint64_t>(12));
}

// The edges read no PSS and no accept queue: with no sample inside the window those two are
// unknown (null), where they used to stay at 0.
TEST(SpawnedWindow, PssAndAcceptQueueAreUnknownWithoutASampleInsideTheWindow) {
    EdgeReading a = edge(kWindow.start_ns, 3);
    EdgeReading b = edge(kWindow.end_ns(), 3);
    a.tree.rss_kb = b.tree.rss_kb = 4'000;
    Sample warmup = sample_at(kWindow.start_ns - kSecond / 2, 3);
    warmup.tree.pss_kb = 2'000;
    warmup.accept_queue = 5;
    lab::SpawnedWindow w = lab::account_spawned_window(a, b, {warmup}, kWindow);
    EXPECT_EQ(w.peak_pss_kb, std::nullopt);
    EXPECT_EQ(w.accept_queue_max, std::nullopt);
    EXPECT_EQ(w.peak_rss_kb, 4'000u) << "the edges still give RSS";
    json server = lab::server_json(w);
    EXPECT_TRUE(server.at("peak_pss_kb").is_null()) << server.dump();
    EXPECT_TRUE(server.at("accept_queue_max").is_null()) << server.dump();
    EXPECT_EQ(server.at("peak_rss_kb"), 4'000);
}

// A sample exactly at an edge is inside the window.
TEST(SpawnedWindow, ASampleOnTheWindowsEdgeCountsForThePeaks) {
    Sample on_edge = sample_at(kWindow.end_ns(), 3);
    on_edge.tree.pss_kb = 1'234;
    on_edge.accept_queue = 0;
    lab::SpawnedWindow w = lab::account_spawned_window(
        edge(kWindow.start_ns, 3), edge(kWindow.end_ns(), 3), {on_edge}, kWindow);
    EXPECT_EQ(w.peak_pss_kb, std::optional<std::uint64_t>(1'234));
    EXPECT_EQ(w.accept_queue_max, std::optional<std::uint64_t>(0)) << "sampled: a real 0";
}

// ----- Per request -----

TEST(PerRequest, SpawnedDividesOnCpuSwitchesAndBlockedTimeByTheServersRequests) {
    lab::SpawnedWindow w;
    w.requests = 500;
    w.oncpu_ns = 10e6;  // 10 ms
    w.cpu_user_s = 1;   // utime/stime: not what cpu_us uses (ticks are too coarse)
    w.voluntary_ctx_switches = 1'000;
    w.involuntary_ctx_switches = 50;
    w.blocked_ns = 2e9;
    lab::PerRequest p = lab::per_request(w);
    EXPECT_DOUBLE_EQ(p.cpu_us, 20);
    EXPECT_DOUBLE_EQ(p.voluntary_ctx_switches, 2);
    EXPECT_DOUBLE_EQ(p.involuntary_ctx_switches, 0.1);
    ASSERT_TRUE(p.blocked_us.has_value());
    EXPECT_DOUBLE_EQ(*p.blocked_us, 4'000);
}

TEST(PerRequest, NoRequestsGiveZerosNotADivisionByZero) {
    lab::SpawnedWindow w;
    w.oncpu_ns = 10e6;
    w.blocked_ns = 1e9;
    lab::PerRequest p = lab::per_request(w);
    EXPECT_EQ(p.cpu_us, 0.0);
    EXPECT_EQ(p.blocked_us, std::optional<double>(0.0));
}

// ----- STATS (--connect) -----

// A STATS reply's JSON with the given requests, self rusage and blocking_ns.read.
json stats_reply(std::uint64_t requests, double user_s, double voluntary, std::uint64_t read_ns) {
    json rusage = {{"user_s", user_s},
                   {"system_s", user_s / 2},
                   {"voluntary_ctx_switches", voluntary},
                   {"involuntary_ctx_switches", 1},
                   {"max_rss_kb", 4'000}};
    json blocking = json::object();
    for (const char* name : lab::kBlockingNames)
        blocking[name] = std::uint64_t{0};
    blocking["read"] = read_ns;
    return {{"requests", requests},
            {"rusage", {{"self", rusage}, {"children", rusage}, {"workers", rusage}}},
            {"blocking_ns", blocking}};
}

TEST(StatsWindow, SumsSelfChildrenAndWorkersAndTakesTheBlockDeltas) {
    json before = stats_reply(100, 1.0, 10, 1'000);
    json after = stats_reply(300, 1.5, 30, 4'000);
    after["rusage"]["children"]["user_s"] = 1.25;  // children 0.25, workers 0.5, self 0.5
    auto w = lab::account_stats_window(before, after);
    ASSERT_TRUE(w.has_value());
    EXPECT_EQ(w->requests, 200u);
    EXPECT_DOUBLE_EQ(w->cpu_user_s, 0.5 + 0.25 + 0.5);
    EXPECT_DOUBLE_EQ(w->cpu_system_s, 3 * 0.25);
    EXPECT_DOUBLE_EQ(w->voluntary_ctx_switches, 3 * 20.0);
    EXPECT_DOUBLE_EQ(w->involuntary_ctx_switches, 0);
    EXPECT_EQ(w->blocking_ns[kind(lab::Blocking::Read)], std::optional<std::uint64_t>(3'000));
    EXPECT_EQ(w->blocking_ns[kind(lab::Blocking::Queue)], std::optional<std::uint64_t>(0));
}

TEST(StatsWindow, APartOfRusageEitherReplyLacksCountsAsZero) {
    json before = stats_reply(0, 1.0, 10, 0);
    json after = stats_reply(10, 2.0, 20, 0);
    before["rusage"].erase("workers");  // an older server
    after["rusage"].erase("workers");
    after["rusage"].erase("children");
    auto w = lab::account_stats_window(before, after);
    ASSERT_TRUE(w.has_value());
    EXPECT_DOUBLE_EQ(w->cpu_user_s, 1.0) << "self only";
}

TEST(StatsWindow, AKindOfBlockingEitherReplyLacksIsUnknown) {
    json before = stats_reply(0, 1.0, 10, 0);
    json after = stats_reply(10, 2.0, 20, 500);
    before["blocking_ns"].erase("lock");
    auto w = lab::account_stats_window(before, after);
    ASSERT_TRUE(w.has_value());
    EXPECT_EQ(w->blocking_ns[kind(lab::Blocking::Lock)], std::nullopt);
    EXPECT_EQ(w->blocking_ns[kind(lab::Blocking::Read)], std::optional<std::uint64_t>(500));
    json server = lab::server_json(*w);
    EXPECT_TRUE(server.at("blocking_ns").at("lock").is_null()) << server.dump();
    EXPECT_EQ(server.at("blocking_ns").at("read"), 500);
}

TEST(StatsWindow, BackendIsTheDeltaOfStatsBackendAndNullWhenEitherLacksIt) {
    json before = stats_reply(0, 1.0, 10, 0);
    json after = stats_reply(10, 2.0, 20, 0);
    before["backend"] = {{"queries", 10}, {"failures", 1}, {"query_ns", 50}, {"pool_wait_ns", 5}};
    after["backend"] = {{"queries", 25}, {"failures", 4}, {"query_ns", 130}, {"pool_wait_ns", 9}};
    after["blocking_ns"]["peer"] = std::uint64_t{700};
    auto w = lab::account_stats_window(before, after);
    ASSERT_TRUE(w.has_value());
    ASSERT_TRUE(w->backend.has_value());
    EXPECT_EQ(w->backend->queries, 15u);
    EXPECT_EQ(w->backend->failures, 3u);
    EXPECT_EQ(w->backend->query_ns, 80u);
    EXPECT_EQ(w->backend->pool_wait_ns, 4u);
    EXPECT_EQ(w->blocking_ns[kind(lab::Blocking::Peer)], std::optional<std::uint64_t>(700));
    EXPECT_EQ(lab::server_json(*w).at("backend").at("queries"), 15);

    // An older server's STATS has no `backend` (or lacks a count): not known, so null.
    json older = before;
    older["backend"].erase("pool_wait_ns");
    auto w2 = lab::account_stats_window(older, after);
    ASSERT_TRUE(w2.has_value());
    EXPECT_EQ(w2->backend, std::nullopt);
    EXPECT_TRUE(lab::server_json(*w2).at("backend").is_null());
}

TEST(StatsWindow, AReplyWithoutRequestsOrOwnRusageGivesNoFigures) {
    json good = stats_reply(10, 1.0, 10, 0);
    json no_requests = good;
    no_requests.erase("requests");
    json no_self = good;
    no_self["rusage"].erase("self");
    json not_stats = json::object();
    EXPECT_FALSE(lab::account_stats_window(no_requests, good).has_value());
    EXPECT_FALSE(lab::account_stats_window(good, no_self).has_value());
    EXPECT_FALSE(lab::account_stats_window(not_stats, not_stats).has_value());
}

// The defect this split exposed: with --connect, blocked_us was a sum never added to, so it
// read 0. STATS has no blocked time: the figure is unknown, and written as null.
TEST(StatsWindow, PerRequestHasNoBlockedTimeAndWritesNull) {
    auto w = lab::account_stats_window(stats_reply(0, 1.0, 0, 0), stats_reply(400, 1.2, 800, 0));
    ASSERT_TRUE(w.has_value());
    lab::PerRequest p = lab::per_request(*w);
    EXPECT_NEAR(p.cpu_us, (0.2 + 0.1) * 3 * 1e6 / 400, 1e-9);
    EXPECT_DOUBLE_EQ(p.voluntary_ctx_switches, 3 * 800.0 / 400);
    EXPECT_EQ(p.blocked_us, std::nullopt);
    json j = lab::per_request_json(p);
    ASSERT_TRUE(j.contains("blocked_us"));
    EXPECT_TRUE(j.at("blocked_us").is_null()) << j.dump();
    EXPECT_TRUE(j.at("cpu_us").is_number()) << j.dump();
}

// ----- The time series -----

TEST(TimeSeries, CountsFromTheFirstSampleAndNeverStepsBack) {
    std::vector<Sample> samples(3);
    samples[0] = sample_at(kWindow.start_ns - kSecond / 2, 2);
    samples[0].requests = 1'000;
    samples[0].tree.voluntary_ctx_switches = 100;
    samples[1] = sample_at(kWindow.start_ns + kSecond / 2, 3);
    samples[1].requests = 1'400;
    samples[1].tree.voluntary_ctx_switches = 150;
    samples[1].ended_voluntary = 40;  // an ending thread, counted twice for a moment
    samples[2] = sample_at(kWindow.start_ns + kSecond, 2);
    samples[2].requests = 1'900;
    samples[2].tree.voluntary_ctx_switches = 120;  // the ended thread left the live tasks
    samples[2].ended_voluntary = 40;
    std::vector<lab::SeriesPoint> series = lab::time_series(samples, kWindow.start_ns);
    ASSERT_EQ(series.size(), 3u);
    EXPECT_DOUBLE_EQ(series[0].t_s, -0.5);
    EXPECT_DOUBLE_EQ(series[1].t_s, 0.5);
    EXPECT_EQ(series[0].requests, 0u);
    EXPECT_EQ(series[2].requests, 900u);
    EXPECT_DOUBLE_EQ(series[0].voluntary_ctx_switches, 0);
    EXPECT_DOUBLE_EQ(series[1].voluntary_ctx_switches, 90);
    EXPECT_DOUBLE_EQ(series[2].voluntary_ctx_switches, 90) << "60 now, but never below 90";
    EXPECT_EQ(series[1].threads, 3u);
    EXPECT_TRUE(lab::time_series({}, kWindow.start_ns).empty());
}

}  // namespace
