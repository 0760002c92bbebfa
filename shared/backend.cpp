// QUERY with libpq's blocking API, and what every model shares about the database. See
// backend.hpp.
#include "backend.hpp"

#include <limits.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>

#include "blocking.hpp"
#include "clock.hpp"
#include "trace.hpp"

namespace lab {
namespace {

// The file `./lab db start` writes, found from the binary's own place in the build tree.
std::string uri_beside_binary() {
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0) return "";
    std::string dir(exe, static_cast<std::size_t>(n));
    // build/PRESET/bin/lab-server -> build/db/uri (bin/ may be models/ in some trees)
    for (int up = 0; up < 3; ++up) {
        std::size_t slash = dir.rfind('/');
        if (slash == std::string::npos) return "";
        dir.resize(slash);
    }
    std::ifstream file(dir + "/db/uri");
    std::string uri;
    std::getline(file, uri);
    return uri;
}

}  // namespace

std::string default_db_uri() {
    if (const char* env = std::getenv("LAB_DB_URI"); env != nullptr) return env;
    return uri_beside_binary();
}

ConnectParams::ConnectParams(const std::string& uri) {
    storage_ = {"dbname",           uri,
                "connect_timeout",  std::to_string(kConnectTimeoutS),
                "options",          "-c statement_timeout=" + std::to_string(kStatementTimeoutMs),
                "application_name", "lab-server"};
    for (std::size_t i = 0; i < storage_.size(); i += 2) {
        keywords_.push_back(storage_[i].c_str());
        values_.push_back(storage_[i + 1].c_str());
    }
    keywords_.push_back(nullptr);
    values_.push_back(nullptr);
}

QueryParams::QueryParams(std::uint64_t ms, std::uint64_t rows)
    : ms_text(std::to_string(ms)), rows_text(std::to_string(rows)) {
    values[0] = ms_text.c_str();
    values[1] = rows_text.c_str();
}

Reply reply_from_result(const PGresult* result) {
    if (result == nullptr || PQresultStatus(result) != PGRES_TUPLES_OK) {
        return backend_unavailable_reply();
    }
    int rows = PQntuples(result);
    Reply reply = ok_reply(std::to_string(rows));
    reply.rows.reserve(static_cast<std::size_t>(rows) * kQueryRowBytes);
    for (int i = 0; i < rows; ++i) {
        if (PQnfields(result) != 1 ||
            static_cast<std::size_t>(PQgetlength(result, i, 0)) != kQueryRowBytes - 1) {
            return error_reply(ErrorCode::Internal, "the database's rows are not lab_rows'");
        }
        reply.rows.append(PQgetvalue(result, i, 0), kQueryRowBytes - 1);
        reply.rows += '\n';
    }
    return reply;
}

void count_query(StatsBlock& stats, const Reply& reply, std::uint64_t query_ns) {
    add(reply.ok ? stats.backend_queries : stats.backend_failures, 1);
    add(stats.backend_query_ns, query_ns);
}

BlockingConnection::~BlockingConnection() {
    if (conn_ != nullptr) PQfinish(conn_);
}

bool BlockingConnection::connect(StatsBlock& stats) {
    if (conn_ != nullptr && PQstatus(conn_) == CONNECTION_OK) return true;
    if (conn_ != nullptr) {
        PQfinish(conn_);  // broken (the database restarted): a new session
        conn_ = nullptr;
    }
    if (uri_.empty() || mono_ns() < retry_at_ns_) return false;
    ConnectParams params(uri_);
    {
        BlockingTimer timer(stats, Blocking::Backend);
        conn_ = PQconnectdbParams(params.keywords(), params.values(), 1);
    }
    if (conn_ != nullptr && PQstatus(conn_) == CONNECTION_OK) return true;
    if (conn_ != nullptr) PQfinish(conn_);
    conn_ = nullptr;
    retry_at_ns_ = mono_ns() + kRetryAfterMs * 1'000'000;
    return false;
}

Reply BlockingConnection::query(std::uint64_t ms, std::uint64_t rows, StatsBlock& stats) {
    if (!connect(stats)) {
        add(stats.backend_failures, 1);
        return backend_unavailable_reply();
    }
    QueryParams params(ms, rows);
    std::uint64_t start = mono_ns();
    PGresult* result = nullptr;
    {
        // The thread sleeps in the database's wait: every other client of this thread waits
        // too (in an event loop with --db-blocking-in-loop: every client of the server).
        BlockingTimer timer(stats, Blocking::Backend);
        result = PQexecParams(conn_, kQuerySql, 2, nullptr, params.values, nullptr, nullptr, 0);
    }
    Reply reply = reply_from_result(result);
    PQclear(result);
    count_query(stats, reply, mono_ns() - start);
    return reply;
}

Reply BlockingPool::query(std::uint64_t ms, std::uint64_t rows, StatsBlock& stats) {
    std::unique_ptr<BlockingConnection> connection;
    {
        std::unique_lock lock(mutex_);
        if (idle_.empty() && opened_ == size_) {
            std::uint64_t start = mono_ns();
            {
                BlockingTimer timer(stats, Blocking::Pool);
                freed_.wait(lock, [&] { return !idle_.empty(); });
            }
            add(stats.backend_pool_wait_ns, mono_ns() - start);
        }
        if (idle_.empty()) {
            ++opened_;
            connection = std::make_unique<BlockingConnection>(uri_);
        } else {
            connection = std::move(idle_.back());
            idle_.pop_back();
        }
    }
    Reply reply = connection->query(ms, rows, stats);
    {
        std::lock_guard lock(mutex_);
        idle_.push_back(std::move(connection));
    }
    freed_.notify_one();
    return reply;
}

Reply blocking_query(Server& server, std::uint64_t ms, std::uint64_t rows) {
    // One pool per process. A child inherits its parent's pointer but must not touch the
    // parent's connections: it makes its own (the parent's stay with the parent; in fork and
    // prefork the parent never queries, so there are none).
    static std::mutex mutex;
    static BlockingPool* pool = nullptr;
    static pid_t owner = 0;
    BlockingPool* mine = nullptr;
    {
        std::lock_guard lock(mutex);
        if (pool == nullptr || owner != getpid()) {
            owner = getpid();
            // Never freed: it lives as long as the process (the parent's copy is abandoned in
            // a child, where its connections belong to the parent). A process with one thread
            // (sequential, a fork or prefork child) opens one connection of it at most.
            pool = new BlockingPool(server.settings.db_uri, server.settings.db_pool);
        }
        mine = pool;
    }
    return mine->query(ms, rows, *server.stats);
}

}  // namespace lab
