// The server a run measures, and where its server-side figures come from: a spawned target
// (a fresh lab-server, its counter block mapped, its process tree sampled from /proc, and
// perf when asked) or a connected one (a server started elsewhere, --connect, read through
// STATS). run_once drives either the same way: the engine calls window_start and
// window_end at the window's edges, then finish says what the target saw.
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "engine.hpp"
#include "run.hpp"
#include "server_window.hpp"
#include "spawned_server.hpp"

namespace lab {

// What a target says about its server after the run.
struct TargetReport {
    // The run's `server` object (results/SCHEMA.md): where the figures came from, and the
    // figures, or a `note` saying why there are none.
    nlohmann::json server = nlohmann::json::object();
    std::optional<PerRequest> per_request;  // nullopt: no server figures for this window
    nlohmann::json timeseries = nlohmann::json::array();  // empty: nothing sampled it
    std::optional<ServerExit> exit;  // how a spawned server ended; nullopt: not ours to stop
};

// One run's server, owned by run_once for the run. Not copyable (it may own a process).
class RunTarget {
  public:
    RunTarget() = default;
    RunTarget(const RunTarget&) = delete;
    RunTarget& operator=(const RunTarget&) = delete;
    virtual ~RunTarget() = default;  // stops a server the target started, if finish did not
    // Where the engine connects.
    virtual const std::string& host() const = 0;
    virtual std::uint16_t port() const = 0;
    // Read the server at the window's edges. Called on the engine's thread, each at most
    // once, window_end only after window_start; neither is called if the run was interrupted
    // before its window opened.
    virtual void window_start() = 0;
    virtual void window_end() = 0;
    // After the engine has returned: stops what the target started and reports. Call once.
    virtual TargetReport finish(const EngineResult& r) = 0;
};

// Starts spec.server_bin for spec.model on a free port and maps its counter block. nullptr and
// a one-line reason if it did not start (a usage problem: the run's start_failed).
std::unique_ptr<RunTarget> start_spawned_target(const RunSpec& spec, std::string& error);

// The server at spec.connect_host:spec.connect_port. Starts nothing and stops nothing; never
// fails here (a server that is not there shows in the engine's errors).
std::unique_ptr<RunTarget> connected_target(const RunSpec& spec);

}  // namespace lab
