// A results file as lab-plot's figures read it: its runs grouped by workload, then by model and
// connection count, with the repeats of each. load_sweep checks what every figure relies on
// (the file, its schema_version, that it has runs, and each run's model, workload, connections
// and repeat); the figures check the measured fields they read themselves (sweep_figures.hpp).
#pragma once

#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace lab::plot {

// One run of the results file, copied out of its "runs" array.
struct Run {
    std::size_t index = 0;  // its position in "runs", so that messages can say runs[INDEX]
    std::string model;
    std::string workload;
    std::uint64_t connections = 0;
    std::uint64_t repeat = 0;
    nlohmann::json data;  // the whole run object, as the file has it

    // "runs[7] (fork, workload io, 8 connections, repeat 0)": names the run in messages.
    std::string label() const;
};

// The runs of one workload: what one set of figures shows.
struct WorkloadRuns {
    std::string name;
    std::string description;  // config.workloads[].description; empty if the file has none
    bool open_loop = false;   // runs were driven on a schedule (--rate), not closed loop
    double rate_rps = 0;      // open loop: the scheduled total rate
    bool spawned = true;      // false: --connect, so no /proc figures (memory, tasks, series)
    std::vector<std::string> models;         // config.models order, then others as they appear
    std::vector<std::uint64_t> connections;  // ascending, each once
    std::vector<Run> runs;                   // in file order

    // The runs of one (model, connections), one per repeat, in file order; empty if none.
    std::vector<const Run*> repeats_of(const std::string& model, std::uint64_t connections) const;
};

// A results file, read and grouped. Owns copies of everything it points to.
struct Sweep {
    std::string path;    // as given on the command line
    std::string name;    // the file name without .json: names the output directory
    nlohmann::json doc;  // the file's top level (tool, machine, config...) without its runs
    std::vector<WorkloadRuns> workloads;  // config.workloads order, then others as they appear
};

// Reads and groups a results file. Returns nullopt and sets error to one line naming the file
// and what is wrong with it: missing or unreadable, not JSON, an unknown schema_version
// (lab::read_results decides), no runs, or a run without its model, workload, connections or
// repeat.
std::optional<Sweep> load_sweep(const std::string& path, std::string& error);

}  // namespace lab::plot
