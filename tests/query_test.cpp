// QUERY against a real PostgreSQL over every model (issue 14): Models/Query.NAME/MODEL against
// the tests' own cluster (tests/db.cmake starts it: fixture lab_db), and
// Models/QueryRestart.NAME/MODEL, which stop and start a second cluster under a running server.
// Only relations and orders of magnitude are asserted about time, and every wait is bounded.
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "counters.hpp"
#include "db_cluster.hpp"
#include "models.hpp"
#include "server_counters.hpp"
#include "server_process.hpp"
#include "trace_spans.hpp"

namespace labtest {
namespace {

using nlohmann::json;

const std::string kUnavailable = "ERR 503 backend unavailable";

// Row `id` of lab_rows as QUERY sends it (harness/db/schema.sql): six digits, a space, 92
// times 'a' + id % 26, LF.
std::string row(int id) {
    std::string digits = std::to_string(id);
    std::string r = std::string(6 - digits.size(), '0') + digits + " ";
    r.append(92, static_cast<char>('a' + id % 26));
    r += '\n';
    return r;
}

// Rows 1..n, as QUERY's body.
std::string rows(int n) {
    std::string out;
    for (int id = 1; id <= n; ++id)
        out += row(id);
    return out;
}

bool is_event_loop(const std::string& model) {
    const lab::Model* m = lab::find_model(model);
    return m != nullptr && m->event_loop;
}

// Sends QUERY ms n and checks the whole reply: OK n and exactly rows 1..n.
testing::AssertionResult QueryGives(Client& c, int ms, int n, Millis timeout = 10s) {
    std::string request = "QUERY " + std::to_string(ms) + " " + std::to_string(n);
    auto line = c.request(request, timeout);
    if (line != "OK " + std::to_string(n)) {
        return testing::AssertionFailure() << request << ": '" << line.value_or("<none>") << "'";
    }
    auto body = c.read_exact(static_cast<std::size_t>(n) * 100, timeout);
    if (!body) return testing::AssertionFailure() << request << ": the rows did not all arrive";
    if (*body != rows(n)) return testing::AssertionFailure() << request << ": wrong rows";
    return testing::AssertionSuccess();
}

// One HTTP/1.1 GET on a kept-alive connection: the status line, the head and the body.
struct HttpReply {
    std::string status;
    std::string head;
    std::string body;
};

std::optional<HttpReply> http_get(Client& c, const std::string& target, Millis timeout = 10s) {
    if (!c.send_all("GET " + target + " HTTP/1.1\r\nHost: lab\r\n\r\n", timeout)) return {};
    HttpReply reply;
    std::size_t length = 0;
    while (true) {
        auto line = c.read_line(timeout);
        if (!line) return {};
        if (!line->empty() && line->back() == '\r') line->pop_back();
        if (line->empty()) break;
        if (reply.status.empty()) {
            reply.status = *line;
            continue;
        }
        reply.head += *line + "\n";
        if (line->rfind("Content-Length: ", 0) == 0) length = std::stoul(line->substr(16));
    }
    auto body = c.read_exact(length, timeout);
    if (!body) return {};
    reply.body = *body;
    return reply;
}

// The tests' cluster must run: db.start (ctest fixture lab_db) starts it.
class Query : public ModelTest {
  protected:
    void SetUp() override {
        ModelTest::SetUp();
        if (IsSkipped()) return;
        static const ClusterResult status = run_cluster(main_cluster(), "status");
        ASSERT_EQ(status.exit_status, 0)
            << "the tests' PostgreSQL cluster does not run in " << main_cluster().dir
            << ": run these tests with ctest, whose fixture lab_db (tests/db.cmake, test "
               "db.start) starts it; db.start's output says why it did not (no PostgreSQL? "
               "./lab setup installs postgresql-15)\n"
            << status.output;
    }
    void start_with_db(std::vector<std::string> extra = {}) {
        static const std::string uri = cluster_uri(main_cluster());
        extra.insert(extra.begin(), {"--db", uri});
        start(extra);
    }
};

// ---------------------------------------------------------------------------------------
// The reply

TEST_P(Query, RowsComeFromTheDatabase) {
    ASSERT_NO_FATAL_FAILURE(start_with_db());
    Client c = connect();
    ASSERT_EQ(c.request("QUERY 5 10"), "OK 10");
    auto body = c.read_exact(1000, 10s);
    ASSERT_TRUE(body.has_value()) << "the 1000 bytes of 10 rows did not arrive";
    // Row 1: "000001 " and 92 times 'b' (1 % 26 = 1); row 10: "000010 " and 'k'.
    EXPECT_EQ(body->substr(0, 100), "000001 " + std::string(92, 'b') + "\n");
    EXPECT_EQ(body->substr(100, 7), "000002 ");
    EXPECT_EQ(body->substr(107, 92), std::string(92, 'c'));
    EXPECT_EQ(body->substr(900, 100), "000010 " + std::string(92, 'k') + "\n");
    EXPECT_EQ(*body, rows(10));
    EXPECT_EQ(c.request("PING"), "OK PONG") << "bytes after the 1000 of the rows";

    EXPECT_EQ(c.request("QUERY 0 0"), "OK 0");
    EXPECT_EQ(c.request("PING"), "OK PONG") << "QUERY 0 0 has no body";
    // The whole table, case-insensitively; row 1000 is "001000 " and 'm' (1000 % 26 = 12).
    ASSERT_EQ(c.request("query 0 1000"), "OK 1000");
    body = c.read_exact(100000, 10s);
    ASSERT_TRUE(body.has_value());
    EXPECT_EQ(body->substr(99900), "001000 " + std::string(92, 'm') + "\n");
    EXPECT_EQ(*body, rows(1000));
    // Pipelined after a QUERY, a request is answered after the rows.
    ASSERT_TRUE(c.send_all("QUERY 1 2\nPING\n"));
    EXPECT_EQ(c.read_line(10s), "OK 2");
    EXPECT_EQ(c.read_exact(200, 10s), rows(2));
    EXPECT_EQ(c.read_line(), "OK PONG");
}

TEST_P(Query, LimitsAndBadNumbersKeepTheConnection) {
    ASSERT_NO_FATAL_FAILURE(start_with_db());
    Client c = connect();
    EXPECT_EQ(c.request("QUERY 10001 0"), "ERR 422 ms over 10000");
    EXPECT_EQ(c.request("QUERY 0 1001"), "ERR 422 rows over 1000");
    EXPECT_EQ(c.request("QUERY x 1"), "ERR 400 bad number");
    EXPECT_EQ(c.request("QUERY 1 -1"), "ERR 400 bad number");
    EXPECT_EQ(c.request("QUERY 1"), "ERR 400 QUERY takes two numbers: ms rows");
    EXPECT_TRUE(QueryGives(c, 0, 3));
    EXPECT_EQ(c.request("PING"), "OK PONG");
}

TEST_P(Query, HttpQuery) {
    ASSERT_NO_FATAL_FAILURE(start_with_db());
    Client c = connect();
    auto r = http_get(c, "/query?ms=5&rows=10");
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->status, "HTTP/1.1 200 OK");
    EXPECT_NE(r->head.find("Content-Length: 1000\n"), std::string::npos) << r->head;
    EXPECT_EQ(r->head.find("Connection: close"), std::string::npos) << r->head;
    EXPECT_EQ(r->body, rows(10));
    r = http_get(c, "/query?rows=3");  // ms left out: 0
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->status, "HTTP/1.1 200 OK");
    EXPECT_EQ(r->body, rows(3));
    r = http_get(c, "/query");
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->status, "HTTP/1.1 200 OK");
    EXPECT_NE(r->head.find("Content-Length: 0\n"), std::string::npos) << r->head;
    r = http_get(c, "/query?ms=10001");
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->status, "HTTP/1.1 422 Unprocessable Content");
    EXPECT_EQ(r->body, "ms over 10000");
    r = http_get(c, "/ping");
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->body, "PONG");
}

TEST_P(Query, StatsCountQueriesAndTheirTime) {
    ASSERT_NO_FATAL_FAILURE(start_with_db());
    Client c = connect();
    EXPECT_TRUE(QueryGives(c, 5, 1));
    EXPECT_TRUE(QueryGives(c, 5, 2));
    auto j = stats_of(c);
    ASSERT_TRUE(j.has_value());
    const json& backend = (*j)["backend"];
    ASSERT_TRUE(backend.is_object()) << j->dump();
    for (const char* key : {"queries", "failures", "query_ns", "pool_wait_ns"})
        ASSERT_TRUE(backend.contains(key) && backend[key].is_number_unsigned()) << key;
    EXPECT_EQ(backend["queries"], 2u);
    EXPECT_EQ(backend["failures"], 0u);
    // Each spent at least its 5 ms in the database (pg_sleep).
    EXPECT_GE(backend["query_ns"].get<std::uint64_t>(), 10'000'000u);
    const json& blocking = (*j)["blocking_ns"];
    for (const char* key : {"backend", "pool", "peer"})
        ASSERT_TRUE(blocking.contains(key) && blocking[key].is_number_unsigned()) << key;
    if (is_event_loop(model())) {
        EXPECT_EQ(blocking["backend"], 0u) << "an event loop never blocks on the database";
        EXPECT_EQ(blocking["pool"], 0u) << "nor for a free database connection";
    } else {
        EXPECT_GE(blocking["backend"].get<std::uint64_t>(), 10'000'000u)
            << "a blocking model's thread waits for the database";
    }
}

// Queries at once from several clients, with fewer database connections than queries: each
// client gets its own rows; where threads or a loop share a pool, queries waited for it.
TEST_P(Query, ConcurrentQueriesShareTheDatabasePool) {
    if (sequential()) GTEST_SKIP() << "sequential serves one client at a time by design";
    ASSERT_NO_FATAL_FAILURE(start_with_db({"--db-pool", "2"}));
    constexpr std::size_t kClients = 6;
    std::vector<Client> clients;
    for (std::size_t i = 0; i < kClients; ++i)
        clients.push_back(connect());
    auto began = Clock::now();
    for (std::size_t i = 0; i < kClients; ++i) {
        ASSERT_TRUE(clients[i].send_all("QUERY 300 " + std::to_string(i + 1) + "\n"));
    }
    for (std::size_t i = 0; i < kClients; ++i) {
        SCOPED_TRACE("client " + std::to_string(i));
        const int n = static_cast<int>(i + 1);
        EXPECT_EQ(clients[i].read_line(20s), "OK " + std::to_string(n));
        EXPECT_EQ(clients[i].read_exact(i * 100 + 100, 10s), rows(n));
    }
    double elapsed = seconds_since(began);
    auto j = stats_of(clients[0]);
    ASSERT_TRUE(j.has_value());
    EXPECT_EQ((*j)["backend"]["queries"], kClients);
    bool shared_pool = model() != "fork" && model() != "prefork";  // a process has its own
    if (shared_pool) {
        // Six queries of 300 ms on two connections: at least three rounds. (epoll --loops 2:
        // each loop has two connections of its own, and one of them holds three queries or
        // more, however the six are shared out: at least two rounds, and a wait.)
        EXPECT_GT((*j)["backend"]["pool_wait_ns"].get<std::uint64_t>(), 0u);
        EXPECT_GE(elapsed, 0.6) << "six 300 ms queries on two connections";
    }
}

// --trace shows the time in the database as "backend" spans and the wait for a free database
// connection as "pool" spans: on the serving thread in the blocking models (which count them in
// blocking_ns), as waits that no thread sits in for the event loops (which count nothing).
// Two queries of 300 ms at once on one database connection: the second waits for the first.
TEST_P(Query, TraceShowsBackendAndPoolSpans) {
    std::string trace_path = unique_shm_path("query-trace") + ".json";
    ASSERT_NO_FATAL_FAILURE(start_with_db({"--db-pool", "1", "--trace", trace_path}));
    constexpr int kQueryMs = 300;
    const std::string query = "QUERY " + std::to_string(kQueryMs) + " 1\n";
    {
        Client a = connect();
        Client b = sequential() ? Client() : connect();
        ASSERT_TRUE(a.send_all(query));
        if (!sequential()) {
            ASSERT_TRUE(b.send_all(query));
        }
        EXPECT_EQ(a.read_line(20s), "OK 1");
        EXPECT_EQ(a.read_exact(100, 10s), rows(1));
        if (!sequential()) {
            EXPECT_EQ(b.read_line(20s), "OK 1");
            EXPECT_EQ(b.read_exact(100, 10s), rows(1));
        }
    }
    ASSERT_EQ(server().stop(), 0);
    auto spans = longest_spans(trace_path);
    ASSERT_TRUE(spans.has_value()) << "no trace, or not JSON: " << trace_path;
    const LongestSpan backend = (*spans)["backend"];
    const LongestSpan pool = (*spans)["pool"];
    // pg_sleep(300 ms) is the least a query takes; the margin allows for clocks read at
    // slightly different points.
    const double at_least_us = kQueryMs * 1000 * 0.8;
    const bool loop = is_event_loop(model());
    EXPECT_GE(loop ? backend.parked_us : backend.thread_us, at_least_us)
        << "no " << (loop ? "parked" : "thread's") << " backend span as long as the query";
    EXPECT_EQ(loop ? backend.thread_us : backend.parked_us, 0.0)
        << "a backend span of the wrong kind: an event loop never blocks on the database";
    // Where the two queries share the one database connection (not across processes, each of
    // which has its own, nor across epoll's --loops, each of which has its own pool), the
    // second one waited most of the first one's time for it.
    bool shared_pool = !sequential() && model() != "fork" && model() != "prefork" && loops() == 1;
    if (shared_pool) {
        EXPECT_GE(loop ? pool.parked_us : pool.thread_us, at_least_us / 2)
            << "the second query's wait for the database connection is not traced";
        EXPECT_EQ(loop ? pool.thread_us : pool.parked_us, 0.0) << "a pool span of the wrong kind";
    }
}

// A client that leaves while its QUERY is in the database costs nothing lasting: with one
// database connection, the next client's query runs once the abandoned one is over.
TEST_P(Query, ClientLeavingMidQueryFreesTheConnection) {
    ASSERT_NO_FATAL_FAILURE(start_with_db({"--db-pool", "1"}));
    Counters counters(server());
    for (bool reset : {false, true}) {
        SCOPED_TRACE(reset ? "reset" : "close");
        Client a = connect();
        std::uint64_t before = counters.requests();
        ASSERT_TRUE(a.send_all("QUERY 300 5\n"));
        ASSERT_TRUE(counters.wait_requests(before + 1));
        if (reset) a.set_linger_zero();
        a.close();
        Client b = connect();
        EXPECT_TRUE(QueryGives(b, 0, 4));
        EXPECT_EQ(b.request("PING"), "OK PONG");
    }
}

// ---------------------------------------------------------------------------------------
// Waiting for the database

// While a client's QUERY waits in the database, the server answers other clients: an event
// loop because it does not wait (the query's socket is in the loop), the others because the
// client has a thread or a process of its own.
TEST_P(Query, OtherClientsAreServedDuringAQuery) {
    if (sequential()) GTEST_SKIP() << "sequential serves one client at a time by design";
    ASSERT_NO_FATAL_FAILURE(start_with_db());
    Counters counters(server());
    Client a = connect();
    Client b = connect();
    ASSERT_EQ(b.request("PING"), "OK PONG");
    std::uint64_t before = counters.requests();
    ASSERT_TRUE(a.send_all("QUERY 1500 1\n"));
    ASSERT_TRUE(counters.wait_requests(before + 1)) << "the QUERY was never begun";
    auto began = Clock::now();
    for (int i = 0; i < 3; ++i) {
        EXPECT_EQ(b.request("PING"), "OK PONG");
        a.pump();
        EXPECT_EQ(a.buffered(), 0u) << "the query was answered before a PING";
    }
    double pings = seconds_since(began);
    EXPECT_EQ(a.read_line(10s), "OK 1");
    EXPECT_EQ(a.read_exact(100, 5s), row(1));
    double query = seconds_since(began);
    EXPECT_LT(pings, query) << "the PINGs came after the query's 1.5 s in the database";
}

// --db-blocking-in-loop: the event loop waits in libpq's blocking call, and a PING sent while a
// QUERY is in the database is answered only after it. (With several loops, only the clients of
// the loop that waits: the two clients are taken on one loop.) The other models do not take
// the flag.
TEST_P(Query, BlockingInLoopMakesEveryoneWait) {
    if (!is_event_loop(model())) {
        RunResult r = run_server({"--model", model(), "--db-blocking-in-loop"}, 10s);
        EXPECT_EQ(r.exit_status, 2) << r.err;
        EXPECT_NE(r.err.find("--db-blocking-in-loop"), std::string::npos) << r.err;
        return;
    }
    ASSERT_NO_FATAL_FAILURE(start_with_db({"--db-blocking-in-loop"}));
    Counters counters(server());
    auto [a, b] = counters.two_clients_of_one_loop(port(), loops());
    ASSERT_EQ(b.request("PING"), "OK PONG");
    std::uint64_t before = counters.requests();
    ASSERT_TRUE(a.send_all("QUERY 1000 1\n"));
    ASSERT_TRUE(counters.wait_requests(before + 1)) << "the QUERY was never begun";
    ASSERT_TRUE(b.send_all("PING\n"));
    // Read both as the bytes come: the PONG must not come before the query's reply. (The loop
    // sends the query's reply before it reads B again; on loopback it is in A's socket first.)
    std::vector<Client*> both = {&a, &b};
    bool query_done = false;
    bool pong_first = false;
    auto deadline = Clock::now() + 15s;
    while (Clock::now() < deadline) {
        std::vector<pollfd> fds;
        for (Client* c : both)
            fds.push_back({c->fd(), POLLIN, 0});
        if (poll(fds.data(), fds.size(), 100) < 0) break;
        for (std::size_t i = 0; i < both.size(); ++i) {
            if (fds[i].revents != 0) both[i]->pump();
        }
        query_done = query_done || a.buffered() >= 5 + 100;  // "OK 1\n" and the row
        if (b.buffered() > 0) {
            pong_first = !query_done;
            break;
        }
    }
    EXPECT_FALSE(pong_first) << "the PING was answered while the loop waited for the database";
    EXPECT_TRUE(query_done);
    EXPECT_EQ(a.read_line(5s), "OK 1");
    EXPECT_EQ(a.read_exact(100, 5s), row(1));
    EXPECT_EQ(b.read_line(5s), "OK PONG");
    auto j = stats_of(b);
    ASSERT_TRUE(j.has_value());
    EXPECT_GE((*j)["blocking_ns"]["backend"].get<std::uint64_t>(), 500'000'000u)
        << "the loop's thread blocked for the query's second";
}

// SIGTERM while a client waits for a POST and another's QUERY is in the database: the server
// exits 0 within a bounded time (long before the WAIT's 30 s), leaving no process behind.
TEST_P(Query, SigtermWhileWaitingAndQuerying) {
    ASSERT_NO_FATAL_FAILURE(start_with_db());
    Counters counters(server());
    std::uint64_t before = counters.requests();
    Client waiter = connect();
    ASSERT_TRUE(waiter.send_all("WAIT never 30000\n"));
    std::optional<Client> querying;
    if (!sequential()) {
        querying.emplace(connect());
        ASSERT_TRUE(querying->send_all("QUERY 1000 1\n"));
    }
    ASSERT_TRUE(counters.wait_requests(before + (sequential() ? 1 : 2)));
    auto began = Clock::now();
    server().signal(SIGTERM);
    EXPECT_EQ(server().wait_exit(10s), 0) << "exit status after SIGTERM";
    EXPECT_LT(seconds_since(began), 10.0);
    EXPECT_FALSE(server().group_alive()) << "a process of the server's group survived it";
    EXPECT_TRUE(waiter.read_until_eof(10s).has_value());
    if (querying) {
        EXPECT_TRUE(querying->read_until_eof(10s).has_value());
    }
}

// ---------------------------------------------------------------------------------------
// No database

// A server without a database (--db '') or with one it cannot reach answers QUERY with ERR
// 503 backend unavailable at once, over and over, and serves everything else.
TEST_P(Query, NoDatabaseIs503AndTheServerGoesOn) {
    for (std::string uri : {std::string(), std::string("postgresql:///lab?host=/nonexistent-lab-"
                                                       "db-dir&port=5999&user=lab")}) {
        SCOPED_TRACE("--db '" + uri + "'");
        ASSERT_NO_FATAL_FAILURE(start({"--db", uri}));
        Client c = connect();
        auto began = Clock::now();
        EXPECT_EQ(c.request("QUERY 0 1", 10s), kUnavailable);
        EXPECT_LT(seconds_since(began), 5.0) << "not at once";
        EXPECT_EQ(c.request("PING"), "OK PONG");
        for (int i = 0; i < 3; ++i) {
            EXPECT_EQ(c.request("QUERY 5 5", 10s), kUnavailable) << "try " << i;
        }
        EXPECT_EQ(c.request("ECHO still here"), "OK still here");
        auto j = stats_of(c);
        ASSERT_TRUE(j.has_value());
        EXPECT_EQ((*j)["backend"]["queries"], 0u);
        EXPECT_GE((*j)["backend"]["failures"].get<std::uint64_t>(), 4u);
        EXPECT_GE((*j)["errors"].get<std::uint64_t>(), 4u);
        c.close();  // (sequential serves the next client only then)
        // HTTP: a 503 that keeps the connection.
        Client h = connect();
        auto r = http_get(h, "/query?rows=1");
        ASSERT_TRUE(r.has_value());
        EXPECT_EQ(r->status, "HTTP/1.1 503 Service Unavailable");
        EXPECT_EQ(r->body, "backend unavailable");
        EXPECT_EQ(r->head.find("Connection: close"), std::string::npos) << r->head;
        r = http_get(h, "/ping");
        ASSERT_TRUE(r.has_value());
        EXPECT_EQ(r->body, "PONG");
        h.close();
        server_.reset();
    }
}

INSTANTIATE_TEST_SUITE_P(Models, Query, testing::ValuesIn(model_variants()), model_test_name);

// ---------------------------------------------------------------------------------------
// The database stopped and started again under a running server

// Stops the restart cluster when the test ends, however it ends (the ctest cleanup
// db.restart_stop stops it too, should the test process die).
struct StopAtEnd {
    ~StopAtEnd() { run_cluster(restart_cluster(), "stop"); }
};

using QueryRestart = ModelTest;

TEST_P(QueryRestart, DatabaseStoppedMidRun) {
    const Cluster cluster = restart_cluster();
    StopAtEnd stop_at_end;
    ClusterResult started = run_cluster(cluster, "start");
    ASSERT_EQ(started.exit_status, 0) << "cluster.sh start in " << cluster.dir << ":\n"
                                      << started.output;
    ASSERT_NO_FATAL_FAILURE(start({"--db", cluster_uri(cluster)}));
    Counters counters(server());
    Client c = connect();
    ASSERT_TRUE(QueryGives(c, 0, 3));

    // A query in the database when it stops ends in a 503, not in its rows.
    std::uint64_t before = counters.requests();
    ASSERT_TRUE(c.send_all("QUERY 5000 1\n"));
    ASSERT_TRUE(counters.wait_requests(before + 1));
    auto stopping = Clock::now();
    ClusterResult stopped = run_cluster(cluster, "stop");
    ASSERT_EQ(stopped.exit_status, 0) << stopped.output;
    EXPECT_EQ(c.read_line(10s), kUnavailable) << "the query in flight";
    EXPECT_LT(seconds_since(stopping), 10.0);

    // While the database is down: 503 within a bounded time, and the server serves on.
    auto began = Clock::now();
    EXPECT_EQ(c.request("QUERY 0 1", 10s), kUnavailable);
    EXPECT_LT(seconds_since(began), 10.0);
    EXPECT_EQ(c.request("PING"), "OK PONG");
    EXPECT_EQ(c.request("QUERY 0 1", 10s), kUnavailable);

    // Started again: the server reconnects by itself (it waits 500 ms after a failed connect
    // before it tries again), on the same client connection.
    ClusterResult restarted = run_cluster(cluster, "start");
    ASSERT_EQ(restarted.exit_status, 0) << restarted.output;
    int tries = 0;
    std::optional<std::string> reply;
    for (; tries < 100; ++tries) {
        reply = c.request("QUERY 0 2", 10s);
        if (reply != kUnavailable) break;
        std::this_thread::sleep_for(100ms);
    }
    ASSERT_EQ(reply, "OK 2") << "after " << tries << " tries";
    EXPECT_EQ(c.read_exact(200, 10s), rows(2));
    EXPECT_TRUE(QueryGives(c, 1, 5));
    EXPECT_EQ(c.request("PING"), "OK PONG");
}

INSTANTIATE_TEST_SUITE_P(Models, QueryRestart, testing::ValuesIn(model_variants()),
                         model_test_name);

}  // namespace
}  // namespace labtest
