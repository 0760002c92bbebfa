// The uring model's own cases (models/uring_loop.cpp), beside the suites every model runs:
// what users of io_uring run into. The buffer ring running dry (a ring of one buffer, so every
// receive but one ends in -ENOBUFS and is submitted again), short sends (a large reply to a
// client with a small receive buffer), connections that end with operations in flight (a
// timer, a stalled send, a receive), a stop with all of them in flight, and a machine where
// io_uring is denied: lab-server then exits 2 with one line, which these tests check under a
// seccomp filter of their own, as a container's profile would deny it. Uring.* tests are
// skipped, with the reason, where io_uring is unavailable; UringRefusal.* run everywhere.
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "deny_io_uring.hpp"
#include "server_counters.hpp"
#include "server_process.hpp"
#include "uring_probe.hpp"

namespace labtest {
namespace {

// ---------------------------------------------------------------------------------------
// Where io_uring is unavailable

TEST(UringRefusal, SaysWhyAndWhatToDoInOneLine) {
    struct Case {
        int setup_errno;
        int disabled;
        const char* says;  // a part of the line that names the cause
        const char* fix;   // and one that says what to do
    };
    const Case cases[] = {
        {EPERM, 2, "kernel.io_uring_disabled is 2", "sysctl -w kernel.io_uring_disabled=0"},
        {EPERM, 1, "kernel.io_uring_disabled is 1", "kernel.io_uring_group"},
        {EPERM, 0, "seccomp profile", "allows io_uring_setup"},
        {EPERM, -1, "seccomp profile", "allows io_uring_setup"},
        {ENOSYS, -1, "built without io_uring", "allows io_uring_setup"},
        {ENOMEM, 0, "ENOMEM", "--model epoll"},
    };
    for (const Case& c : cases) {
        SCOPED_TRACE(std::to_string(c.setup_errno) + " with sysctl " + std::to_string(c.disabled));
        std::string line = lab::uring_refusal(c.setup_errno, c.disabled, "6.1.0-18-amd64");
        EXPECT_EQ(line.find('\n'), std::string::npos) << line;
        EXPECT_EQ(line.rfind("--model uring: io_uring is unavailable here: ", 0), 0u) << line;
        EXPECT_NE(line.find(c.says), std::string::npos) << line;
        EXPECT_NE(line.find(c.fix), std::string::npos) << line;
        EXPECT_NE(line.find("use --model epoll instead"), std::string::npos) << line;
    }
    // A kernel before multishot receive, and kernels recent enough.
    std::string old = lab::uring_refusal(0, -1, "5.15.0-91-generic");
    EXPECT_NE(old.find("Linux 6.0 or later"), std::string::npos) << old;
    EXPECT_NE(old.find("5.15.0-91-generic"), std::string::npos) << old;
    EXPECT_EQ(lab::uring_refusal(0, 0, "6.0.0"), "");
    EXPECT_EQ(lab::uring_refusal(0, -1, "6.18.44-fc"), "");
    EXPECT_EQ(lab::uring_refusal(0, 0, "7.0"), "");
}

// Denied io_uring_setup (EPERM, as Docker's default profile; ENOSYS, as a profile that hides
// it): --model uring exits 2 before it listens, with one line that says why and what to do, and
// the listing the tools read says the same of uring (and of no other model). The other models
// are not affected.
TEST(UringRefusal, DeniedIoUringExitsTwoWithOneLine) {
    for (int error : {EPERM, ENOSYS}) {
        SCOPED_TRACE(error == EPERM ? "EPERM" : "ENOSYS");
        auto r = lab::test::run_without_io_uring({server_path(), "--model", "uring"}, error, 10s);
        EXPECT_EQ(r.exit_status, 2) << r.err;
        EXPECT_FALSE(r.timed_out);
        EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
        EXPECT_NE(r.err.find("io_uring is unavailable"), std::string::npos) << r.err;
        EXPECT_NE(r.err.find(error == EPERM ? "EPERM" : "ENOSYS"), std::string::npos) << r.err;
        EXPECT_NE(r.err.find("--model epoll"), std::string::npos) << r.err;
        EXPECT_EQ(r.out.find("listening on"), std::string::npos) << r.out;

        auto listing =
            lab::test::run_without_io_uring({server_path(), "--list-models", "--json"}, error, 10s);
        ASSERT_EQ(listing.exit_status, 0) << listing.err;
        auto doc = nlohmann::json::parse(listing.out, nullptr, false);
        ASSERT_TRUE(doc.is_object() && doc["models"].is_array()) << listing.out;
        for (const auto& model : doc["models"]) {
            SCOPED_TRACE(model.value("name", "?"));
            if (model["name"] == "uring") {
                ASSERT_TRUE(model.contains("unavailable"));
                EXPECT_EQ(model["unavailable"].get<std::string>() + "\n",
                          r.err.substr(std::string("lab-server: ").size()));
            } else {
                EXPECT_FALSE(model.contains("unavailable"));
            }
        }
    }
    auto epoll =
        lab::test::run_without_io_uring({server_path(), "--model", "epoll", "--help"}, EPERM, 10s);
    EXPECT_EQ(epoll.exit_status, 0) << epoll.err;
}

// The option of the ring's size is the uring model's alone, and a power of two.
TEST(UringRefusal, RecvBuffersOnlyForUringAndAPowerOfTwo) {
    for (const char* value : {"0", "3", "1000", "65536"}) {
        SCOPED_TRACE(value);
        RunResult r = run_server({"--model", "uring", "--recv-buffers", value}, 5s);
        EXPECT_EQ(r.exit_status, 2) << r.err;
        EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
    }
    RunResult r = run_server({"--model", "epoll", "--recv-buffers", "64"}, 5s);
    EXPECT_EQ(r.exit_status, 2) << r.err;
    EXPECT_NE(r.err.find("--recv-buffers does not apply to epoll"), std::string::npos) << r.err;
}

// ---------------------------------------------------------------------------------------
// The model, where io_uring is available

class Uring : public testing::Test {
  protected:
    void SetUp() override {
        if (std::string why = model_unavailable("uring"); !why.empty()) GTEST_SKIP() << why;
    }
    void start(std::vector<std::string> extra = {}) {
        std::vector<std::string> args = {"--model", "uring"};
        args.insert(args.end(), extra.begin(), extra.end());
        server_ = std::make_unique<ServerProcess>(args);
        ASSERT_TRUE(server_->started()) << server_->start_error();
    }
    std::uint16_t port() const { return server_->port(); }
    std::unique_ptr<ServerProcess> server_;
};

// A ring of one buffer runs dry whenever two receives complete before the loop gives the
// buffer back: each such receive ends with -ENOBUFS (its multishot over) and must be
// submitted again. Forty clients pipelining a hundred requests each at once are all answered,
// in order, every byte.
TEST_F(Uring, RingOfOneBufferRunsDryAndEveryClientIsAnswered) {
    ASSERT_NO_FATAL_FAILURE(start({"--recv-buffers", "1"}));
    constexpr int kClients = 40;
    constexpr int kRequests = 100;
    std::vector<Client> clients(kClients);
    for (Client& c : clients)
        ASSERT_TRUE(c.connect(port()));
    std::vector<std::string> expected(kClients);
    for (int i = 0; i < kClients; ++i) {
        std::string requests;
        for (int r = 0; r < kRequests; ++r) {
            // (Appended, not "c" + to_string(i): g++ 12 warns wrongly on that form, -Wrestrict.)
            std::string text = "c";
            text += std::to_string(i);
            text += "r";
            text += std::to_string(r);
            requests += "ECHO " + text + "\n";
            expected[static_cast<std::size_t>(i)] += "OK " + text + "\n";
        }
        requests += "QUIT\n";
        expected[static_cast<std::size_t>(i)] += "OK BYE\n";
        ASSERT_TRUE(clients[static_cast<std::size_t>(i)].send_all(requests));
    }
    auto transcripts = read_all_until_eof(clients, Clock::now(), 30s);
    for (int i = 0; i < kClients; ++i) {
        auto index = static_cast<std::size_t>(i);
        EXPECT_EQ(transcripts[index].bytes, expected[index]) << "client " << i;
    }
    Client probe(port());
    EXPECT_EQ(probe.request("PING"), "OK PONG");
}

// A 4 MiB reply to a client whose receive buffer is small (set before it connects, so that
// TCP's window is small from the start) and who reads slowly at first: the socket has room for
// part of each send (a short send), and the rest is sent again, until every byte has arrived,
// in order.
TEST_F(Uring, ShortSendsDeliverALargeReplyWhole) {
    ASSERT_NO_FATAL_FAILURE(start());
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    ASSERT_GE(fd, 0);
    int small = 4096;
    ASSERT_EQ(setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &small, sizeof small), 0);
    timeval limit{20, 0};  // every receive below is bounded
    ASSERT_EQ(setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof limit), 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port());
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ASSERT_EQ(connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
    constexpr std::size_t kBytes = std::size_t{4} << 20;
    const std::string request = "WORK 0 0 " + std::to_string(kBytes) + "\nPING\n";
    ASSERT_EQ(::send(fd, request.data(), request.size(), 0), static_cast<ssize_t>(request.size()));
    const std::string expected =
        "OK " + std::to_string(kBytes) + "\n" + pattern(kBytes) + "OK PONG\n";
    std::string got;
    std::vector<char> chunk(65536);
    while (got.size() < expected.size()) {
        ssize_t n = recv(fd, chunk.data(), chunk.size(), 0);
        if (n <= 0) break;  // EOF, or 20 s without a byte
        got.append(chunk.data(), static_cast<std::size_t>(n));
        if (got.size() < kBytes / 8) std::this_thread::sleep_for(1ms);
    }
    ::close(fd);
    ASSERT_EQ(got.size(), expected.size()) << "the reply stopped short";
    EXPECT_TRUE(got == expected) << "the reply's bytes are not WORK's pattern, in order";
}

// Connections that end while the kernel still has their operations: one leaves during WORK's
// simulated I/O (a timer in flight), one resets with most of a 16 MiB reply unsent (a send in
// flight), one leaves during a WAIT (a receive in flight). Each is closed once its operations
// are done; every place is free again and the server serves on.
TEST_F(Uring, ConnectionsEndingWithOperationsInFlightAreClosed) {
    ASSERT_NO_FATAL_FAILURE(start());
    Counters counters(*server_);
    for (int round = 0; round < 3; ++round) {
        SCOPED_TRACE("round " + std::to_string(round));
        Client timer(port());
        Client sender(port());
        Client waiter(port());
        ASSERT_TRUE(timer.send_all("WORK 0 1000 10\n"));
        ASSERT_TRUE(sender.send_all("WORK 0 0 16777216\n"));
        ASSERT_EQ(sender.read_line(), "OK 16777216");
        ASSERT_TRUE(waiter.send_all("WAIT nobody 30000\n"));
        ASSERT_TRUE(eventually([&] { return counters.active() == 3; }, 5s));
        timer.close();
        sender.set_linger_zero();
        sender.close();
        waiter.close();
        EXPECT_TRUE(eventually([&] { return counters.active() == 0; }, 10s))
            << "connections_active " << counters.active();
    }
    Client c(port());
    EXPECT_EQ(c.request("PING"), "OK PONG");
    EXPECT_EQ(c.request("POST nobody x"), "OK 0") << "a waiter that left is still counted";
}

// SIGTERM with every kind of operation in flight (timers, a stalled send, receives, the
// accept): the loop cancels them, waits for their completions, and exits 0 promptly.
TEST_F(Uring, StopsWithOperationsInFlight) {
    ASSERT_NO_FATAL_FAILURE(start());
    Counters counters(*server_);
    Client timer(port());
    Client stalled(port());
    Client idle(port());
    ASSERT_TRUE(timer.send_all("WORK 0 30000 10\n"));
    ASSERT_TRUE(stalled.send_all("WORK 0 0 16777216\n"));
    ASSERT_EQ(stalled.read_line(), "OK 16777216");
    ASSERT_TRUE(eventually([&] { return counters.active() == 3; }, 5s));
    auto began = Clock::now();
    EXPECT_EQ(server_->stop(10s), 0);
    EXPECT_LT(seconds_since(began), 5.0) << "the stop waited for a timer or a stalled send";
}

}  // namespace
}  // namespace labtest
