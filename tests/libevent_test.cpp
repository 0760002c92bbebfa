// The libevent model on each of libevent's backends (Backends/Libevent.NAME/BACKEND_libevent): the
// suites that run over every model (conformance, behaviour, HTTP, WAIT, QUERY) start it on
// libevent's own choice (epoll here); these few cases force select, poll and epoll in turn
// (--libevent-backend), and show what each does past FD_SETSIZE. Also the flag's bad values.
// Only relations and orders of magnitude are asserted about time; every wait is bounded.
#include <event2/event.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/select.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "many_clients.hpp"
#include "server_process.hpp"

namespace labtest {
namespace {

const std::vector<std::string> kBackends = {"select", "poll", "epoll"};

class Libevent : public testing::TestWithParam<std::string> {
  protected:
    const std::string& backend() const { return GetParam(); }
    // lab-server --model libevent --libevent-backend backend() plus `extra`.
    void start(std::vector<std::string> extra = {}) {
        std::vector<std::string> args = {"--model", "libevent", "--libevent-backend", backend()};
        args.insert(args.end(), extra.begin(), extra.end());
        server_ = std::make_unique<ServerProcess>(args);
        ASSERT_TRUE(server_->started()) << server_->start_error();
    }
    std::uint16_t port() const { return server_->port(); }

    std::unique_ptr<ServerProcess> server_;
};

// Names end in the model's name, as every server test's do: Backends/Libevent.Case/select_libevent.
std::string backend_test_name(const testing::TestParamInfo<std::string>& info) {
    return info.param + "_libevent";
}

// Each request kind once, and STATS names the backend libevent waits with: the one forced.
TEST_P(Libevent, ServesAndReportsItsBackend) {
    ASSERT_NO_FATAL_FAILURE(start());
    Client c(port());
    EXPECT_EQ(c.request("PING"), "OK PONG");
    EXPECT_EQ(c.request("ECHO over " + backend()), "OK over " + backend());
    EXPECT_EQ(c.request("WORK 100 5 3"), "OK 3");
    EXPECT_EQ(c.read_exact(3), "abc");
    EXPECT_EQ(c.request("INCR k"), "OK 1");
    auto stats = stats_of(c);
    ASSERT_TRUE(stats);
    EXPECT_EQ((*stats)["model"], "libevent");
    EXPECT_EQ((*stats)["event_method"], backend());
    EXPECT_EQ(c.request("QUIT"), "OK BYE");
    EXPECT_TRUE(c.expect_eof());
}

// The simulated I/O is a timer event: eight clients' waits of 0.2 s overlap (one at a time
// they would take 1.6 s).
TEST_P(Libevent, SimulatedIoWaitsOverlap) {
    ASSERT_NO_FATAL_FAILURE(start());
    std::vector<Client> clients(8);
    for (Client& c : clients)
        ASSERT_TRUE(c.connect(port()));
    auto t0 = Clock::now();
    for (Client& c : clients)
        ASSERT_TRUE(c.send_all("WORK 0 200 2\nQUIT\n"));
    auto transcripts = read_all_until_eof(clients, t0, 10s);
    double last = 0;
    for (const Transcript& t : transcripts) {
        EXPECT_EQ(t.bytes, "OK 2\nabOK BYE\n");
        last = std::max(last, t.eof_at);
    }
    EXPECT_GE(last, 0.19) << "a reply came before its simulated I/O ended";
    EXPECT_LT(last, 0.8) << "the eight waits did not overlap";
}

// A client that pipelines a flood yields after a few requests (a timer due at once gives it
// its next turn), so another client's PING is answered meanwhile; and the flood is answered in
// full, in order.
TEST_P(Libevent, PipelinedFloodYieldsToOthers) {
    ASSERT_NO_FATAL_FAILURE(start());
    Client flood(port());
    std::string burst;
    for (int i = 0; i < 2000; ++i)
        burst += "ECHO " + std::to_string(i) + "\n";
    ASSERT_TRUE(flood.send_all(burst));
    Client other(port());
    EXPECT_EQ(other.request("PING", 10s), "OK PONG");
    for (int i = 0; i < 2000; ++i)
        ASSERT_EQ(flood.read_line(10s), "OK " + std::to_string(i));
}

// A WAIT is parked until another client's POST wakes it (a connection woken from outside its
// own events), or until its timeout (its timer).
TEST_P(Libevent, WaitEndsWithPostOrTimeout) {
    ASSERT_NO_FATAL_FAILURE(start());
    Client waiter(port());
    Client poster(port());
    ASSERT_TRUE(waiter.send_all("WAIT news 10000\n"));
    auto woken = std::string("OK 0");
    auto deadline = Clock::now() + 5s;
    while (woken == "OK 0" && Clock::now() < deadline)
        woken = poster.request("POST news hello").value_or("<none>");
    EXPECT_EQ(woken, "OK 1");
    EXPECT_EQ(waiter.read_line(), "OK hello");
    EXPECT_EQ(waiter.request("WAIT quiet 100"), "ERR 408 no POST before the timeout");
    EXPECT_EQ(waiter.request("PING"), "OK PONG");
}

// An idle client gets ERR 408 and is closed (its timer), and --max-clients refuses one more.
TEST_P(Libevent, IdleTimeoutAndMaxClients) {
    ASSERT_NO_FATAL_FAILURE(start({"--idle-timeout", "1", "--max-clients", "2"}));
    Client first(port());
    Client second(port());
    ASSERT_EQ(first.request("PING"), "OK PONG");
    ASSERT_EQ(second.request("PING"), "OK PONG");
    Client third(port());
    EXPECT_EQ(third.read_line(), "ERR 503 server at --max-clients");
    EXPECT_TRUE(third.expect_eof());
    auto t0 = Clock::now();
    EXPECT_EQ(first.read_line(5s), "ERR 408 idle timeout");
    EXPECT_TRUE(first.expect_eof());
    EXPECT_GE(seconds_since(t0), 0.5) << "closed long before its idle timeout";
}

INSTANTIATE_TEST_SUITE_P(Backends, Libevent, testing::ValuesIn(kBackends), backend_test_name);

// ---------------------------------------------------------------------------------------
// Past FD_SETSIZE.

// Why the model guards libevent's select backend: libevent grows its fd sets past FD_SETSIZE,
// but Debian's build is fortified, and its FD_SET aborts the process for a descriptor at or
// above FD_SETSIZE. Checked in a child process, on this machine's libevent: if a build ever
// stops aborting, this test says the model's comment and README are out of date.
TEST(EventLoops, SelectBackendAbortsPastFdSetsize_libevent) {
    if (!make_room_for_many_clients()) GTEST_SKIP() << "RLIMIT_NOFILE's hard limit is too low";
    pid_t child = fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
        event_config* config = event_config_new();
        event_config_avoid_method(config, "epoll");
        event_config_avoid_method(config, "poll");
        event_base* base = event_base_new_with_config(config);
        if (base == nullptr || std::string(event_base_get_method(base)) != "select") _exit(3);
        int fd = -1;
        while (fd < FD_SETSIZE + 10 && (fd = dup(STDERR_FILENO)) >= 0) {
        }
        if (fd < FD_SETSIZE) _exit(4);
        close(STDERR_FILENO);  // glibc's "bit out of range" message is the expected outcome
        event* e = event_new(
            base, fd, EV_READ, [](evutil_socket_t, short, void*) {}, nullptr);
        _exit(event_add(e, nullptr) == 0 ? 0 : 5);
    }
    int status = 0;
    ASSERT_EQ(waitpid(child, &status, 0), child);
    ASSERT_FALSE(WIFEXITED(status) && WEXITSTATUS(status) >= 3)
        << "the child could not set up (status " << WEXITSTATUS(status) << ")";
    EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT)
        << "libevent's select backend took a descriptor past FD_SETSIZE without aborting: "
           "update models/libevent_loop.cpp's opening comment and the README";
}

// So with the select backend the model refuses a descriptor past FD_SETSIZE, as the select
// model does, and serves everyone else; poll and epoll serve all 1,100, the first ones too.
TEST(EventLoops, RefusesPastFdSetsizeOnSelectBackend_libevent) {
    if (!make_room_for_many_clients()) GTEST_SKIP() << "RLIMIT_NOFILE's hard limit is too low";
    for (const std::string& backend : kBackends) {
        SCOPED_TRACE(backend);
        ServerProcess server(
            {"--model", "libevent", "--libevent-backend", backend, "--max-clients", "2000"});
        ASSERT_TRUE(server.started()) << server.start_error();
        std::vector<Client> clients(kManyClients);
        std::map<std::string, int> replies = ping_each(clients, server.port());
        ASSERT_FALSE(HasFailure());
        const std::string seen = describe(replies);
        const int served = replies["OK PONG"];
        const int refused = replies["ERR 503 descriptor over FD_SETSIZE"];
        if (backend == "select") {
            EXPECT_GT(served, 1000) << seen;
            EXPECT_LT(served, FD_SETSIZE) << seen;
            EXPECT_EQ(served + refused, static_cast<int>(kManyClients)) << seen;
            for (auto i = static_cast<std::size_t>(served); i < clients.size(); ++i)
                ASSERT_TRUE(clients[i].expect_eof()) << "refused client " << i << " not closed";
        } else {
            EXPECT_EQ(served, static_cast<int>(kManyClients)) << seen;
        }
        for (int i = 0; i < served; ++i)  // still served, the first ones too
            ASSERT_EQ(clients[static_cast<std::size_t>(i)].request("ECHO still here"),
                      "OK still here")
                << i;
        EXPECT_EQ(server.stop(), 0) << "the server did not survive";
    }
}

// --libevent-backend: a backend libevent does not offer here, or a model that is not libevent,
// is one line on stderr and exit status 2.
TEST(Cli, BadLibeventBackendIsAUsageError_libevent) {
    for (const std::vector<std::string>& args : std::vector<std::vector<std::string>>{
             {"--model", "libevent", "--libevent-backend", "kqueue"},
             {"--model", "libevent", "--libevent-backend", ""},
             {"--model", "epoll", "--libevent-backend", "epoll"}}) {
        RunResult r = run_server(args, 5s);
        EXPECT_FALSE(r.timed_out);
        EXPECT_EQ(r.exit_status, 2) << r.err;
        EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
        EXPECT_NE(r.err.find("--libevent-backend"), std::string::npos) << r.err;
        EXPECT_EQ(r.out.find("listening on"), std::string::npos) << r.out;
    }
    RunResult kqueue = run_server({"--model", "libevent", "--libevent-backend", "kqueue"}, 5s);
    EXPECT_NE(kqueue.err.find("not available here"), std::string::npos) << kqueue.err;
    EXPECT_NE(kqueue.err.find("epoll, poll, select"), std::string::npos) << kqueue.err;
}

}  // namespace
}  // namespace labtest
