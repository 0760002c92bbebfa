// QUERY's database, as the blocking models use it: libpq's blocking calls (PQexecParams) on a
// connection that the calling thread holds for the query. The pieces every model shares (the
// connection's parameters, the SQL, turning a result into a reply) are here too; the event
// loops' asynchronous pool is async_backend.hpp.
//
// The database is a real PostgreSQL: the lab's own cluster (./lab db start, harness/db/) or any
// other with harness/db/schema.sql loaded. A query that cannot be made (no database, a
// connection refused or broken, the statement timing out) is ERR 503 backend unavailable,
// within a bounded time: connecting gives up after kConnectTimeoutS, the database ends a
// statement after kStatementTimeoutMs, and after a failed connect the server does not try again
// for kRetryAfterMs (replying 503 at once meanwhile). The next query after that reconnects.
#pragma once

#include <libpq-fe.h>
#include <sys/types.h>

#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "service.hpp"

namespace lab {

inline constexpr int kConnectTimeoutS = 2;
inline constexpr std::uint64_t kStatementTimeoutMs = kMaxQueryMs + 5'000;
inline constexpr std::uint64_t kRetryAfterMs = 500;
// The one statement QUERY runs: lab_query sleeps $1 ms in the database, then returns rows
// 1..$2 of lab_rows (harness/db/schema.sql).
inline constexpr const char* kQuerySql = "SELECT * FROM lab_query($1::integer, $2::integer)";

// The default database: the URI that `./lab db start` wrote into build/db/uri beside the
// running lab-server binary (build/PRESET/bin/lab-server or build/PRESET/models/lab-server),
// or "" if there is none. LAB_DB_URI in the environment comes first.
std::string default_db_uri();

// Connection parameters for PQconnectdbParams / PQconnectStartParams: the URI, then the lab's
// own settings (connect timeout, statement timeout, application name). Owns its strings.
class ConnectParams {
  public:
    explicit ConnectParams(const std::string& uri);
    const char* const* keywords() const { return keywords_.data(); }
    const char* const* values() const { return values_.data(); }

  private:
    std::vector<std::string> storage_;
    std::vector<const char*> keywords_;
    std::vector<const char*> values_;
};

// QUERY's two parameters as text, for PQexecParams / PQsendQueryParams.
struct QueryParams {
    QueryParams(std::uint64_t ms, std::uint64_t rows);
    std::string ms_text;
    std::string rows_text;
    const char* values[2];
};

// The reply to QUERY from its result: OK <rows> and the rows (each payload and a LF) as the
// body; ERR 503 if the query failed, ERR 500 if the rows are not the lab's table's shape.
Reply reply_from_result(const PGresult* result);

// Counts one query's outcome in the counter block (backend_queries or backend_failures, and
// its time in the database).
void count_query(StatsBlock& stats, const Reply& reply, std::uint64_t query_ns);

// One connection used with the blocking API. Connects when first used, and again after a
// failure (not before kRetryAfterMs has passed since the last failed connect).
class BlockingConnection {
  public:
    explicit BlockingConnection(std::string uri) : uri_(std::move(uri)) {}
    ~BlockingConnection();
    BlockingConnection(const BlockingConnection&) = delete;
    BlockingConnection& operator=(const BlockingConnection&) = delete;

    // Runs QUERY ms rows, blocking the calling thread until the database answers (counted as
    // blocking_ns.backend, and traced as a backend span).
    Reply query(std::uint64_t ms, std::uint64_t rows, StatsBlock& stats);

  private:
    bool connect(StatsBlock& stats);
    std::string uri_;
    PGconn* conn_ = nullptr;
    std::uint64_t retry_at_ns_ = 0;
};

// The connections a server's threads share: at most `size`, opened when first needed. A thread
// that finds none free waits for one (blocking_ns.pool). Thread-safe.
class BlockingPool {
  public:
    BlockingPool(std::string uri, std::size_t size) : uri_(std::move(uri)), size_(size) {}
    Reply query(std::uint64_t ms, std::uint64_t rows, StatsBlock& stats);

  private:
    std::string uri_;
    std::size_t size_;
    std::mutex mutex_;
    std::condition_variable freed_;
    std::vector<std::unique_ptr<BlockingConnection>> idle_;
    std::size_t opened_ = 0;
};

// QUERY in a blocking model: the calling process's pool, made at its first query. Threads of
// one process share it (--db-pool connections); a forked child (fork, prefork) never uses its
// parent's connections (a libpq connection must not cross fork()) and gets a pool of its own,
// of one connection: one database session per process.
Reply blocking_query(Server& server, std::uint64_t ms, std::uint64_t rows);

}  // namespace lab
