// One run, start to end, the same for a spawned server and a --connect one: start the target,
// run the engine with the target's readings at the window's edges, then one tail shapes the
// run's object and decides whether the server failed. The rooms it calls:
//   run_target.hpp    - the server and where its figures come from (spawned_target.cpp,
//                       connected_target.cpp)
//   server_window.hpp - the window's arithmetic, pure functions of the readings
//   run_json.hpp      - the run's object in the results file (results/SCHEMA.md)
//   database.hpp      - the database behind QUERY, read at the window's edges
#include "run.hpp"

#include <sys/wait.h>

#include <memory>

#include "proc_sampler.hpp"
#include "run_json.hpp"
#include "run_target.hpp"

namespace lab {
namespace {

// Why the server failed, or nullopt: a wrong reply, or a spawned server that did not exit
// cleanly (a server started elsewhere is not the harness's to judge by its exit).
std::optional<std::string> server_failure(const EngineResult& r,
                                          const std::optional<ServerExit>& exit) {
    if (r.errors.wrong_reply > 0) return "wrong reply: " + r.first_wrong_reply;
    if (!exit || exit->exited_cleanly) return std::nullopt;
    std::string failure =
        "the server did not exit cleanly (status " + std::to_string(exit->status) + ")";
    if (WIFSIGNALED(exit->status))
        failure += ": killed by signal " + std::to_string(WTERMSIG(exit->status));
    return failure;
}

// The tail both kinds of target share: the run's object and the verdict.
RunOutcome outcome_of(const RunSpec& spec, const EngineResult& r, std::optional<double> steal_pct,
                      TargetReport report) {
    RunOutcome outcome;
    outcome.run = run_json(spec, r, steal_pct);
    outcome.run["server"] = std::move(report.server);
    if (report.per_request) outcome.run["per_request"] = per_request_json(*report.per_request);
    outcome.run["timeseries"] = std::move(report.timeseries);
    if (auto failure = server_failure(r, report.exit)) {
        outcome.server_failed = true;
        outcome.failure = *failure;
    }
    return outcome;
}

}  // namespace

RunOutcome run_once(const RunSpec& spec, const std::function<void(const Progress&)>& progress,
                    const std::atomic<bool>& interrupted) {
    std::string error;
    std::unique_ptr<RunTarget> target =
        spec.connect_host ? connected_target(spec) : start_spawned_target(spec, error);
    if (!target) {
        RunOutcome outcome;
        outcome.start_failed = true;
        outcome.failure = error;
        return outcome;
    }
    EngineConfig config = spec.engine;
    config.host = target->host();
    config.port = target->port();
    DatabaseWatch database(spec.db, has_request(spec.engine.workload, RequestSpec::Kind::Query));
    database.prepare();
    // The machine's steal share over the window, read just inside the target's edges.
    std::optional<CpuTimes> cpu_start;
    std::optional<CpuTimes> cpu_end;
    EngineHooks hooks;
    hooks.window_start = [&] {
        target->window_start();
        cpu_start = read_cpu_times();
        database.window_start();
    };
    hooks.window_end = [&] {
        cpu_end = read_cpu_times();
        target->window_end();
        database.window_end();  // last: it takes a while, and the window is over
    };
    hooks.progress = progress;
    EngineResult r = run_engine(config, hooks, interrupted);
    std::optional<double> steal;
    // A reading of 0 is read_cpu_times' failure (no /proc/stat): then steal is not known.
    if (cpu_start && cpu_end && cpu_start->total > 0 && cpu_end->total > 0)
        steal = steal_pct(*cpu_start, *cpu_end);
    RunOutcome outcome = outcome_of(spec, r, steal, target->finish(r));
    outcome.run["database"] = database.finish();
    return outcome;
}

}  // namespace lab
