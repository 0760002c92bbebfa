// See run_json.hpp. Field by field as results/SCHEMA.md lists them.
#include "run_json.hpp"

#include <algorithm>

#include "histogram.hpp"
#include "workload.hpp"

namespace lab {
namespace {

using nlohmann::json;

json percentiles(const Histogram& h) {
    return {{"p50", h.percentile(50)},    {"p90", h.percentile(90)}, {"p99", h.percentile(99)},
            {"p999", h.percentile(99.9)}, {"max", h.max()},          {"mean", h.mean()}};
}

json buckets(const Histogram& h) {
    json out = json::array();
    for (const auto& [upper, count] : h.buckets())
        out.push_back({upper, count});
    return out;
}

double seconds(std::uint64_t us) {
    return static_cast<double>(us) / 1e6;
}

json optional_number(const std::optional<std::uint64_t>& value) {
    return value ? json(*value) : json(nullptr);
}

// {min, max, jain_fairness} of the requests per connection slot.
json fairness(const std::vector<std::uint64_t>& per_connection) {
    bool none = per_connection.empty();
    return {{"min", none ? 0 : *std::min_element(per_connection.begin(), per_connection.end())},
            {"max", none ? 0 : *std::max_element(per_connection.begin(), per_connection.end())},
            {"jain_fairness", jain_fairness(per_connection)}};
}

// The `client` object: what the engine measured.
json client_json(const RunSpec& spec, const EngineResult& r, std::optional<double> steal_pct) {
    double window_s = static_cast<double>(r.window_ns) / 1e9;
    json client = {
        {"requests", r.requests},
        {"throughput_rps", window_s > 0 ? static_cast<double>(r.requests) / window_s : 0.0},
        {"errors",
         {{"refused", r.errors.refused},
          {"reset", r.errors.reset},
          {"timeout", r.errors.timeout},
          {"wrong_reply", r.errors.wrong_reply},
          {"server_err", r.errors.server_err},
          {"backend_unavailable", r.errors.backend_unavailable},
          {"wait_timeout", r.errors.wait_timeout}}},
        {"latency_ns", percentiles(r.latency)},
        {"histogram", buckets(r.latency)},
        {"connect_ns", {{"p50", r.connect.percentile(50)}, {"p99", r.connect.percentile(99)}}},
        {"per_connection_requests", fairness(r.per_connection_requests)},
        {"unfinished", r.unfinished},
        {"connect_timeouts", r.connect_timeouts},
        {"connected",
         {{"window_start", r.connected_at_window_start},
          {"window_end", r.connected_at_window_end}}},
        {"all_connected_s",
         r.all_connected_ns ? json(static_cast<double>(*r.all_connected_ns) / 1e9) : json(nullptr)},
        {"idle_clients", spec.engine.workload.idle ? json{{"connections", r.idle_connections},
                                                          {"requests", r.idle_requests}}
                                                   : json(nullptr)},
        {"steal_pct", steal_pct ? json(*steal_pct) : json(nullptr)},
        {"harness_cpu_s", static_cast<double>(r.harness_cpu_ns) / 1e9},
        {"harness_cpu_us_per_request", r.requests > 0 ? static_cast<double>(r.harness_cpu_ns) /
                                                            1e3 / static_cast<double>(r.requests)
                                                      : 0.0},
    };
    if (spec.engine.rate_rps > 0) {
        client["latency_uncorrected_ns"] = percentiles(r.latency_uncorrected);
        client["histogram_uncorrected"] = buckets(r.latency_uncorrected);
    }
    return client;
}

// `connect_pace`: null without the workload's connect_pace.
json pace_json(const RunSpec& spec) {
    const auto& p = spec.engine.workload.pace;
    if (!p) return nullptr;
    std::uint64_t last_group_ns = pacing_ns(p, spec.connections);
    return {{"group", p->group},
            {"every_s", static_cast<double>(p->every_ns) / 1e9},
            {"last_group_s", static_cast<double>(last_group_ns) / 1e9},
            {"longer_than_warmup", last_group_ns > spec.engine.warmup_ns}};
}

json backend_json(const BackendCounts& b) {
    return {{"queries", b.queries},
            {"failures", b.failures},
            {"query_ns", b.query_ns},
            {"pool_wait_ns", b.pool_wait_ns}};
}

}  // namespace

json run_json(const RunSpec& spec, const EngineResult& r, std::optional<double> steal_pct) {
    bool open = spec.engine.rate_rps > 0;
    return {{"model", spec.model},
            {"workload", spec.engine.workload.name},
            {"connections", spec.connections},
            {"repeat", spec.repeat},
            {"duration_s", static_cast<double>(r.window_ns) / 1e9},
            {"loop", open ? "open" : "closed"},
            {"rate_rps", open ? json(spec.engine.rate_rps) : json(nullptr)},
            {"source", spec.connect_host ? "connect" : "spawned"},
            {"server_args", spec.server_args},
            {"connect_pace", pace_json(spec)},
            {"client", client_json(spec, r, steal_pct)}};
}

json server_json(const SpawnedWindow& w) {
    json blocking = json::object();
    for (std::size_t i = 0; i < kBlockingNames.size(); ++i)
        blocking[kBlockingNames[i]] = w.blocking_ns[i];
    json loops = json::array();
    for (const LoopCounts& loop : w.loops) {
        loops.push_back(
            {{"connections_accepted", loop.connections_accepted}, {"requests", loop.requests}});
    }
    return {{"requests", w.requests},
            {"connections_active",
             {{"window_start", w.connections_active.window_start},
              {"window_end", w.connections_active.window_end}}},
            {"connections_queued",
             {{"window_start", w.connections_queued.window_start},
              {"window_end", w.connections_queued.window_end}}},
            {"connections_accepted", w.connections_accepted},
            {"connections_rejected", w.connections_rejected},
            {"cpu_user_s", w.cpu_user_s},
            {"cpu_system_s", w.cpu_system_s},
            {"voluntary_ctx_switches", w.voluntary_ctx_switches},
            {"involuntary_ctx_switches", w.involuntary_ctx_switches},
            {"oncpu_ns", w.oncpu_ns},
            {"runqueue_ns", w.runqueue_ns},
            {"blocked_ns", w.blocked_ns},
            {"blocking_ns", blocking},
            {"backend", backend_json(w.backend)},
            {"loops", loops},
            {"peak_threads", w.peak_threads},
            {"peak_kernel_threads", w.peak_kernel_threads},
            {"peak_processes", w.peak_processes},
            {"peak_rss_kb", w.peak_rss_kb},
            {"peak_pss_kb", optional_number(w.peak_pss_kb)},
            {"peak_vm_kb", w.peak_vm_kb},
            {"accept_queue_max", optional_number(w.accept_queue_max)}};
}

json server_json(const StatsWindow& w) {
    json blocking = json::object();
    for (std::size_t i = 0; i < kBlockingNames.size(); ++i)
        blocking[kBlockingNames[i]] = optional_number(w.blocking_ns[i]);
    return {{"cpu_user_s", w.cpu_user_s},
            {"cpu_system_s", w.cpu_system_s},
            {"voluntary_ctx_switches", w.voluntary_ctx_switches},
            {"involuntary_ctx_switches", w.involuntary_ctx_switches},
            {"blocking_ns", blocking},
            {"backend", w.backend ? backend_json(*w.backend) : json(nullptr)},
            {"requests", w.requests}};
}

json per_request_json(const PerRequest& p) {
    return {{"cpu_us", p.cpu_us},
            {"voluntary_ctx_switches", p.voluntary_ctx_switches},
            {"involuntary_ctx_switches", p.involuntary_ctx_switches},
            {"blocked_us", p.blocked_us ? json(*p.blocked_us) : json(nullptr)}};
}

json perf_json(const std::optional<PerfCounts>& counts, const std::string& error,
               const SpawnedWindow& w) {
    if (!counts) return {{"error", error}};
    auto ratio = [](double ours, double theirs) { return theirs > 0 ? ours / theirs : 0.0; };
    return {{"context_switches", counts->context_switches},
            {"task_clock_ns", counts->task_clock_ns},
            {"syscalls", counts->syscalls ? json(*counts->syscalls) : json(nullptr)},
            {"ctx_switches_ratio", ratio(w.voluntary_ctx_switches + w.involuntary_ctx_switches,
                                         static_cast<double>(counts->context_switches))},
            {"oncpu_ratio", ratio(w.oncpu_ns, static_cast<double>(counts->task_clock_ns))}};
}

json lifetime_json(const struct rusage& own, const Rusage& children) {
    Rusage self = from_rusage(own);
    return {
        {"user_s", seconds(self.user_us + children.user_us)},
        {"system_s", seconds(self.system_us + children.system_us)},
        {"voluntary_ctx_switches", self.voluntary_ctx_switches + children.voluntary_ctx_switches},
        {"involuntary_ctx_switches",
         self.involuntary_ctx_switches + children.involuntary_ctx_switches},
        {"max_rss_kb", self.max_rss_kb},
        {"children_max_rss_kb", children.max_rss_kb}};
}

json timeseries_json(const std::vector<SeriesPoint>& series) {
    json out = json::array();
    for (const SeriesPoint& p : series) {
        out.push_back({{"t_s", p.t_s},
                       {"requests", p.requests},
                       {"connections_active", p.connections_active},
                       {"connections_queued", p.connections_queued},
                       {"threads", p.threads},
                       {"processes", p.processes},
                       {"rss_kb", p.rss_kb},
                       {"voluntary_ctx_switches", p.voluntary_ctx_switches},
                       {"involuntary_ctx_switches", p.involuntary_ctx_switches},
                       {"accept_queue", p.accept_queue}});
    }
    return out;
}

}  // namespace lab
