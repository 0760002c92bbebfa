// One run: a fresh server (or one given with --connect), one engine measurement, and the
// server-side figures over the same window. A sweep is many runs. How a run is split into
// its jobs is in run.cpp's opening comment.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "database.hpp"
#include "engine.hpp"

namespace lab {

struct RunSpec {
    std::string model;
    std::uint64_t connections = 1;
    std::uint64_t repeat = 0;
    EngineConfig engine;  // host/port are filled in by run_once
    // Spawned server (default): binary and extra arguments.
    std::string server_bin;
    std::vector<std::string> server_args;
    // --connect HOST:PORT instead: no server is started; figures come from STATS alone.
    std::optional<std::string> connect_host;
    std::uint16_t connect_port = 0;
    std::uint64_t sample_interval_ns = 100'000'000;
    // Attach `perf stat` to the server for the window, as an independent check (spawned only).
    bool perf = false;
    // The database the server uses (database.hpp): a spawned server is given --db URI when
    // db.passed_by_harness; the database is read at the window's edges when the workload has
    // a QUERY.
    DbSettings db;
};

struct RunOutcome {
    nlohmann::json run;          // the run's object in the results file (see results/SCHEMA.md)
    bool server_failed = false;  // the server crashed or did not exit cleanly
    std::string failure;         // why, in one line (a wrong reply, a crash)
    bool start_failed = false;   // the server did not start (a usage problem: exit 2)
};

// Runs one measurement. `progress` is called about once a second from this thread.
RunOutcome run_once(const RunSpec& spec, const std::function<void(const Progress&)>& progress,
                    const std::atomic<bool>& interrupted);

}  // namespace lab
