// The database behind QUERY (issue 14) as lab-harness sees it: which one it and the servers it
// starts use, each run's server's settings for it, and what the database says at the edges of
// the window (results/SCHEMA.md, `database`).
//
// lab-harness links no server code (tests/link_boundary.cmake), so it does not call
// shared/backend.cpp's default_db_uri(): harness_db_uri() below is its own copy of that lookup
// ($LAB_DB_URI, else build/db/uri found from the program's own path). The database is read by
// running psql (Debian's postgresql-client) as a process, and its processes' CPU time from
// /proc: nothing here speaks PostgreSQL's protocol.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <future>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace lab {

// The database URI lab-harness uses, and where it came from.
struct DbUri {
    std::string uri;     // "" when there is none
    std::string source;  // "--db", "LAB_DB_URI", the build/db/uri file read, or "none"
};

// The URI a lab-server given no --db uses, as lab-harness finds it: `env_value` ($LAB_DB_URI)
// if set (even empty: none), else the first line of build/db/uri, found from the program's
// path `exe` as lab-server finds it from its own (build/PRESET/bin/PROGRAM: three directories
// up, then db/uri), else none.
DbUri harness_db_uri(const char* env_value, const std::string& exe);
// The same for this process: getenv("LAB_DB_URI") and /proc/self/exe.
DbUri harness_db_uri();

// The value of lab-server flag `name` in `args` (`--name=VALUE`, or `--name` then `VALUE`):
// the last one given, as the server takes it; nullopt if it is not there.
std::optional<std::string> flag_value(const std::vector<std::string>& args, std::string_view name);

// A run's server and its database (results/SCHEMA.md, `database`).
struct DbSettings {
    std::string uri;                       // the URI the server uses ("" none), read at the edges
    bool passed_by_harness = false;        // lab-harness gives it to the server as --db URI
    std::optional<std::uint64_t> pool;     // --db-pool; nullopt: not known (see below)
    std::optional<bool> blocking_in_loop;  // --db-blocking-in-loop; nullopt: not known
};

// For a server lab-harness starts with `args` (the run's --server-arg values): its own --db,
// or else the harness's URI, which lab-harness then passes to it (even "": none); --db-pool
// as given, else its
// default from the server's listing (`listed_flags`, its model's flags); whether
// --db-blocking-in-loop was given. A server whose listing has no --db-pool knows no database:
// nothing is passed to it, and pool and blocking_in_loop are not known.
DbSettings spawned_db_settings(const std::vector<std::string>& args, const std::string& harness_uri,
                               const nlohmann::json& listed_flags);
// For a server started elsewhere (--connect): the harness's URI, to read; its flags are not
// known.
DbSettings connected_db_settings(const std::string& harness_uri);

// What psql says about the database at one moment.
struct PsqlReading {
    std::uint64_t max_connections = 0;
    std::uint64_t backends = 0;  // client backends of the URI's database, psql's own left out
    pid_t checkpointer = 0;      // a long-lived process of the cluster (0: none listed)
};
// psql's unaligned output of kReadingSql ("100 9 4321"), or nullopt if it is not that.
std::optional<PsqlReading> parse_psql_reading(std::string_view out);

// The CPU time (s) of the cluster whose postmaster is `postmaster`, from /proc: utime + stime
// of its live processes (every task) and the postmaster's cutime + cstime (its reaped
// children: backends that have ended). nullopt if the postmaster is gone or not readable.
std::optional<double> cluster_cpu_s(pid_t postmaster);
// cutime + cstime of a /proc/PID/stat line, in clock ticks; nullopt if it is cut short.
std::optional<std::uint64_t> reaped_children_ticks(std::string_view stat_line);

// One edge's reading: what psql said, the cluster's CPU time, and why a figure is missing.
struct DbReading {
    std::optional<PsqlReading> psql;
    std::optional<double> cpu_s;
    std::string error;
};

// The database of one run, read at the window's edges when the run's workload has a QUERY
// and there is a database. A reading is the cluster's CPU from /proc first, then psql (a few
// tens of ms). window_start returns at once, its reading running on a thread of its own, so
// the engine never waits for it inside the window. window_end reads before it returns: it is
// called once the window is over (its time counts in no figure), and before the engine closes
// its connections, so the backends that serve them are still there to count (a fork model's
// children, each with its own database session, end with their clients).
class DatabaseWatch {
  public:
    DatabaseWatch(DbSettings settings, bool workload_queries);
    // Before the run: one psql run (bounded in time) to find the cluster's postmaster.
    void prepare();
    void window_start();
    void window_end();
    // The run's `database` object; waits for the readings.
    nlohmann::json finish();

  private:
    bool reads() const { return queries_ && !settings_.uri.empty(); }
    DbSettings settings_;
    bool queries_;
    std::optional<pid_t> postmaster_;
    std::string prepare_error_;
    std::future<DbReading> start_;
    std::optional<DbReading> end_;
};

// The `database` object from the settings and the readings at the edges (nullopt: not read).
nlohmann::json database_json(const DbSettings& settings, bool workload_queries,
                             const std::optional<DbReading>& start,
                             const std::optional<DbReading>& end, const std::string& error);

}  // namespace lab
