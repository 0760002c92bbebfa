// A spawned target (run_target.hpp): a fresh lab-server for one run. Its figures come from the
// counter block it maps, its process tree in /proc (read at the window's edges and sampled in
// between), wait4 at its end, and perf stat when asked.
#include <unistd.h>

#include <memory>

#include "counters.hpp"
#include "perf_stat.hpp"
#include "proc_sampler.hpp"
#include "results.hpp"
#include "run_json.hpp"
#include "run_target.hpp"
#include "server_sampler.hpp"

namespace lab {
namespace {

using nlohmann::json;

// The counter block's file: one per run, in shared memory.
std::string stats_path() {
    static std::uint64_t run_counter = 0;
    return "/dev/shm/lab-harness." + std::to_string(getpid()) + "." +
           std::to_string(run_counter++) + ".stats";
}

class SpawnedTarget : public RunTarget {
  public:
    SpawnedTarget(const RunSpec& spec, SpawnedServer server, StatsRegion region)
        : server_(std::move(server)),
          region_(std::move(region)),
          sampler_(server_.pid(), region_.block(), server_.port(), spec.sample_interval_ns),
          affinity_(cpu_affinity(server_.pid())),
          perf_asked_(spec.perf),
          perf_(perf_asked_ ? PerfStat::attach(server_.pid(), perf_error_) : std::nullopt) {}

    const std::string& host() const override { return server_.host(); }
    std::uint16_t port() const override { return server_.port(); }

    void window_start() override {
        // perf first: its enable waits for an acknowledgement, which must not eat into the
        // window of the other figures.
        if (perf_ && !perf_->enable()) perf_error_ = "perf did not start counting";
        window_opened_ = true;
        BlockReading block = read_block(region_.block());
        auto tree = sample_tree(server_.pid(), false, true);
        if (tree) start_ = EdgeReading{std::move(*tree), block};
    }

    void window_end() override {
        auto tree = sample_tree(server_.pid(), false, true);
        BlockReading block = read_block(region_.block());
        if (tree) end_ = EdgeReading{std::move(*tree), block};
        if (perf_ && perf_error_.empty()) perf_counts_ = perf_->finish(perf_error_);
    }

    TargetReport finish(const EngineResult& r) override;

  private:
    SpawnedServer server_;
    StatsRegion region_;
    ServerSampler sampler_;
    std::string affinity_;
    bool perf_asked_;         // --perf: the report has `perf`, with counts or an error
    std::string perf_error_;  // made before perf_: attach() fills it while perf_ is made
    std::optional<PerfStat> perf_;
    std::optional<PerfCounts> perf_counts_;
    bool window_opened_ = false;
    std::optional<EdgeReading> start_;  // nullopt: not read (no window, or the tree was gone)
    std::optional<EdgeReading> end_;
};

TargetReport SpawnedTarget::finish(const EngineResult& r) {
    sampler_.stop();
    TargetReport report;
    report.exit = server_.stop();
    std::vector<Sample> samples = sampler_.samples();
    json& server = report.server;
    server = {{"figures_from", "counter block, /proc, wait4"}, {"cpu_affinity", affinity_}};
    // The event library's mechanism (libevent), or null: a loop written by hand, or no loop.
    std::string method = event_method(region_.block());
    server["event_method"] = method.empty() ? json(nullptr) : json(method);
    if (start_ && end_) {
        SpawnedWindow w =
            account_spawned_window(*start_, *end_, samples, {r.window_start_mono_ns, r.window_ns});
        server.update(server_json(w));
        server["sampler_cpu_s"] = static_cast<double>(sampler_.own_cpu_ns()) / 1e9;
        server["samples"] = samples.size();
        if (perf_asked_) server["perf"] = perf_json(perf_counts_, perf_error_, w);
        report.per_request = per_request(w);
    } else if (!window_opened_) {
        server["note"] = "the run was interrupted before its window opened: no server figures";
    } else {
        server["note"] = "the server's process tree could not be read at the window's edges";
    }
    // The mapping outlives the server: its reaped children's sum is final now.
    server["lifetime"] = lifetime_json(report.exit->usage, load_rusage(region_.block().children));
    report.timeseries = timeseries_json(time_series(samples, r.window_start_mono_ns));
    return report;
}

}  // namespace

std::unique_ptr<RunTarget> start_spawned_target(const RunSpec& spec, std::string& error) {
    std::string path = stats_path();
    std::vector<std::string> args = {"--model", spec.model, "--port", "0", "--stats-file", path};
    // The harness's database, unless the run's own arguments name one (run.server_args lists
    // those only; database.uri says which the server used).
    if (spec.db.passed_by_harness) args.insert(args.end(), {"--db", spec.db.uri});
    args.insert(args.end(), spec.server_args.begin(), spec.server_args.end());
    auto server = SpawnedServer::start(spec.server_bin, args, error);
    if (!server) {
        unlink(path.c_str());
        return nullptr;
    }
    auto region = StatsRegion::open_readonly(path, error);
    // The mapping is all the harness needs: removing the name now means even a harness killed
    // with SIGKILL leaves no file behind (the server keeps writing to its mapping).
    unlink(path.c_str());
    if (!region) {
        server->stop();
        return nullptr;
    }
    return std::make_unique<SpawnedTarget>(spec, std::move(*server), std::move(*region));
}

}  // namespace lab
