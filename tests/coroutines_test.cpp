// The coroutines model's own cases (models/coroutines.cpp), beside the suites every model runs:
// what a client's state costs there, a coroutine frame on the heap, as STATS' `coroutines`
// counts it (shared/coro_task.hpp), and a stop that finds coroutines suspended at every kind of
// wait, whose frames the loop must destroy (the counter block's `coroutine_frames` back to 0;
// under the asan preset, LeakSanitizer also fails the server's exit status if one is left
// behind, AddressSanitizer if one is freed twice). And one case of the loop itself
// (shared/coro_loop.hpp), in a process of its own: a socket epoll cannot watch.
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <csignal>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "clock.hpp"
#include "coro_loop.hpp"
#include "counters.hpp"
#include "server_counters.hpp"
#include "server_process.hpp"
#include "signals.hpp"

namespace labtest {
namespace {

using lab::coro::CoroLoop;
using lab::coro::Parking;
using lab::coro::Task;
using lab::coro::Woken;

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
    // Mapped now, read after the exit: the block outlives the server in this mapping, with
    // what its last writes left there.
    Counters counters(*server);
    ASSERT_NE(counters.block(), nullptr);
    EXPECT_GE(lab::load(counters.block()->coroutine_frames), clients.size() + 1)
        << "a frame at least for each client, and the accepting coroutine's";
    auto began = Clock::now();
    EXPECT_EQ(server->stop(10s), 0) << "exit status after SIGTERM";
    EXPECT_LT(seconds_since(began), 5.0) << "long before the 30 s waits";
    EXPECT_EQ(lab::load(counters.block()->coroutine_frames), 0u)
        << "frames left alive at exit (bytes " << lab::load(counters.block()->coroutine_frame_bytes)
        << ")";
    EXPECT_EQ(lab::load(counters.block()->coroutine_frame_bytes), 0u);
    server.reset();
    ServerProcess again({"--model", "coroutines"});
    ASSERT_TRUE(again.started()) << again.start_error();
    Client c(again.port());
    EXPECT_EQ(c.request("PING"), "OK PONG");
}

// The loop's side of an epoll_ctl failure (ENOMEM, or ENOSPC past fs.epoll.max_user_watches
// in a server): the parked coroutine hears Woken::Failed, at once, not its deadline (a client
// would get ERR 408 for a wait it never had) and not nothing (it would wait for ever). A
// regular file provokes it: epoll_ctl refuses one with EPERM, down the same path. The
// coroutine is the loop's first, as the accepting one is, so its end also ends the loop, as a
// listener that cannot be watched must.
Task<> park_on_file(CoroLoop& loop, int fd, Woken& woken) {
    Parking file(loop, fd, /*owns_fd=*/true, 0);
    Woken w = co_await file.readable(lab::mono_ns() + 30'000'000'000);
    woken = w;
}

// Exit status 0: Failed, and the loop ended with its first coroutine; 1 + the Woken heard
// otherwise; 10 and up: the case could not be set up, or left something behind.
int park_a_file_in_a_loop() {
    std::string error;
    if (!lab::install_signal_handlers(error)) return 10;  // run() watches the stop latch
    auto region = lab::StatsRegion::create("", "coroutines", 0, error, 1);
    if (!region) return 11;
    int fd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);  // a regular file
    if (fd < 0) return 12;
    lab::Server server{.settings = {},
                       .listen_fd = -1,
                       .stats = &region->block(),
                       .board = nullptr,
                       .loop_listen_fds = {}};
    Woken woken = Woken::Ready;
    {
        CoroLoop loop(server);
        loop.run(park_on_file(loop, fd, woken));
    }
    if (lab::load(region->block().coroutine_frames) != 0) return 13;
    if (fcntl(fd, F_GETFD) != -1) return 14;  // the Parking closes what it owns
    return woken == Woken::Failed ? 0 : 1 + static_cast<int>(woken);
}

TEST(CoroLoop, ASocketEpollCannotWatchWakesItsCoroutineWithFailed_coroutines) {
    pid_t child = fork();  // the stop latch and signal handlers are the child's, not the suite's
    ASSERT_GE(child, 0);
    if (child == 0) _exit(park_a_file_in_a_loop());
    int status = 0;
    auto began = Clock::now();
    bool exited = eventually([&] { return waitpid(child, &status, WNOHANG) == child; }, 10s);
    if (!exited) {
        kill(child, SIGKILL);
        waitpid(child, &status, 0);
    }
    ASSERT_TRUE(exited) << "the loop went on after its first coroutine ended";
    EXPECT_LT(seconds_since(began), 5.0) << "long before the file's 30 s deadline";
    ASSERT_TRUE(WIFEXITED(status));
    EXPECT_EQ(WEXITSTATUS(status), 0)
        << "1 + the Woken heard (2: Deadline), or 10 and up: see park_a_file_in_a_loop";
}

}  // namespace
}  // namespace labtest
