// The coroutines model's own cases (models/coroutines.cpp), beside the suites every model runs:
// what a client's state costs there, a coroutine frame on the heap, as STATS' `coroutines`
// counts it (shared/coro_task.hpp), and a stop that finds coroutines suspended at every kind of
// wait, whose frames the loop must destroy (under the asan preset, LeakSanitizer fails the
// server's exit status if one is left behind, AddressSanitizer if one is freed twice).
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "server_process.hpp"

namespace labtest {
namespace {

struct Frames {
    std::uint64_t alive = 0;
    std::uint64_t bytes = 0;
    std::uint64_t made = 0;
};

// STATS' `coroutines`, asked on `probe` (whose own coroutine is running then, not waiting).
std::optional<Frames> frames_of(Client& probe) {
    auto j = stats_of(probe);
    if (!j || !(*j)["coroutines"].is_object()) return std::nullopt;
    const auto& c = (*j)["coroutines"];
    return Frames{c.value("frames", std::uint64_t{0}), c.value("frame_bytes", std::uint64_t{0}),
                  c.value("frames_made", std::uint64_t{0})};
}

// An idle client, suspended in its wait for a request, holds two frames: its own coroutine's
// and the awaited receive's. Their size is the compiler's (every local of the coroutine that
// lives across an await, whichever await it is suspended at), so the test asserts only its
// order of magnitude: more than a few pointers, and far below the smallest thread stack the
// threads model accepts (--thread-stack-kb 64). When the clients leave, every frame is freed.
TEST(Coroutines, EachIdleClientHoldsTwoFramesFreedWhenItLeaves_coroutines) {
    ServerProcess server({"--model", "coroutines"});
    ASSERT_TRUE(server.started()) << server.start_error();
    Client probe(server.port());
    auto before = frames_of(probe);
    ASSERT_TRUE(before.has_value());
    constexpr std::uint64_t kClients = 50;
    std::vector<Client> idle(kClients);
    for (Client& c : idle)
        ASSERT_TRUE(c.connect(server.port()));
    std::optional<Frames> with_idle;
    EXPECT_TRUE(eventually(
        [&] {
            with_idle = frames_of(probe);
            return with_idle && with_idle->alive >= before->alive + 2 * kClients;
        },
        10s))
        << "frames " << (with_idle ? with_idle->alive : 0) << ", before " << before->alive;
    ASSERT_TRUE(with_idle.has_value());
    EXPECT_EQ(with_idle->alive, before->alive + 2 * kClients);
    EXPECT_GE(with_idle->made, before->made + 2 * kClients);
    double bytes_each = static_cast<double>(with_idle->bytes - before->bytes) / kClients;
    RecordProperty("frame_bytes_per_idle_client", static_cast<int>(bytes_each));
    EXPECT_GT(bytes_each, 64.0);
    EXPECT_LT(bytes_each, 64.0 * 1024) << "a frame as large as a small thread stack";

    for (Client& c : idle)
        c.close();
    std::optional<Frames> after;
    EXPECT_TRUE(eventually(
        [&] {
            after = frames_of(probe);
            return after && after->alive == before->alive;
        },
        10s))
        << "frames " << (after ? after->alive : 0) << ", before " << before->alive;
    ASSERT_TRUE(after.has_value());
    EXPECT_EQ(after->bytes, before->bytes) << "every frame's bytes given back";
}

// SIGTERM while coroutines wait at every kind of await: for a request (idle, and half a line),
// in a WORK's simulated I/O (a timer), in a WAIT (the board), for room to send (a client that
// reads nothing of a large reply), and in a drain. The server destroys them all and exits 0
// promptly; afterwards a fresh server serves as before.
TEST(Coroutines, StopDestroysCoroutinesSuspendedAtEveryWait_coroutines) {
    auto server =
        std::make_unique<ServerProcess>(std::vector<std::string>{"--model", "coroutines"});
    ASSERT_TRUE(server->started()) << server->start_error();
    std::vector<Client> clients;
    auto open = [&](const std::string& send) {
        clients.emplace_back(server->port());
        ASSERT_TRUE(clients.back().connected());
        if (!send.empty()) {
            ASSERT_TRUE(clients.back().send_all(send));
        }
    };
    open("");                               // waits for a request
    open("ECHO half a li");                 // waits for the rest of its line
    open("WORK 0 30000 16\n");              // sleeps through 30 s of simulated I/O
    open("WAIT never-posted 30000\n");      // on the WAIT board
    open("WORK 0 0 16777216\n");            // a 16 MiB reply it never reads: waits for room
    open("PING\nQUIT\nmore after quit\n");  // drains after its BYE
    Client probe(server->port());
    EXPECT_EQ(probe.request("PING"), "OK PONG") << "every request above has been read";
    auto began = Clock::now();
    EXPECT_EQ(server->stop(10s), 0) << "exit status after SIGTERM";
    EXPECT_LT(seconds_since(began), 5.0) << "long before the 30 s waits";
    server.reset();
    ServerProcess again({"--model", "coroutines"});
    ASSERT_TRUE(again.started()) << again.start_error();
    Client c(again.port());
    EXPECT_EQ(c.request("PING"), "OK PONG");
}

}  // namespace
}  // namespace labtest
