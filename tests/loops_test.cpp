// One event loop per core (issue 16): epoll --loops N, each loop a thread of its own, the
// clients shared out by the kernel (--accept reuseport: a listening socket per loop) or by an
// accepting thread (--accept dispatch). The suites of every model run against "epoll --loops 2"
// in both ways too (model_variants in server_process.hpp); these are the tests of what only
// several loops have: a stalled loop and where its clients wait, the INCR table's lock taken
// again, POSTs that wake waiters on another loop, each loop's share in STATS, the flags. Test
// names end in the model's name (EpollLoops.NAME_epoll). Only relations are asserted about time,
// with wide margins, and every wait is bounded.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "accept_queue.hpp"
#include "counters.hpp"
#include "loop_group.hpp"
#include "server_counters.hpp"
#include "server_process.hpp"

namespace labtest {
namespace {

using nlohmann::json;

// lab-server --model epoll --loops N (--accept ACCEPT) plus `extra`.
std::unique_ptr<ServerProcess> start_loops(std::size_t loops, const std::string& accept,
                                           std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {"--model", "epoll", "--loops", std::to_string(loops)};
    if (!accept.empty()) args.insert(args.end(), {"--accept", accept});
    args.insert(args.end(), extra.begin(), extra.end());
    auto server = std::make_unique<ServerProcess>(args);
    EXPECT_TRUE(server->started()) << server->start_error();
    return server;
}

// ---------------------------------------------------------------------------------------
// A stalled loop (the Cloudflare story: "Why does one NGINX worker take all the load?")

// The CPU one client's WORK burns in its loop: the most WORK may ask, a second, so that every
// relation below has a wide margin on a busy machine (a PING takes well under a millisecond).
constexpr std::uint64_t kStallUs = 1'000'000;
// New clients that connect during the stall at most; they stop sooner, once two wait for the
// stalled loop and the other took two in (with reuseport, by the kernel's hash, both are all but
// certain long before 40; with dispatch, after four).
constexpr std::size_t kMostNewClients = 40;

// Two loops; a client on one of them (the stalled loop, S) sends a WORK that burns a second of
// CPU in S's thread, while the other loop (O) is idle. Then S's other client (the neighbour), a
// client of O (the sibling) and new clients each send a PING. What each mode shows:
//   - in both, S's own clients wait: the neighbour's PONG comes only after the WORK's reply,
//     and the sibling's long before it: O serves on, whatever S does;
//   - reuseport: a new client whose connection the kernel hashed to S's socket waits in S's
//     accept queue (the kernel has completed its connect; nobody accepts it), and O cannot take
//     it: exactly those are answered after the stall, the others at once;
//   - dispatch: the accepting thread is never stalled: it accepts every new client at once
//     (the accept queue stays empty), and hands every other one to S, in whose inbox it waits
//     until the stall ends. Again exactly those are answered late.
// RecordProperty keeps the figures (ms since the WORK began, counts) for lab 8.
void stalled_loop_story(const std::string& accept) {
    const bool dispatch = accept == "dispatch";
    auto server = start_loops(2, accept);
    ASSERT_TRUE(server->started());
    Counters counters(*server);

    // Clients one by one until one loop (S) has two, and the other (O) one.
    std::array<std::vector<Client>, 2> on;
    for (int i = 0; i < 64; ++i) {
        Client c = Client(server->port());
        int loop = counters.loop_of(c, 2);
        ASSERT_GE(loop, 0) << "a PING was not answered";
        on[static_cast<std::size_t>(loop)].push_back(std::move(c));
        if ((on[0].size() >= 2 && !on[1].empty()) || (on[1].size() >= 2 && !on[0].empty())) break;
    }
    const std::size_t S = on[0].size() >= 2 && !on[1].empty() ? 0 : 1;
    const std::size_t O = 1 - S;
    ASSERT_GE(on[S].size(), 2u) << "64 clients, and no loop had two while the other had one";
    ASSERT_GE(on[O].size(), 1u);
    std::vector<Client> clients;  // 0: the staller, 1: the neighbour (S), 2: the sibling (O)
    clients.push_back(std::move(on[S][0]));
    clients.push_back(std::move(on[S][1]));
    clients.push_back(std::move(on[O][0]));

    // The stall begins: S's thread burns the WORK's CPU.
    std::uint64_t began = counters.loop_requests(S);
    auto t0 = Clock::now();
    ASSERT_TRUE(clients[0].send_all("WORK " + std::to_string(kStallUs) + " 0 1\n"));
    ASSERT_TRUE(eventually([&] { return counters.loop_requests(S) > began; }, 5s))
        << "the WORK was never begun";
    ASSERT_TRUE(clients[1].send_all("PING\n"));
    ASSERT_TRUE(clients[2].send_all("PING\n"));

    // New clients connect and send a PING, until two wait for S and O took two in.
    const std::uint64_t s_before = counters.loop_accepted(S);
    const std::uint64_t o_before = counters.loop_accepted(O);
    // Clients waiting for a loop to take them in (STATS' connections_waiting): in the accept
    // queue of its own socket (reuseport), or handed to it and waiting in its inbox (dispatch).
    auto waiting = [&](std::size_t loop) {
        return lab::loop_connections_waiting(*counters.block(), loop);
    };
    auto in_accept_queue = [&] { return lab::accept_queue_length(server->port()); };
    auto in_inboxes = [&] {
        // The loops' counts first: a loop counts a client after the server did.
        std::uint64_t taken_in = counters.loop_accepted(0) + counters.loop_accepted(1);
        return counters.accepted() - taken_in;
    };
    std::vector<Clock::time_point> connected_at(3, t0);
    while (clients.size() - 3 < kMostNewClients &&
           !(waiting(S) >= 2 && counters.loop_accepted(O) - o_before >= 2)) {
        Client c(server->port());
        ASSERT_TRUE(c.connected());
        connected_at.push_back(Clock::now());
        ASSERT_TRUE(c.send_all("PING\n"));
        clients.push_back(std::move(c));
        // Each one in its place before the next: taken in by O, or waiting for S.
        eventually(
            [&] { return counters.loop_accepted(O) - o_before + waiting(S) >= clients.size() - 3; },
            1s);
    }
    const std::size_t new_clients = clients.size() - 3;

    // Every reply, and when it came (seconds since the WORK was sent), as they come.
    std::vector<double> at(clients.size(), -1);
    std::vector<std::string> reply(clients.size());
    auto take_replies = [&] {
        double now = seconds_since(t0);
        for (std::size_t i = 0; i < clients.size(); ++i) {
            if (at[i] >= 0) continue;
            if (auto line = clients[i].take_line()) {
                at[i] = now;
                reply[i] = *line;
            }
        }
    };
    auto new_answered = [&] {
        return static_cast<std::size_t>(
            std::count_if(at.begin() + 3, at.end(), [](double t) { return t >= 0; }));
    };

    // While S still burns: once the idle loop has answered every new client it took in, each
    // other one waits for S, in the accept queue (reuseport) or in S's inbox (dispatch).
    auto settled = [&] {
        std::size_t answered = new_answered();
        return answered == counters.loop_accepted(O) - o_before && waiting(O) == 0 &&
               answered + waiting(S) == new_clients && (!dispatch || in_accept_queue() == 0);
    };
    bool in_place = false;
    for (auto until = Clock::now() + 5s; at[0] < 0 && Clock::now() < until;) {
        if ((in_place = settled())) break;
        pump_any(clients, Clock::now() + 10ms);
        take_replies();
    }
    const bool still_stalled = at[0] < 0;
    const double snapshot_s = seconds_since(t0);
    const std::uint64_t waiting_for_s = waiting(S);
    const std::uint64_t queued = in_accept_queue();
    const std::uint64_t inboxes = in_inboxes();
    const std::uint64_t s_took_during_stall = counters.loop_accepted(S) - s_before;

    // The rest of the replies.
    auto missing = [&] { return std::count(at.begin(), at.end(), -1.0) > 0; };
    for (auto deadline = Clock::now() + 30s; missing() && Clock::now() < deadline;) {
        if (!pump_any(clients, deadline)) break;
        take_replies();
    }
    ASSERT_FALSE(missing()) << "not every client was answered within 30 s";
    EXPECT_EQ(reply[0], "OK 1");
    for (std::size_t i = 1; i < clients.size(); ++i)
        EXPECT_EQ(reply[i], "OK PONG") << "client " << i;
    const double stall_s = at[0];
    const std::uint64_t s_new = counters.loop_accepted(S) - s_before;
    const std::uint64_t o_new = counters.loop_accepted(O) - o_before;
    std::size_t early = 0;
    double early_max_s = 0;
    double late_min_s = 1e9;
    for (std::size_t i = 3; i < clients.size(); ++i) {
        double latency = at[i] - std::chrono::duration<double>(connected_at[i] - t0).count();
        if (at[i] < stall_s) {
            ++early;
            early_max_s = std::max(early_max_s, latency);
        } else {
            late_min_s = std::min(late_min_s, latency);
        }
    }
    const std::size_t late = new_clients - early;
    testing::Test::RecordProperty("stall_ms", static_cast<int>(stall_s * 1000));
    testing::Test::RecordProperty("neighbour_ms", static_cast<int>(at[1] * 1000));
    testing::Test::RecordProperty("sibling_ms", static_cast<int>(at[2] * 1000));
    testing::Test::RecordProperty("new_clients", static_cast<int>(new_clients));
    testing::Test::RecordProperty("new_on_stalled_loop", static_cast<int>(s_new));
    testing::Test::RecordProperty("new_on_other_loop", static_cast<int>(o_new));
    testing::Test::RecordProperty("answered_during_stall", static_cast<int>(early));
    testing::Test::RecordProperty("early_max_latency_ms", static_cast<int>(early_max_s * 1000));
    if (late > 0)
        testing::Test::RecordProperty("late_min_latency_ms", static_cast<int>(late_min_s * 1000));
    testing::Test::RecordProperty("waiting_for_stalled_loop", static_cast<int>(waiting_for_s));
    testing::Test::RecordProperty("in_accept_queue_during_stall", static_cast<int>(queued));
    testing::Test::RecordProperty("in_inbox_during_stall", static_cast<int>(inboxes));
    testing::Test::RecordProperty("snapshot_ms", static_cast<int>(snapshot_s * 1000));

    // A second of CPU takes at least a second.
    EXPECT_GE(stall_s, 0.9) << "the WORK's second of CPU was cut short";
    // S's own clients wait; the other loop's do not.
    EXPECT_GE(at[1], stall_s) << "the stalled loop answered its other client mid-WORK";
    EXPECT_LT(at[2], stall_s) << "the idle loop's client waited for the other loop's WORK";
    // Both loops got new clients, and exactly those of S were answered after the stall.
    EXPECT_EQ(s_new + o_new, new_clients) << "every new client was taken in by one loop";
    EXPECT_GE(s_new, 1u) << "no new client went to the stalled loop";
    EXPECT_GE(o_new, 1u) << "no new client went to the idle loop";
    EXPECT_EQ(late, s_new) << "the clients answered after the stall are the stalled loop's";
    EXPECT_EQ(early, o_new) << "the idle loop's new clients were answered during the stall";

    // Where they waited during the stall, looked at while S still burned.
    ASSERT_TRUE(still_stalled) << "the stall was over " << snapshot_s
                               << " s after it began, before the new clients were in place";
    EXPECT_TRUE(in_place) << "the new clients were neither answered nor waiting for S";
    EXPECT_EQ(s_took_during_stall, 0u) << "the stalled loop took a client in mid-WORK";
    EXPECT_EQ(waiting_for_s, s_new) << "S's new clients waited for S, and only they did";
    if (dispatch) {
        EXPECT_EQ(queued, 0u) << "the accepting thread left clients in the accept queue";
        EXPECT_EQ(inboxes, s_new) << "S's new clients waited in its inbox";
        EXPECT_LE(std::max(s_new, o_new) - std::min(s_new, o_new), 1u)
            << "handed out in turn: the two loops' shares differ by one at most";
    } else {
        EXPECT_EQ(inboxes, 0u) << "with reuseport no thread accepts for another";
        EXPECT_EQ(queued, s_new) << "S's new clients waited in its accept queue, and O did not "
                                    "take them";
    }
}

TEST(EpollLoops, StalledLoopKeepsItsQueuedClientsWaiting_reuseport_epoll) {
    stalled_loop_story("reuseport");
}

TEST(EpollLoops, StalledLoopKeepsItsHandedClientsWaiting_dispatch_epoll) {
    stalled_loop_story("dispatch");
}

// ---------------------------------------------------------------------------------------
// The INCR table: exact across loops, locked only when there are several

// Clients INCR the same key, pipelined, on a server of `loops` loops: the total is exact, and
// the table's lock was taken once per INCR and GET with several loops, never with one.
void incr_across_loops(std::size_t loops, const std::string& accept) {
    SCOPED_TRACE("--loops " + std::to_string(loops) + " " + accept);
    auto server = start_loops(loops, accept);
    ASSERT_TRUE(server->started());
    Counters counters(*server);
    constexpr std::size_t kIncrs = 250;
    // Clients until every loop serves two (at most 64): the kernel's hash may take a few.
    std::vector<Client> clients;
    auto every_loop_has_two = [&] {
        for (std::size_t i = 0; i < loops; ++i) {
            if (counters.loop_active(i) < 2) return false;
        }
        return true;
    };
    while (clients.size() < 64 && !every_loop_has_two()) {
        clients.emplace_back(server->port());
        ASSERT_EQ(clients.back().request("PING"), "OK PONG");
    }
    ASSERT_TRUE(every_loop_has_two()) << "64 clients, and a loop still had fewer than two";
    std::string pipeline;
    for (std::size_t i = 0; i < kIncrs; ++i)
        pipeline += "INCR shared\n";
    pipeline += "QUIT\n";
    for (Client& c : clients)
        ASSERT_TRUE(c.send_all(pipeline));
    auto transcripts = read_all_until_eof(clients, Clock::now(), 30s);
    for (std::size_t i = 0; i < clients.size(); ++i) {
        ASSERT_GE(transcripts[i].eof_at, 0.0) << "client " << i << ": no EOF within 30 s";
        EXPECT_TRUE(transcripts[i].bytes.ends_with("OK BYE\n")) << "client " << i;
    }
    const std::uint64_t incrs = clients.size() * kIncrs;
    Client c(server->port());
    EXPECT_EQ(c.request("GET shared"), "OK " + std::to_string(incrs)) << "an INCR was lost";
    auto j = stats_of(c);
    ASSERT_TRUE(j.has_value());
    const std::uint64_t locks = (*j)["table_locks"].get<std::uint64_t>();
    const std::uint64_t lock_wait_ns = (*j)["blocking_ns"]["lock"].get<std::uint64_t>();
    testing::Test::RecordProperty("table_locks_" + std::to_string(loops), static_cast<int>(locks));
    testing::Test::RecordProperty("lock_wait_us_" + std::to_string(loops),
                                  static_cast<int>(lock_wait_ns / 1000));
    if (loops == 1) {
        EXPECT_EQ(locks, 0u) << "one loop serves every client: nothing to lock against";
        EXPECT_EQ(lock_wait_ns, 0u);
    } else {
        EXPECT_EQ(locks, incrs + 1) << "every INCR and the GET took the table's lock";
    }
}

TEST(EpollLoops, IncrIsExactAndLockedOnlyWithSeveralLoops_epoll) {
    incr_across_loops(1, "");
    incr_across_loops(2, "reuseport");
    incr_across_loops(2, "dispatch");
}

// ---------------------------------------------------------------------------------------
// WAIT and POST across loops

// Waiters on both loops: one POST, made on one loop, wakes all of them and counts them all.
void post_wakes_every_loop(const std::string& accept) {
    SCOPED_TRACE(accept);
    auto server = start_loops(2, accept);
    ASSERT_TRUE(server->started());
    Counters counters(*server);
    std::vector<Client> waiters;
    while (waiters.size() < 64 && (counters.loop_active(0) < 2 || counters.loop_active(1) < 2)) {
        waiters.emplace_back(server->port());
        ASSERT_EQ(waiters.back().request("PING"), "OK PONG");
    }
    ASSERT_GE(counters.loop_active(0), 2u);
    ASSERT_GE(counters.loop_active(1), 2u);
    std::uint64_t before = counters.requests();
    for (Client& w : waiters)
        ASSERT_TRUE(w.send_all("WAIT across 20000\n"));
    ASSERT_TRUE(counters.wait_requests(before + waiters.size())) << "the WAITs were not all begun";
    Client poster(server->port());
    // Every WAIT is on the board once its request is counted, but a loop counts it a moment
    // before it parks the client: a POST that finds fewer is followed by another.
    std::size_t woken = 0;
    for (int round = 0; woken < waiters.size() && round < 100; ++round) {
        auto r = poster.request("POST across v" + std::to_string(round));
        ASSERT_TRUE(r && r->rfind("OK ", 0) == 0) << r.value_or("<none>");
        woken += std::stoul(r->substr(3));
        if (woken < waiters.size()) std::this_thread::sleep_for(10ms);
    }
    EXPECT_EQ(woken, waiters.size()) << "a POST missed the waiters of the other loop";
    for (std::size_t i = 0; i < waiters.size(); ++i) {
        auto line = waiters[i].read_line(5s);
        EXPECT_TRUE(line && line->rfind("OK v", 0) == 0)
            << "waiter " << i << ": " << line.value_or("<none>");
        EXPECT_EQ(waiters[i].request("PING"), "OK PONG") << "waiter " << i << " goes on";
    }
    EXPECT_EQ(poster.request("POST across again"), "OK 0") << "the woken wait no more";
}

TEST(EpollLoops, PostWakesTheWaitersOfEveryLoop_epoll) {
    post_wakes_every_loop("reuseport");
    post_wakes_every_loop("dispatch");
}

// ---------------------------------------------------------------------------------------
// What STATS and the process show

// STATS' `loops`: one entry per loop, whose figures add up to the server's; one for a single
// loop; none for a model without a loop.
TEST(EpollLoops, StatsShowsEachLoopsShare_epoll) {
    for (std::size_t loops : {std::size_t{1}, std::size_t{2}, std::size_t{3}}) {
        SCOPED_TRACE(loops);
        auto server = start_loops(loops, "");
        ASSERT_TRUE(server->started());
        std::vector<Client> clients;
        for (int i = 0; i < 6; ++i) {
            clients.emplace_back(server->port());
            ASSERT_EQ(clients.back().request("ECHO hi"), "OK hi");
        }
        auto j = stats_of(clients[0]);
        ASSERT_TRUE(j.has_value());
        const json& list = (*j)["loops"];
        ASSERT_TRUE(list.is_array()) << j->dump();
        ASSERT_EQ(list.size(), loops);
        std::uint64_t accepted = 0;
        std::uint64_t active = 0;
        std::uint64_t requests = 0;
        for (const json& loop : list) {
            accepted += loop["connections_accepted"].get<std::uint64_t>();
            active += loop["connections_active"].get<std::uint64_t>();
            requests += loop["requests"].get<std::uint64_t>();
        }
        EXPECT_EQ(accepted, (*j)["connections_accepted"].get<std::uint64_t>());
        EXPECT_EQ(active, (*j)["connections_active"].get<std::uint64_t>());
        EXPECT_EQ(requests, (*j)["requests"].get<std::uint64_t>());
    }
    ServerProcess threads({"--model", "threads"});
    ASSERT_TRUE(threads.started()) << threads.start_error();
    Client c(threads.port());
    auto j = stats_of(c);
    ASSERT_TRUE(j.has_value());
    EXPECT_EQ((*j)["loops"], json::array()) << "the threads model has no event loop";
}

// Each loop is a thread: --loops 2 runs two (loop 0 in the main thread), and dispatch one more
// that accepts; --loops 0 runs one per core.
TEST(EpollLoops, EachLoopIsAThread_epoll) {
    struct Case {
        std::size_t loops;
        std::string accept;
        std::uint64_t threads;
    };
    for (const Case& c : {Case{1, "", 1}, Case{1, "dispatch", 1}, Case{2, "reuseport", 2},
                          Case{2, "dispatch", 3}}) {
        SCOPED_TRACE("--loops " + std::to_string(c.loops) + " " + c.accept);
        auto server = start_loops(c.loops, c.accept);
        ASSERT_TRUE(server->started());
        Client client(server->port());
        ASSERT_EQ(client.request("PING"), "OK PONG");
        std::uint64_t threads = status_field(server->pid(), "Threads:");
#ifdef __SANITIZE_THREAD__
        // ThreadSanitizer starts a thread of its own once a process has a second thread.
        if (c.threads > 1 && threads == c.threads + 1) --threads;
#endif
        EXPECT_EQ(threads, c.threads);
    }
    auto server = start_loops(0, "");
    ASSERT_TRUE(server->started());
    Client client(server->port());
    auto j = stats_of(client);
    ASSERT_TRUE(j.has_value());
    EXPECT_EQ((*j)["loops"].size(), lab::loops_per_core()) << "--loops 0: one per core";
}

// Bad --loops and --accept: one line, exit status 2; and neither applies to another model.
TEST(EpollLoops, BadLoopsFlagsAreUsageErrors_epoll) {
    auto expect_usage_error = [](const std::vector<std::string>& args, const std::string& says) {
        RunResult r = run_server(args, 5s);
        std::string shown;
        for (const std::string& a : args)
            shown += a + " ";
        EXPECT_FALSE(r.timed_out) << shown;
        EXPECT_EQ(r.exit_status, 2) << shown << r.err;
        EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << shown << r.err;
        EXPECT_NE(r.err.find(says), std::string::npos) << shown << r.err;
        EXPECT_EQ(r.out.find("listening on"), std::string::npos) << shown << r.out;
    };
    expect_usage_error({"--model", "epoll", "--loops", "65"}, "--loops");
    expect_usage_error({"--model", "epoll", "--loops", "-1"}, "--loops");
    expect_usage_error({"--model", "epoll", "--loops", "two"}, "--loops");
    expect_usage_error({"--model", "epoll", "--accept", "steal"}, "--accept");
    expect_usage_error({"--model", "threads", "--loops", "2"}, "--loops does not apply");
    expect_usage_error({"--model", "poll", "--accept", "dispatch"}, "--accept does not apply");
    // 64 is the most, and is served.
    auto server = start_loops(64, "dispatch");
    ASSERT_TRUE(server->started());
    Client c(server->port());
    EXPECT_EQ(c.request("PING"), "OK PONG");
}

}  // namespace
}  // namespace labtest
