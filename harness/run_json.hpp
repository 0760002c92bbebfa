// The run's object in the results file: every field of results/SCHEMA.md's "Each run" shaped
// from what the engine, the run targets and server_window.hpp measured. Nothing here measures;
// a figure the harness cannot know is written as null.
#pragma once

#include <sys/resource.h>

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "counters.hpp"
#include "engine.hpp"
#include "perf_stat.hpp"
#include "run.hpp"
#include "server_window.hpp"

namespace lab {

// The run object's fields that do not depend on where the server figures come from: what
// was run, the window, and the `client` object. `steal_pct` is nullopt (null) when the window
// never opened or /proc/stat could not be read at its edges.
nlohmann::json run_json(const RunSpec& spec, const EngineResult& r,
                        std::optional<double> steal_pct);

// The `server` object's figures of a spawned server over the window (to add to the object
// that says where they came from).
nlohmann::json server_json(const SpawnedWindow& w);
// The `server` object's figures read from STATS (--connect).
nlohmann::json server_json(const StatsWindow& w);

// The `per_request` object.
nlohmann::json per_request_json(const PerRequest& p);

// `server.perf`: perf's counts beside the harness's figures for the same window, or the
// error that kept perf from counting.
nlohmann::json perf_json(const std::optional<PerfCounts>& counts, const std::string& error,
                         const SpawnedWindow& w);

// `server.lifetime`: a spawned server's whole-life rusage from wait4 (`own`, which includes
// its exited threads) plus its reaped children's (the counter block's sum).
nlohmann::json lifetime_json(const struct rusage& own, const Rusage& children);

// The `timeseries` array.
nlohmann::json timeseries_json(const std::vector<SeriesPoint>& series);

}  // namespace lab
