// One run and the server-side figures over its window. Every figure written here is listed
// in results/SCHEMA.md with its source and what that source misses.
#include "run.hpp"

#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <future>
#include <mutex>
#include <thread>
#include <unordered_map>

#include "clock.hpp"
#include "counters.hpp"
#include "net.hpp"
#include "perf_stat.hpp"
#include "proc_sampler.hpp"
#include "results.hpp"
#include "spawned_server.hpp"

namespace lab {
namespace {

using nlohmann::json;

inline constexpr std::size_t kMaxTimeseries = 10'000;            // samples kept per run
inline constexpr std::uint64_t kMaxSampleGapNs = 1'000'000'000;  // a sample at least this often

// What the server's counter block says at one moment.
struct BlockSnapshot {
    std::uint64_t requests = 0;
    std::uint64_t errors = 0;
    std::uint64_t connections_active = 0;
    std::uint64_t connections_accepted = 0;
    std::uint64_t connections_rejected = 0;
    std::uint64_t connections_queued = 0;  // waiting in a pool's queue (threadpool)
    // Waits still in progress are in blocking_ns[queue] too (read_queue), so that a connection
    // that waits all run long counts in every window it spans.
    std::array<std::uint64_t, kBlockingNames.size()> blocking_ns{};
    Rusage exited_threads;
    Rusage children;
};

BlockSnapshot snapshot(const StatsBlock& b) {
    BlockSnapshot s;
    s.requests = load(b.requests);
    s.errors = load(b.errors);
    s.connections_active = load(b.connections_active);
    s.connections_accepted = load(b.connections_accepted);
    s.connections_rejected = load(b.connections_rejected);
    for (std::size_t i = 0; i < s.blocking_ns.size(); ++i)
        s.blocking_ns[i] = load(b.blocking_ns[i]);
    QueueReading queue = read_queue(b, mono_ns());
    s.connections_queued = queue.waiting;
    s.blocking_ns[static_cast<std::size_t>(Blocking::Queue)] = queue.wait_ns;
    s.exited_threads = load_rusage(b.exited_threads);
    s.children = load_rusage(b.children);
    return s;
}

struct Sample {
    TreeSample tree;
    std::uint64_t requests = 0;
    std::uint64_t connections_active = 0;  // being served (counter block)
    std::uint64_t connections_queued = 0;  // waiting in a pool's queue (counter block)
    std::uint64_t accept_queue = 0;
    // Context switches of tasks that have ended (the block's exited-thread and child sums):
    // added to the live tasks' counts, they make a series that never drops when tasks exit.
    std::uint64_t ended_voluntary = 0;
    std::uint64_t ended_involuntary = 0;
};

// Samples the server's process tree in the background, every interval (longer when a
// sample itself takes long: with thousands of tasks, walking /proc is not free).
class Sampler {
  public:
    Sampler(pid_t pid, const StatsBlock* block, std::uint16_t port, std::uint64_t interval_ns)
        : pid_(pid), block_(block), port_(port), interval_ns_(interval_ns) {
        thread_ = std::thread([this] { loop(); });
    }
    ~Sampler() { stop(); }
    void stop() {
        {
            std::lock_guard lock(mutex_);
            stopping_ = true;
        }
        if (thread_.joinable()) thread_.join();
    }
    std::vector<Sample> samples() {
        std::lock_guard lock(mutex_);
        return samples_;
    }
    std::uint64_t own_cpu_ns() {
        std::lock_guard lock(mutex_);
        return own_cpu_ns_;
    }

  private:
    void loop() {
        while (true) {
            std::uint64_t started = mono_ns();
            std::uint64_t cpu_before = thread_cpu_ns();
            Sample s;
            // Read at the sample's time stamp (the walk's start): walking 10,000 tasks takes
            // a good part of a second, and the server does not stand still meanwhile.
            if (block_ != nullptr) {
                s.requests = load(block_->requests);
                s.connections_active = load(block_->connections_active);
                s.connections_queued = read_queue(*block_, mono_ns()).waiting;
            }
            auto tree = sample_tree(pid_, true);
            if (tree) s.tree = *tree;
            if (block_ != nullptr) {
                s.ended_voluntary = load(block_->exited_threads.voluntary_ctx_switches) +
                                    load(block_->children.voluntary_ctx_switches);
                s.ended_involuntary = load(block_->exited_threads.involuntary_ctx_switches) +
                                      load(block_->children.involuntary_ctx_switches);
            }
            s.accept_queue = accept_queue_length(port_);
            // The sampler's own CPU time for this sample, not its wall time: on a busy machine
            // the wall time includes waiting for a CPU, which says nothing about its cost.
            std::uint64_t took = thread_cpu_ns() - cpu_before;
            {
                std::lock_guard lock(mutex_);
                own_cpu_ns_ += took;
                if (tree && samples_.size() < kMaxTimeseries) samples_.push_back(s);
                if (stopping_) return;
            }
            // At most a fifth of a CPU for sampling (many tasks make a sample dear), and a
            // sample at least every second.
            std::uint64_t wait = std::max(interval_ns_, std::min(took * 5, kMaxSampleGapNs));
            std::uint64_t until = started + wait;
            while (mono_ns() < until) {
                {
                    std::lock_guard lock(mutex_);
                    if (stopping_) return;
                }
                usleep(5'000);
            }
        }
    }

    pid_t pid_;
    const StatsBlock* block_;
    std::uint16_t port_;
    std::uint64_t interval_ns_;
    std::thread thread_;
    std::mutex mutex_;
    bool stopping_ = false;         // guarded by mutex_
    std::vector<Sample> samples_;   // guarded by mutex_
    std::uint64_t own_cpu_ns_ = 0;  // guarded by mutex_
};

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

// Sends STATS on a fresh connection and parses the reply (for --connect). A busy sequential
// server answers it late (after the harness's own connections close): up to 10 s.
std::optional<json> ask_stats(const std::string& host, std::uint16_t port) {
    addrinfo hints{};
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* found = nullptr;
    if (getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &found) != 0)
        return std::nullopt;
    int fd = socket(found->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    bool ok = fd >= 0 && connect(fd, found->ai_addr, found->ai_addrlen) == 0;
    freeaddrinfo(found);
    std::string line;
    if (ok) ok = send(fd, "STATS\nQUIT\n", 11, MSG_NOSIGNAL) == 11;
    std::uint64_t deadline = mono_ns() + 10'000'000'000;
    while (ok && line.find('\n') == std::string::npos && mono_ns() < deadline) {
        pollfd p{fd, POLLIN, 0};
        if (poll(&p, 1, 100) <= 0) continue;
        char buffer[4096];
        ssize_t n = recv(fd, buffer, sizeof buffer, 0);
        if (n <= 0) break;
        line.append(buffer, static_cast<std::size_t>(n));
    }
    if (fd >= 0) close(fd);
    if (!line.starts_with("OK {")) return std::nullopt;
    json j = json::parse(line.substr(3, line.find('\n') - 3), nullptr, false);
    if (j.is_discarded()) return std::nullopt;
    return j;
}

// The run object's fields that do not depend on where the server figures come from.
json base_run(const RunSpec& spec, const EngineResult& r) {
    double window_s = static_cast<double>(r.window_ns) / 1e9;
    bool open = spec.engine.rate_rps > 0;
    json client = {
        {"requests", r.requests},
        {"throughput_rps", window_s > 0 ? static_cast<double>(r.requests) / window_s : 0.0},
        {"errors",
         {{"refused", r.errors.refused},
          {"reset", r.errors.reset},
          {"timeout", r.errors.timeout},
          {"wrong_reply", r.errors.wrong_reply},
          {"server_err", r.errors.server_err}}},
        {"latency_ns", percentiles(r.latency)},
        {"histogram", buckets(r.latency)},
        {"connect_ns", {{"p50", r.connect.percentile(50)}, {"p99", r.connect.percentile(99)}}},
        {"per_connection_requests",
         {{"min", r.per_connection_requests.empty()
                      ? 0
                      : *std::min_element(r.per_connection_requests.begin(),
                                          r.per_connection_requests.end())},
          {"max", r.per_connection_requests.empty()
                      ? 0
                      : *std::max_element(r.per_connection_requests.begin(),
                                          r.per_connection_requests.end())},
          {"jain_fairness", jain_fairness(r.per_connection_requests)}}},
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
        {"harness_cpu_s", static_cast<double>(r.harness_cpu_ns) / 1e9},
        {"harness_cpu_us_per_request", r.requests > 0 ? static_cast<double>(r.harness_cpu_ns) /
                                                            1e3 / static_cast<double>(r.requests)
                                                      : 0.0},
    };
    if (open) {
        client["latency_uncorrected_ns"] = percentiles(r.latency_uncorrected);
        client["histogram_uncorrected"] = buckets(r.latency_uncorrected);
    }
    json pace = nullptr;
    if (const auto& p = spec.engine.workload.pace) {
        std::uint64_t last_group_ns = pacing_ns(p, spec.connections);
        pace = {{"group", p->group},
                {"every_s", static_cast<double>(p->every_ns) / 1e9},
                {"last_group_s", static_cast<double>(last_group_ns) / 1e9},
                {"longer_than_warmup", last_group_ns > spec.engine.warmup_ns}};
    }
    return {{"model", spec.model},
            {"workload", spec.engine.workload.name},
            {"connections", spec.connections},
            {"repeat", spec.repeat},
            {"duration_s", window_s},
            {"loop", open ? "open" : "closed"},
            {"rate_rps", open ? json(spec.engine.rate_rps) : json(nullptr)},
            {"source", spec.connect_host ? "connect" : "spawned"},
            {"server_args", spec.server_args},
            {"connect_pace", pace},
            {"client", client}};
}

json per_request(double cpu_s, double vol, double invol, double blocked_ns,
                 std::uint64_t requests) {
    double n = requests > 0 ? static_cast<double>(requests) : 1.0;
    bool any = requests > 0;
    return {{"cpu_us", any ? cpu_s * 1e6 / n : 0.0},
            {"voluntary_ctx_switches", any ? vol / n : 0.0},
            {"involuntary_ctx_switches", any ? invol / n : 0.0},
            {"blocked_us", any ? blocked_ns / 1e3 / n : 0.0}};
}

json rusage_lifetime(const struct rusage& own, const Rusage& children) {
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

RunOutcome run_connected(const RunSpec& spec, const std::function<void(const Progress&)>& progress,
                         const std::atomic<bool>& interrupted) {
    RunOutcome outcome;
    EngineConfig config = spec.engine;
    config.host = *spec.connect_host;
    config.port = spec.connect_port;
    // STATS is asked on threads of their own, so that a server slow to answer it (a busy
    // sequential one answers only when it gets to that connection) never stalls the engine.
    // An answer that comes after the window closed cannot be its edge: then no figures.
    struct Answer {
        std::optional<json> stats;
        std::uint64_t at_ns = 0;
    };
    auto ask = [host = config.host, port = config.port] {
        Answer a;
        a.stats = ask_stats(host, port);
        a.at_ns = mono_ns();
        return a;
    };
    std::future<Answer> before_future;
    std::future<Answer> after_future;
    std::uint64_t window_end_ns = 0;
    EngineHooks hooks;
    CpuTimes cpu_start;
    CpuTimes cpu_end;
    hooks.window_start = [&] {
        cpu_start = read_cpu_times();
        before_future = std::async(std::launch::async, ask);
    };
    hooks.window_end = [&] {
        window_end_ns = mono_ns();
        after_future = std::async(std::launch::async, ask);
        cpu_end = read_cpu_times();
    };
    hooks.progress = progress;
    EngineResult r = run_engine(config, hooks, interrupted);
    std::optional<json> before;
    std::optional<json> after;
    bool late = false;
    if (before_future.valid() && after_future.valid()) {
        Answer b = before_future.get();
        Answer a = after_future.get();
        late = b.stats && b.at_ns > window_end_ns;
        if (!late) {
            before = b.stats;
            after = a.stats;
        }
    }
    outcome.run = base_run(spec, r);
    outcome.run["client"]["steal_pct"] = steal_pct(cpu_start, cpu_end);
    json server = {{"figures_from", "STATS"}};
    if (before && after) {
        // The main process, its reaped children, and its live workers (prefork publishes
        // each worker's rusage in the block; a reaped worker moves from `workers` to
        // `children`). A server without `workers` (an older one) counts it as zero.
        auto delta = [&](const char* key) {
            double sum = 0;
            for (const char* who : {"self", "children", "workers"}) {
                const json& a = (*after)["rusage"];
                const json& b = (*before)["rusage"];
                if (a.contains(who) && b.contains(who)) {
                    sum += a[who][key].get<double>() - b[who][key].get<double>();
                }
            }
            return sum;
        };
        double user = delta("user_s");
        double system = delta("system_s");
        double vol = delta("voluntary_ctx_switches");
        double invol = delta("involuntary_ctx_switches");
        json blocking = json::object();
        double blocked = 0;
        for (const char* name : kBlockingNames) {
            auto d = (*after)["blocking_ns"][name].get<std::uint64_t>() -
                     (*before)["blocking_ns"][name].get<std::uint64_t>();
            blocking[name] = d;
        }
        auto served =
            (*after)["requests"].get<std::uint64_t>() - (*before)["requests"].get<std::uint64_t>();
        server.update({{"cpu_user_s", user},
                       {"cpu_system_s", system},
                       {"voluntary_ctx_switches", vol},
                       {"involuntary_ctx_switches", invol},
                       {"blocking_ns", blocking},
                       {"requests", served}});
        outcome.run["per_request"] = per_request(user + system, vol, invol, blocked, served);
    } else {
        server["note"] = late ? "STATS was answered only after the window ended (a busy "
                                "server): no server figures"
                              : "STATS could not be read at the start or end of the window";
    }
    outcome.run["server"] = server;
    outcome.run["timeseries"] = json::array();
    if (r.errors.wrong_reply > 0) {
        outcome.server_failed = true;
        outcome.failure = "wrong reply: " + r.first_wrong_reply;
    }
    return outcome;
}

}  // namespace

RunOutcome run_once(const RunSpec& spec, const std::function<void(const Progress&)>& progress,
                    const std::atomic<bool>& interrupted) {
    if (spec.connect_host) return run_connected(spec, progress, interrupted);

    RunOutcome outcome;
    static std::uint64_t run_counter = 0;
    std::string stats_path = "/dev/shm/lab-harness." + std::to_string(getpid()) + "." +
                             std::to_string(run_counter++) + ".stats";
    std::vector<std::string> args = {"--model", spec.model,     "--port",
                                     "0",       "--stats-file", stats_path};
    args.insert(args.end(), spec.server_args.begin(), spec.server_args.end());
    std::string error;
    auto server = SpawnedServer::start(spec.server_bin, args, error);
    if (!server) {
        unlink(stats_path.c_str());
        outcome.start_failed = true;
        outcome.failure = error;
        return outcome;
    }
    auto region = StatsRegion::open_readonly(stats_path, error);
    if (!region) {
        server->stop();
        unlink(stats_path.c_str());
        outcome.start_failed = true;
        outcome.failure = error;
        return outcome;
    }
    const StatsBlock& block = region->block();
    // The mapping is all the harness needs: removing the name now means even a harness
    // killed with SIGKILL leaves no file behind (the server keeps writing to its mapping).
    unlink(stats_path.c_str());

    EngineConfig config = spec.engine;
    config.host = server->host();
    config.port = server->port();
    Sampler sampler(server->pid(), &block, server->port(), spec.sample_interval_ns);
    std::optional<TreeSample> tree_start;
    std::optional<TreeSample> tree_end;
    BlockSnapshot block_start;
    BlockSnapshot block_end;
    EngineHooks hooks;
    CpuTimes cpu_start;
    CpuTimes cpu_end;
    std::optional<PerfCounts> perf_counts;
    std::string perf_error;
    std::optional<PerfStat> perf =
        spec.perf ? PerfStat::attach(server->pid(), perf_error) : std::nullopt;
    hooks.window_start = [&] {
        // perf first: its enable waits for an acknowledgement, which must not eat into the
        // window of the other figures.
        if (perf && !perf->enable()) perf_error = "perf did not start counting";
        cpu_start = read_cpu_times();
        block_start = snapshot(block);
        tree_start = sample_tree(server->pid(), false, true);
    };
    hooks.window_end = [&] {
        tree_end = sample_tree(server->pid(), false, true);
        block_end = snapshot(block);
        cpu_end = read_cpu_times();
        if (perf && perf_error.empty()) perf_counts = perf->finish(perf_error);
    };
    std::string server_affinity = cpu_affinity(server->pid());
    hooks.progress = progress;
    EngineResult r = run_engine(config, hooks, interrupted);
    sampler.stop();
    ServerExit exit = server->stop();
    std::vector<Sample> samples = sampler.samples();

    outcome.run = base_run(spec, r);
    outcome.run["client"]["steal_pct"] = steal_pct(cpu_start, cpu_end);
    json server_json = {{"figures_from", "counter block, /proc, wait4"},
                        {"cpu_affinity", server_affinity}};
    if (tree_start && tree_end) {
        const TreeSample& a = *tree_start;
        const TreeSample& b = *tree_end;
        const Rusage& t0 = block_start.exited_threads;
        const Rusage& t1 = block_end.exited_threads;
        const Rusage& c0 = block_start.children;
        const Rusage& c1 = block_end.children;
        // Live tasks from /proc, plus the tasks that ended inside the window from the block's
        // exited-threads and reaped-children sums (their /proc entries are gone by the end).
        auto d = [](std::uint64_t end, std::uint64_t start) {
            return static_cast<double>(end) - static_cast<double>(start);
        };
        double user_us =
            d(b.user_us, a.user_us) + d(t1.user_us, t0.user_us) + d(c1.user_us, c0.user_us);
        double system_us = d(b.system_us, a.system_us) + d(t1.system_us, t0.system_us) +
                           d(c1.system_us, c0.system_us);
        double vol = d(b.voluntary_ctx_switches, a.voluntary_ctx_switches) +
                     d(t1.voluntary_ctx_switches, t0.voluntary_ctx_switches) +
                     d(c1.voluntary_ctx_switches, c0.voluntary_ctx_switches);
        double invol = d(b.involuntary_ctx_switches, a.involuntary_ctx_switches) +
                       d(t1.involuntary_ctx_switches, t0.involuntary_ctx_switches) +
                       d(c1.involuntary_ctx_switches, c0.involuntary_ctx_switches);
        double ended_cpu_ns = (d(t1.user_us, t0.user_us) + d(c1.user_us, c0.user_us) +
                               d(t1.system_us, t0.system_us) + d(c1.system_us, c0.system_us)) *
                              1e3;
        double oncpu_ns = d(b.oncpu_ns, a.oncpu_ns) + ended_cpu_ns;
        // Run-queue time only of tasks alive at the end (from 0 if they began in the window):
        // a task that ended has no source for it, and subtracting its start value alone would
        // make the figure negative.
        std::unordered_map<pid_t, std::uint64_t> runqueue_at_start(a.runqueue_by_task.begin(),
                                                                   a.runqueue_by_task.end());
        double runqueue_ns = 0;
        for (const auto& [tid, at_end] : b.runqueue_by_task) {
            auto found = runqueue_at_start.find(tid);
            std::uint64_t at_begin = found == runqueue_at_start.end() ? 0 : found->second;
            runqueue_ns += d(at_end, std::min(at_begin, at_end));
        }
        // Task-time alive in the window: the thread count integrated over the samples.
        double alive_ns = 0;
        std::uint64_t w0 = r.window_start_mono_ns;
        std::uint64_t w1 = w0 + r.window_ns;
        const TreeSample* previous = &a;
        for (const Sample& s : samples) {
            if (s.tree.mono_ns <= w0 || s.tree.mono_ns >= w1) continue;
            alive_ns += d(s.tree.mono_ns, previous->mono_ns) *
                        static_cast<double>(previous->threads + s.tree.threads) / 2;
            previous = &s.tree;
        }
        alive_ns += d(b.mono_ns, previous->mono_ns) *
                    static_cast<double>(previous->threads + b.threads) / 2;
        double blocked_ns = std::max(0.0, alive_ns - oncpu_ns - runqueue_ns);

        json blocking = json::object();
        for (std::size_t i = 0; i < kBlockingNames.size(); ++i) {
            blocking[kBlockingNames[i]] = block_end.blocking_ns[i] - block_start.blocking_ns[i];
        }
        std::uint64_t peak_threads = std::max(a.threads, b.threads);
        std::uint64_t peak_processes = std::max(a.processes, b.processes);
        // The window's edges count too (RSS and size; PSS is read by the sampler only), so a
        // short window with no sample inside it still has its peaks.
        std::uint64_t peak_rss = std::max(a.rss_kb, b.rss_kb), peak_pss = 0,
                      peak_vm = std::max(a.vm_kb, b.vm_kb), queue_max = 0;
        for (const Sample& s : samples) {
            if (s.tree.mono_ns < w0 || s.tree.mono_ns > w1) continue;
            peak_threads = std::max(peak_threads, s.tree.threads);
            peak_processes = std::max(peak_processes, s.tree.processes);
            peak_rss = std::max(peak_rss, s.tree.rss_kb);
            peak_pss = std::max(peak_pss, s.tree.pss_kb);
            peak_vm = std::max(peak_vm, s.tree.vm_kb);
            queue_max = std::max(queue_max, s.accept_queue);
        }
        std::uint64_t served = block_end.requests - block_start.requests;
        server_json.update({{"requests", served},
                            {"connections_active",
                             {{"window_start", block_start.connections_active},
                              {"window_end", block_end.connections_active}}},
                            {"connections_queued",
                             {{"window_start", block_start.connections_queued},
                              {"window_end", block_end.connections_queued}}},
                            {"connections_accepted",
                             block_end.connections_accepted - block_start.connections_accepted},
                            {"connections_rejected",
                             block_end.connections_rejected - block_start.connections_rejected},
                            {"cpu_user_s", user_us / 1e6},
                            {"cpu_system_s", system_us / 1e6},
                            {"voluntary_ctx_switches", vol},
                            {"involuntary_ctx_switches", invol},
                            {"oncpu_ns", oncpu_ns},
                            {"runqueue_ns", runqueue_ns},
                            {"blocked_ns", blocked_ns},
                            {"blocking_ns", blocking},
                            {"peak_threads", peak_threads},
                            {"peak_processes", peak_processes},
                            {"peak_rss_kb", peak_rss},
                            {"peak_pss_kb", peak_pss},
                            {"peak_vm_kb", peak_vm},
                            {"accept_queue_max", queue_max},
                            {"sampler_cpu_s", static_cast<double>(sampler.own_cpu_ns()) / 1e9},
                            {"samples", samples.size()}});
        // CPU per request from schedstat (ns), not from utime/stime, which the kernel reports
        // in clock ticks (10 ms): too coarse for a few hundred requests.
        outcome.run["per_request"] = per_request(oncpu_ns / 1e9, vol, invol, blocked_ns, served);
        if (spec.perf) {
            json check = {{"error", perf_error}};
            if (perf_counts) {
                auto ratio = [](double ours, double theirs) {
                    return theirs > 0 ? ours / theirs : 0.0;
                };
                check = {{"context_switches", perf_counts->context_switches},
                         {"task_clock_ns", perf_counts->task_clock_ns},
                         {"ctx_switches_ratio",
                          ratio(vol + invol, static_cast<double>(perf_counts->context_switches))},
                         {"oncpu_ratio",
                          ratio(oncpu_ns, static_cast<double>(perf_counts->task_clock_ns))}};
            }
            server_json["perf"] = check;
        }
    } else {
        server_json["note"] = "the server's process tree could not be read at the window's edges";
    }
    server_json["lifetime"] = rusage_lifetime(exit.usage, load_rusage(block.children));
    outcome.run["server"] = server_json;

    json series = json::array();
    std::uint64_t base_requests = samples.empty() ? 0 : samples.front().requests;
    auto voluntary = [](const Sample& s) {
        return s.tree.voluntary_ctx_switches + s.ended_voluntary;
    };
    auto involuntary = [](const Sample& s) {
        return s.tree.involuntary_ctx_switches + s.ended_involuntary;
    };
    // A thread adds its totals to the exited-threads sum just before it ends, so a sample
    // taken in between counts it twice for a moment; the running maximum keeps the
    // cumulative series from stepping back when that passes.
    double running_voluntary = 0;
    double running_involuntary = 0;
    for (const Sample& s : samples) {
        const Sample& first = samples.front();
        running_voluntary = std::max(running_voluntary, static_cast<double>(voluntary(s)) -
                                                            static_cast<double>(voluntary(first)));
        running_involuntary =
            std::max(running_involuntary,
                     static_cast<double>(involuntary(s)) - static_cast<double>(involuntary(first)));
        series.push_back({{"t_s", (static_cast<double>(s.tree.mono_ns) -
                                   static_cast<double>(r.window_start_mono_ns)) /
                                      1e9},
                          {"requests", s.requests - base_requests},
                          {"connections_active", s.connections_active},
                          {"connections_queued", s.connections_queued},
                          {"threads", s.tree.threads},
                          {"processes", s.tree.processes},
                          {"rss_kb", s.tree.rss_kb},
                          {"voluntary_ctx_switches", running_voluntary},
                          {"involuntary_ctx_switches", running_involuntary},
                          {"accept_queue", s.accept_queue}});
    }
    outcome.run["timeseries"] = series;

    if (r.errors.wrong_reply > 0) {
        outcome.server_failed = true;
        outcome.failure = "wrong reply: " + r.first_wrong_reply;
    } else if (!exit.exited_cleanly) {
        outcome.server_failed = true;
        outcome.failure =
            "the server did not exit cleanly (status " + std::to_string(exit.status) + ")";
        if (WIFSIGNALED(exit.status)) {
            outcome.failure += ": killed by signal " + std::to_string(WTERMSIG(exit.status));
        }
    }
    unlink(stats_path.c_str());
    return outcome;
}

}  // namespace lab
