// WAIT and POST over every model (issue 14; Models/Wait.NAME/MODEL): a WAIT ends with another
// client's POST, with its timeout (ERR 408, the connection goes on) or with its client leaving
// (then no POST counts it); at most 1000 wait at once. No database. Only relations and orders
// of magnitude are asserted about time, and every wait is bounded.
#include <gtest/gtest.h>

#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "counters.hpp"
#include "server_counters.hpp"
#include "server_process.hpp"
#include "trace_spans.hpp"

namespace labtest {
namespace {

const std::string kTimedOut = "ERR 408 no POST before the timeout";
const std::string kTooMany = "ERR 503 too many waiters (1000)";

// POSTs key=value until the POST wakes someone (a POST with nobody waiting yet is not kept)
// and returns how many it woke; 0 if nobody waited within the timeout.
std::size_t post_until_woken(Client& poster, const std::string& key, const std::string& value,
                             Millis timeout = 10s) {
    auto deadline = Clock::now() + timeout;
    while (Clock::now() < deadline) {
        auto reply = poster.request("POST " + key + " " + value);
        if (!reply || reply->rfind("OK ", 0) != 0) {
            ADD_FAILURE() << "POST reply: " << reply.value_or("<none>");
            return 0;
        }
        std::size_t woken = std::stoul(reply->substr(3));
        if (woken > 0) return woken;
        std::this_thread::sleep_for(10ms);
    }
    return 0;
}

std::string http_request(const std::string& target) {
    return "GET " + target + " HTTP/1.1\r\nHost: lab\r\n\r\n";
}

// Reads one HTTP response: its status line, and its head and body joined by a blank line.
std::optional<std::pair<std::string, std::string>> read_http(Client& c, Millis timeout = 10s) {
    std::string status;
    std::string head;
    std::size_t length = 0;
    while (true) {
        auto line = c.read_line(timeout);
        if (!line) return std::nullopt;
        if (!line->empty() && line->back() == '\r') line->pop_back();
        if (line->empty()) break;
        if (status.empty()) {
            status = *line;
            continue;
        }
        head += *line + "\n";
        if (line->rfind("Content-Length: ", 0) == 0) length = std::stoul(line->substr(16));
    }
    auto body = c.read_exact(length, timeout);
    if (!body) return std::nullopt;
    return std::make_pair(status, head + "\n" + *body);
}

using Wait = ModelTest;

TEST_P(Wait, BadRequestsKeepTheConnection) {
    ASSERT_NO_FATAL_FAILURE(start());
    Client c = connect();
    EXPECT_EQ(c.request("WAIT k"), "ERR 400 WAIT takes a key and a number: key timeout_ms");
    EXPECT_EQ(c.request("WAIT k 60001"), "ERR 422 timeout_ms over 60000");
    EXPECT_EQ(c.request("WAIT a.b 1"), "ERR 400 bad key: use 1 to 64 of A-Z a-z 0-9 _ -");
    EXPECT_EQ(c.request("WAIT k x"), "ERR 400 bad number");
    EXPECT_EQ(c.request("POST k"), "ERR 400 POST takes a key and a value");
    EXPECT_EQ(c.request("POST k a.b"), "ERR 400 bad value: use 1 to 64 of A-Z a-z 0-9 _ -");
    EXPECT_EQ(c.request("POST " + std::string(65, 'k') + " v"),
              "ERR 400 bad key: use 1 to 64 of A-Z a-z 0-9 _ -");
    // Nobody waits: the POST wakes nobody and is not kept for a later WAIT.
    EXPECT_EQ(c.request("POST k v"), "OK 0");
    EXPECT_EQ(c.request("post k v"), "OK 0");
    EXPECT_EQ(c.request("WAIT k 0"), kTimedOut);
    EXPECT_EQ(c.request("PING"), "OK PONG");
}

// A WAIT ends with another client's POST on its key, which says how many it woke.
TEST_P(Wait, PostWakesTheWaiter) {
    ASSERT_NO_FATAL_FAILURE(start());
    Client a = connect();
    if (sequential()) {
        // One client at a time: nobody can POST while A waits, so its WAIT can only time out;
        // the POST of the next client finds nobody waiting.
        EXPECT_EQ(a.request("WAIT k 200", 10s), kTimedOut);
        Client b = connect();
        EXPECT_EQ(a.request("QUIT"), "OK BYE");
        a.close();
        EXPECT_EQ(b.request("POST k v", 10s), "OK 0");
        return;
    }
    Client b = connect();
    ASSERT_TRUE(a.send_all("wait Key1 20000\n"));  // the command word in any case
    // Keys are case-sensitive: a POST to key1 is not for A.
    EXPECT_EQ(b.request("POST key1 nope"), "OK 0");
    EXPECT_EQ(post_until_woken(b, "Key1", "hello-1"), 1u);
    EXPECT_EQ(a.read_line(5s), "OK hello-1");
    // A's connection goes on: another WAIT, ended by a POST from a third client.
    EXPECT_EQ(a.request("PING"), "OK PONG");
    // Requests pipelined after a WAIT (more than a connection's buffer holds) are answered
    // after its reply, in order.
    std::string pipelined = "WAIT Key1 20000\n";
    for (int i = 0; i < 1000; ++i)
        pipelined += "ECHO " + std::to_string(i) + "\n";
    ASSERT_TRUE(a.send_all(pipelined));
    Client c = connect();
    EXPECT_EQ(post_until_woken(c, "Key1", "second"), 1u);
    EXPECT_EQ(a.read_line(5s), "OK second");
    for (int i = 0; i < 1000; ++i) {
        ASSERT_EQ(a.read_line(5s), "OK " + std::to_string(i)) << "pipelined request " << i;
    }
    EXPECT_EQ(b.request("POST Key1 late"), "OK 0") << "a POST wakes a waiter once";
    EXPECT_EQ(a.request("PING"), "OK PONG");
}

// A POST wakes every client waiting on its key at that moment, and none on other keys.
TEST_P(Wait, PostWakesEveryWaiterOnItsKey) {
    if (sequential()) GTEST_SKIP() << "sequential serves one client at a time: one waiter";
    ASSERT_NO_FATAL_FAILURE(start());
    Counters counters(server());
    constexpr std::size_t kWaiters = 5;
    std::uint64_t before = counters.requests();
    std::vector<Client> waiters;
    for (std::size_t i = 0; i < kWaiters; ++i) {
        waiters.push_back(connect());
        ASSERT_TRUE(waiters.back().send_all("WAIT many 20000\n"));
    }
    Client other = connect();
    ASSERT_TRUE(other.send_all("WAIT other 20000\n"));
    ASSERT_TRUE(counters.wait_requests(before + kWaiters + 1)) << "the WAITs were not all begun";
    // Normally one POST wakes all five; should a waiter not be on the board yet, a later POST
    // wakes it. Each POST's count must match the waiters that got its value.
    Client poster = connect();
    std::map<std::string, std::size_t> counted;  // value -> the count its POST replied
    std::size_t woken = 0;
    for (int round = 0; woken < kWaiters && round < 500; ++round) {
        std::string value = "v";
        value += std::to_string(round);  // (not "v" + ...: GCC 12's bogus -Wrestrict)
        auto reply = poster.request("POST many " + value);
        ASSERT_TRUE(reply && reply->rfind("OK ", 0) == 0) << reply.value_or("<none>");
        std::size_t n = std::stoul(reply->substr(3));
        if (n > 0) counted[value] = n;
        woken += n;
        if (woken < kWaiters) std::this_thread::sleep_for(10ms);
    }
    EXPECT_EQ(woken, kWaiters);
    EXPECT_LE(counted.size(), 2u) << "the waiters were on the board long before the POST";
    std::map<std::string, std::size_t> received;
    for (std::size_t i = 0; i < kWaiters; ++i) {
        auto reply = waiters[i].read_line(5s);
        ASSERT_TRUE(reply && reply->rfind("OK v", 0) == 0) << reply.value_or("<none>");
        ++received[reply->substr(3)];
        EXPECT_EQ(waiters[i].request("PING"), "OK PONG");
    }
    EXPECT_EQ(received, counted);
    EXPECT_EQ(poster.request("POST many again"), "OK 0") << "the woken are no longer waiting";
    // The waiter on the other key heard none of it.
    other.pump();
    EXPECT_EQ(other.buffered(), 0u);
    EXPECT_EQ(poster.request("POST other x"), "OK 1");
    EXPECT_EQ(other.read_line(5s), "OK x");
}

TEST_P(Wait, TimeoutIs408AndTheConnectionGoesOn) {
    ASSERT_NO_FATAL_FAILURE(start());
    Client c = connect();
    auto began = Clock::now();
    EXPECT_EQ(c.request("WAIT k 300", 10s), kTimedOut);
    double waited = seconds_since(began);
    EXPECT_GE(waited, 0.25) << "the 408 came before the timeout";
    EXPECT_LT(waited, 5.0);
    EXPECT_EQ(c.request("PING"), "OK PONG");
    EXPECT_EQ(c.request("WAIT k 0"), kTimedOut);
    EXPECT_EQ(c.request("ECHO on"), "OK on");
    if (!sequential()) {
        // After a timeout, a WAIT on the same connection is woken by a POST as usual.
        ASSERT_TRUE(c.send_all("WAIT k 20000\n"));
        Client poster = connect();
        EXPECT_EQ(post_until_woken(poster, "k", "after"), 1u);
        EXPECT_EQ(c.read_line(5s), "OK after");
    }
    c.close();  // (sequential serves the next client only then)
    // HTTP: a 408 that keeps the connection, then the next requests on it.
    Client h = connect();
    ASSERT_TRUE(h.send_all(http_request("/wait?key=k&timeout_ms=100")));
    auto r = read_http(h);
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->first, "HTTP/1.1 408 Request Timeout");
    EXPECT_EQ(r->second.find("Connection: close"), std::string::npos) << r->second;
    EXPECT_EQ(r->second.substr(r->second.find("\n\n") + 2), "no POST before the timeout");
    ASSERT_TRUE(h.send_all(http_request("/post?key=k&value=v")));
    r = read_http(h);
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->first, "HTTP/1.1 200 OK");
    EXPECT_EQ(r->second.substr(r->second.find("\n\n") + 2), "0");
    ASSERT_TRUE(h.send_all(http_request("/wait?timeout_ms=5")));
    r = read_http(h);
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->first, "HTTP/1.1 400 Bad Request") << "a key left out";
}

// HTTP: /wait ended by /post from another connection.
TEST_P(Wait, HttpWaitAndPost) {
    if (sequential()) GTEST_SKIP() << "sequential serves one client at a time: one waiter";
    ASSERT_NO_FATAL_FAILURE(start());
    Client a = connect();
    Client b = connect();
    ASSERT_TRUE(a.send_all(http_request("/wait?key=web&timeout_ms=20000")));
    std::optional<std::pair<std::string, std::string>> posted;
    auto deadline = Clock::now() + 10s;
    while (Clock::now() < deadline) {
        ASSERT_TRUE(b.send_all(http_request("/post?key=web&value=hi")));
        posted = read_http(b);
        ASSERT_TRUE(posted.has_value());
        if (posted->second.substr(posted->second.find("\n\n") + 2) != "0") break;
        std::this_thread::sleep_for(10ms);
    }
    ASSERT_TRUE(posted.has_value());
    EXPECT_EQ(posted->second.substr(posted->second.find("\n\n") + 2), "1");
    auto r = read_http(a);
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->first, "HTTP/1.1 200 OK");
    EXPECT_EQ(r->second.substr(r->second.find("\n\n") + 2), "hi");
}

// A waiter whose client leaves (closes, resets, or shuts down its side) is taken off: the next
// POST does not count it. The blocking models look at a waiter's socket every 50 ms.
TEST_P(Wait, WaiterWhoseClientLeavesIsNotCounted) {
    ASSERT_NO_FATAL_FAILURE(start());
    Counters counters(server());
    // PipelineThenClose: 5000 bytes of requests after the WAIT, more than a connection's
    // buffer holds (an event loop then stops reading the socket), then a close.
    enum class Leave { Close, Reset, ShutdownWrite, PipelineThenClose };
    for (Leave how : {Leave::Close, Leave::Reset, Leave::ShutdownWrite, Leave::PipelineThenClose}) {
        std::string key = "gone" + std::to_string(static_cast<int>(how));
        SCOPED_TRACE(key);
        ASSERT_TRUE(eventually([&] { return counters.active() == 0; }, 5s))
            << "the clients of the round before are still served";
        // A live waiter on the same key (not for sequential: it serves one client at a time).
        std::optional<Client> live;
        std::uint64_t before = counters.requests();
        if (!sequential()) {
            live.emplace(connect());
            ASSERT_TRUE(live->send_all("WAIT " + key + " 20000\n"));
        }
        Client leaving = connect();
        std::string sent = "WAIT " + key + " 30000\n";
        if (how == Leave::PipelineThenClose) {
            for (int i = 0; i < 1000; ++i)
                sent += "PING\n";
        }
        ASSERT_TRUE(leaving.send_all(sent));
        ASSERT_TRUE(counters.wait_requests(before + (sequential() ? 1 : 2)));
        ASSERT_TRUE(eventually([&] { return counters.active() == (sequential() ? 1u : 2u); }, 5s));
        switch (how) {
            case Leave::Close:
            case Leave::PipelineThenClose:
                leaving.close();
                break;
            case Leave::Reset:
                leaving.set_linger_zero();
                leaving.close();
                break;
            case Leave::ShutdownWrite:
                leaving.shutdown_write();
                EXPECT_TRUE(leaving.expect_eof(5s)) << "the server did not close its side";
                leaving.close();
                break;
        }
        // The server notices within a bounded time and closes that connection.
        EXPECT_TRUE(eventually([&] { return counters.active() == (sequential() ? 0u : 1u); }, 5s))
            << "connections_active " << counters.active();
        Client poster = connect();
        auto began = Clock::now();
        EXPECT_EQ(poster.request("POST " + key + " v", 10s), sequential() ? "OK 0" : "OK 1");
        EXPECT_LT(seconds_since(began), 10.0) << "long before the leaving waiter's 30 s";
        if (live) {
            EXPECT_EQ(live->read_line(5s), "OK v");
        }
    }
}

// At most 1000 clients wait at once; the next WAIT is ERR 503 and its connection stays open.
// Four models only (1000 connections each): one with a thread per client, the readiness loop
// that keeps its connections in the kernel, the completion loop, and the coroutines, whose
// waiters park on the board through a Parking of their own instead of an EventConnection.
TEST_P(Wait, TheThousandAndFirstWaiterIs503) {
    if (model() != "threads" && model() != "epoll" && model() != "uring" &&
        model() != "coroutines") {
        GTEST_SKIP() << "run for threads, epoll, uring and coroutines only (1000 connections)";
    }
    ASSERT_NO_FATAL_FAILURE(start({"--max-clients", "2000"}));
    constexpr std::size_t kWaiters = 1000;
    std::vector<Client> waiters;
    waiters.reserve(kWaiters);
    for (std::size_t i = 0; i < kWaiters; ++i) {
        waiters.push_back(connect());
        ASSERT_TRUE(waiters.back().connected()) << "client " << i;
        ASSERT_TRUE(waiters.back().send_all("WAIT full 30000\n"));
    }
    // "WAIT probe 0" takes a place and gives it back at once (408) while there is one.
    Client probe = connect();
    std::optional<std::string> reply;
    auto deadline = Clock::now() + 30s;
    while (Clock::now() < deadline) {
        reply = probe.request("WAIT probe 0", 10s);
        if (reply != kTimedOut) break;
        std::this_thread::sleep_for(20ms);
    }
    EXPECT_EQ(reply, kTooMany);
    EXPECT_EQ(probe.request("PING"), "OK PONG") << "the 503 keeps the connection";
    EXPECT_EQ(probe.request("POST full all"), "OK " + std::to_string(kWaiters));
    std::size_t answered = 0;
    auto until = Clock::now() + 30s;
    std::vector<bool> seen(kWaiters, false);
    while (answered < kWaiters && pump_any(waiters, until)) {
        for (std::size_t i = 0; i < kWaiters; ++i) {
            if (seen[i]) continue;
            if (auto line = waiters[i].take_line()) {
                EXPECT_EQ(*line, "OK all") << "waiter " << i;
                seen[i] = true;
                ++answered;
            }
        }
    }
    EXPECT_EQ(answered, kWaiters);
    EXPECT_EQ(probe.request("WAIT probe 0"), kTimedOut) << "the places are free again";
}

// --trace shows a WAIT as a "peer" span: on the thread that blocked in it (the blocking models,
// which count it in blocking_ns.peer), or as a wait that no thread sits in (the event loops,
// which park the connection and count nothing).
TEST_P(Wait, TraceShowsTheWaitAsAPeerSpan) {
    std::string trace_path = unique_shm_path("wait-trace") + ".json";
    ASSERT_NO_FATAL_FAILURE(start({"--trace", trace_path}));
    constexpr std::uint64_t kTimeoutMs = 300;
    Client a = connect();
    std::uint64_t peer_ns = 0;
    {
        // Sequential: nobody can POST while A waits, so the WAIT times out; the others: B's
        // POST ends it.
        Counters counters(server());
        if (sequential()) {
            EXPECT_EQ(a.request("WAIT traced " + std::to_string(kTimeoutMs), 10s), kTimedOut);
        } else {
            Client b = connect();
            ASSERT_TRUE(a.send_all("WAIT traced 20000\n"));
            ASSERT_TRUE(counters.wait_requests(1));
            std::this_thread::sleep_for(std::chrono::milliseconds(kTimeoutMs));
            EXPECT_EQ(post_until_woken(b, "traced", "v"), 1u);
            EXPECT_EQ(a.read_line(5s), "OK v");
        }
        EXPECT_EQ(a.request("QUIT"), "OK BYE");
        Client s = connect();
        auto stats = stats_of(s);
        ASSERT_TRUE(stats && stats->is_object());
        peer_ns = (*stats)["blocking_ns"]["peer"].get<std::uint64_t>();
    }
    ASSERT_EQ(server().stop(), 0);
    auto spans = longest_spans(trace_path);
    ASSERT_TRUE(spans.has_value()) << "no trace, or not JSON: " << trace_path;
    const double longest_thread_us = (*spans)["peer"].thread_us;
    const double longest_parked_us = (*spans)["peer"].parked_us;
    // The WAIT lasted at least kTimeoutMs (its timeout, or the sleep before the POST): its
    // span must too, within a generous margin below (clocks read at slightly different points).
    const double at_least_us = kTimeoutMs * 1000 * 0.8;
    if (peer_ns > 0) {
        EXPECT_GE(peer_ns, kTimeoutMs * 1'000'000 * 8 / 10) << "blocking_ns.peer is short";
        EXPECT_GE(longest_thread_us, at_least_us)
            << "a model that counts blocking_ns.peer has no thread's peer span as long as the WAIT";
        EXPECT_EQ(longest_parked_us, 0.0)
            << "a thread blocked in the WAIT, yet it is traced as parked";
    } else {
        EXPECT_GE(longest_parked_us, at_least_us)
            << "a model that blocks no thread in WAIT has no parked peer wait as long as the WAIT";
        EXPECT_EQ(longest_thread_us, 0.0)
            << "no thread was counted blocked, yet one has a peer span";
    }
}

INSTANTIATE_TEST_SUITE_P(Models, Wait, testing::ValuesIn(model_variants()), model_test_name);

}  // namespace
}  // namespace labtest
