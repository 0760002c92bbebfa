// Integration tests of lab-harness as a black box: the binary is run (posix_spawn, in a
// process group of its own, killed if it outlives its time limit) with short sweeps, and
// the results file it writes into a temporary directory is read back and checked: the fixed
// field names, and the relations between the models that the lab teaches (throughput over
// sequential, voluntary context switches, Little's law, threads per model, lock waiting).
//
// Each test is one harness invocation (ctest runs every test in a process of its own, so a
// sweep shared between tests would run once per test). Only relations with wide margins are
// asserted, never a time or a rate. Tests end in the lowercase names of the models they
// run (_sequential_threads_fork_select): the tsan preset skips names matching sequential|fork.
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include "temp_dir.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "results.hpp"
#include "spawned_server.hpp"

extern char** environ;

namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using nlohmann::json;
using Clock = std::chrono::steady_clock;

// The short sweeps' timing: long enough for a few hundred io requests per model.
const char* const kDuration = "1500ms";
const char* const kWarmup = "300ms";

// A fresh directory for one test, removed at the end (tests/temp_dir.hpp).
class TempDir : public lab::test::TempDir {
  public:
    TempDir() : lab::test::TempDir("harness-integration") {}
};

std::string read_text(const std::string& path) {
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

// One lab-harness process. Its stdout and stderr go to files in `dir`. The destructor kills
// it (its whole process group) and reaps it if it is still running.
class Harness {
  public:
    Harness(const std::vector<std::string>& args, const TempDir& dir) {
        static int counter = 0;
        std::string tag = std::to_string(counter++);
        out_path_ = dir.file("stdout." + tag);
        err_path_ = dir.file("stderr." + tag);
        std::vector<std::string> all = {LAB_HARNESS_PATH};
        all.insert(all.end(), args.begin(), args.end());
        std::vector<char*> argv;
        for (std::string& a : all)
            argv.push_back(a.data());
        argv.push_back(nullptr);
        posix_spawn_file_actions_t actions;
        posix_spawn_file_actions_init(&actions);
        posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
        posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, out_path_.c_str(),
                                         O_WRONLY | O_CREAT | O_TRUNC, 0644);
        posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, err_path_.c_str(),
                                         O_WRONLY | O_CREAT | O_TRUNC, 0644);
        posix_spawnattr_t attr;
        posix_spawnattr_init(&attr);
        posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP);
        posix_spawnattr_setpgroup(&attr, 0);
        started_ = Clock::now();
        if (posix_spawn(&pid_, LAB_HARNESS_PATH, &actions, &attr, argv.data(), environ) != 0) {
            pid_ = -1;
        }
        posix_spawn_file_actions_destroy(&actions);
        posix_spawnattr_destroy(&attr);
    }
    ~Harness() {
        if (pid_ > 0 && !reaped_) {
            kill(-pid_, SIGKILL);
            int status = 0;
            waitpid(pid_, &status, 0);
        }
    }
    Harness(const Harness&) = delete;
    Harness& operator=(const Harness&) = delete;

    pid_t pid() const { return pid_; }
    void signal(int sig) const {
        if (pid_ > 0 && !reaped_) kill(pid_, sig);
    }
    // Waits up to `timeout` for the harness to exit. True if it did; on timeout it is
    // killed (with its group) and false is returned.
    bool wait(std::chrono::milliseconds timeout) {
        if (pid_ <= 0) return false;
        if (reaped_) return true;
        auto deadline = Clock::now() + timeout;
        while (Clock::now() < deadline) {
            pid_t done = waitpid(pid_, &status_, WNOHANG);
            if (done == pid_) {
                reaped_ = true;
                seconds_ = std::chrono::duration<double>(Clock::now() - started_).count();
                return true;
            }
            std::this_thread::sleep_for(10ms);
        }
        kill(-pid_, SIGKILL);
        waitpid(pid_, &status_, 0);
        reaped_ = true;
        return false;
    }
    // The exit status; 128 + N if killed by signal N.
    int exit_status() const {
        if (WIFEXITED(status_)) return WEXITSTATUS(status_);
        if (WIFSIGNALED(status_)) return 128 + WTERMSIG(status_);
        return -1;
    }
    std::string out() const { return read_text(out_path_); }
    std::string err() const { return read_text(err_path_); }
    double seconds() const { return seconds_; }

  private:
    pid_t pid_ = -1;
    bool reaped_ = false;
    int status_ = 0;
    double seconds_ = 0;
    Clock::time_point started_;
    std::string out_path_;
    std::string err_path_;
};

// Processes whose command line carries this harness's stats-file names (its servers), and
// the stats files themselves.
std::string server_tag(pid_t harness) {
    std::string tag = "lab-harness.";
    tag += std::to_string(harness);
    tag += ".";
    return tag;
}

std::vector<pid_t> servers_of(pid_t harness) {
    std::vector<pid_t> found;
    std::string tag = server_tag(harness);
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator("/proc", ec)) {
        std::string name = entry.path().filename().string();
        if (name.empty() || !std::all_of(name.begin(), name.end(),
                                         [](char ch) { return ch >= '0' && ch <= '9'; })) {
            continue;
        }
        std::string cmdline = read_text(entry.path().string() + "/cmdline");
        std::replace(cmdline.begin(), cmdline.end(), '\0', ' ');
        if (cmdline.find(tag) != std::string::npos) {
            found.push_back(static_cast<pid_t>(std::stol(name)));
        }
    }
    return found;
}

std::vector<std::string> stats_files_of(pid_t harness) {
    std::vector<std::string> found;
    std::string tag = server_tag(harness);
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator("/dev/shm", ec)) {
        std::string name = entry.path().filename().string();
        if (name.starts_with(tag)) found.push_back(entry.path().string());
    }
    return found;
}

bool eventually(const std::function<bool()>& pred, std::chrono::milliseconds timeout) {
    auto deadline = Clock::now() + timeout;
    while (Clock::now() < deadline) {
        if (pred()) return true;
        std::this_thread::sleep_for(20ms);
    }
    return pred();
}

// The lines of a harness's stderr, without the note a sanitizer build prints first.
std::size_t count_lines(const std::string& text) {
    std::size_t lines = 0;
    std::stringstream in(text);
    std::string line;
    while (std::getline(in, line)) {
        if (!line.starts_with("lab-harness: note: a sanitizer build")) ++lines;
    }
    return lines;
}

// Runs the harness to completion (bounded by `timeout`) with --quiet and --out FILE, and
// reads FILE back with the module's own reader.
struct Sweep {
    int exit_status = -1;
    bool finished = false;
    double seconds = 0;
    pid_t pid = -1;
    std::string err;
    std::optional<json> doc;
    std::string read_error;
    std::vector<std::string> dir_entries;
};

Sweep run_sweep(const TempDir& dir, std::vector<std::string> args,
                std::chrono::milliseconds timeout = 120s) {
    std::string out = dir.file("sweep.json");
    args.insert(args.end(), {"--quiet", "--out", out});
    Harness h(args, dir);
    Sweep s;
    s.pid = h.pid();
    s.finished = h.wait(timeout);
    s.exit_status = h.exit_status();
    s.seconds = h.seconds();
    s.err = h.err();
    s.doc = lab::read_results(out, s.read_error);
    s.dir_entries = dir.entries();
    return s;
}

// Expects a finished, successful sweep with a readable file; fails the test otherwise.
void expect_ok(const Sweep& s) {
    ASSERT_TRUE(s.finished) << "lab-harness did not finish in time; stderr: " << s.err;
    ASSERT_EQ(s.exit_status, 0) << "stderr: " << s.err;
    ASSERT_TRUE(s.doc.has_value()) << s.read_error;
    for (const std::string& name : s.dir_entries) {
        EXPECT_EQ(name.find(".tmp"), std::string::npos) << "a temporary file was left: " << name;
    }
    // Nothing left behind: no server, no stats file.
    EXPECT_TRUE(eventually([&] { return servers_of(s.pid).empty(); }, 5s))
        << "a lab-server of the harness is still running";
    EXPECT_TRUE(stats_files_of(s.pid).empty()) << "a stats file was left in /dev/shm";
}

// object[key], or null if object has no such key (operator[] on a const json asserts).
const json& at(const json& object, const std::string& key) {
    static const json null;
    if (!object.is_object()) return null;
    auto it = object.find(key);
    return it == object.end() ? null : *it;
}

// The run for `model` in a sweep's file (the first one), or an empty object.
const json& run_of(const json& doc, const std::string& model) {
    static const json none = json::object();
    for (const json& run : at(doc, "runs")) {
        if (run.value("model", "") == model) return run;
    }
    ADD_FAILURE() << "no run for " << model;
    return none;
}

// Expects every key of `keys` in `object` (at `where`), each a number.
void expect_numbers(const json& object, const std::vector<std::string>& keys,
                    const std::string& where) {
    ASSERT_TRUE(object.is_object()) << where << " is not an object";
    for (const std::string& key : keys) {
        if (!object.contains(key)) {
            ADD_FAILURE() << where << "." << key << " is missing";
            continue;
        }
        EXPECT_TRUE(object[key].is_number()) << where << "." << key << " is not a number";
    }
}

// Every negative number anywhere in `value`, as "path = value" lines.
void collect_negatives(const json& value, const std::string& path, std::string& found) {
    if (value.is_object()) {
        for (const auto& [key, child] : value.items())
            collect_negatives(child, path + "." + key, found);
    } else if (value.is_array()) {
        for (std::size_t i = 0; i < value.size(); ++i)
            collect_negatives(value[i], path + "[" + std::to_string(i) + "]", found);
    } else if (value.is_number() && value.get<double>() < 0) {
        found += path + " = " + value.dump() + "\n";
    }
}

double number(const json& object, const std::string& path) {
    // A /-separated path into nested objects; NaN if it is missing.
    const json* at = &object;
    std::stringstream parts(path);
    std::string part;
    while (std::getline(parts, part, '/')) {
        if (!at->is_object() || !at->contains(part)) return std::nan("");
        at = &(*at)[part];
    }
    return at->is_number() ? at->get<double>() : std::nan("");
}

void expect_histogram(const json& histogram, const std::string& where, double at_least) {
    ASSERT_TRUE(histogram.is_array()) << where;
    double total = 0;
    double previous = -1;
    for (const json& bucket : histogram) {
        ASSERT_TRUE(bucket.is_array() && bucket.size() == 2) << where << ": " << bucket.dump();
        double upper = bucket[0].get<double>();
        double count = bucket[1].get<double>();
        EXPECT_GT(upper, previous) << where << ": bounds must increase";
        EXPECT_GT(count, 0.0) << where << ": only non-empty buckets are stored";
        previous = upper;
        total += count;
    }
    EXPECT_GE(total, at_least) << where << " holds fewer values than requests";
}

// Every fixed field of one run (the names the plots and notebooks read).
void expect_run_fields(const json& run, const std::string& model, const std::string& workload,
                       std::uint64_t connections, bool open_loop) {
    std::string where = "run " + model;
    ASSERT_TRUE(run.is_object()) << where;
    EXPECT_EQ(run.value("model", ""), model);
    EXPECT_EQ(run.value("workload", ""), workload);
    EXPECT_EQ(run.value("connections", std::uint64_t{0}), connections);
    ASSERT_TRUE(run.contains("repeat")) << where;
    EXPECT_TRUE(at(run, "repeat").is_number_unsigned()) << where;
    ASSERT_TRUE(run.contains("duration_s")) << where;
    EXPECT_TRUE(at(run, "duration_s").is_number()) << where;
    EXPECT_EQ(run.value("loop", ""), open_loop ? "open" : "closed");
    ASSERT_TRUE(run.contains("rate_rps")) << where;
    EXPECT_EQ(at(run, "rate_rps").is_null(), !open_loop) << where << ": rate_rps";
    EXPECT_EQ(run.value("source", ""), "spawned");

    ASSERT_TRUE(run.contains("client")) << where;
    const json& client = at(run, "client");
    expect_numbers(client, {"requests", "throughput_rps", "harness_cpu_s", "steal_pct"},
                   where + ".client");
    expect_numbers(at(client, "errors"),
                   {"refused", "reset", "timeout", "wrong_reply", "server_err",
                    "backend_unavailable", "wait_timeout"},
                   where + ".client.errors");
    // The database behind QUERY: these workloads have none, so it is not read (null figures),
    // but the server's flags are known.
    ASSERT_TRUE(run.contains("database")) << where;
    const json& database = at(run, "database");
    EXPECT_TRUE(at(database, "max_connections").is_null()) << where;
    EXPECT_TRUE(at(database, "cpu_s").is_null()) << where;
    EXPECT_TRUE(at(at(database, "backends"), "window_end").is_null()) << where;
    EXPECT_EQ(number(database, "pool"), 8.0) << where << ": lab-server's default --db-pool";
    EXPECT_TRUE(database.contains("note")) << where;
    expect_numbers(at(client, "latency_ns"), {"p50", "p90", "p99", "p999", "max", "mean"},
                   where + ".client.latency_ns");
    expect_numbers(at(client, "connect_ns"), {"p50", "p99"}, where + ".client.connect_ns");
    expect_numbers(client, {"connect_timeouts"}, where + ".client");
    EXPECT_LE(number(client, "connect_timeouts"), number(client, "errors/timeout")) << where;
    expect_numbers(at(client, "connected"), {"window_start", "window_end"},
                   where + ".client.connected");
    EXPECT_LE(number(client, "connected/window_end"), static_cast<double>(connections)) << where;
    EXPECT_TRUE(client.contains("all_connected_s")) << where;
    EXPECT_TRUE(at(client, "all_connected_s").is_number() ||
                at(client, "all_connected_s").is_null())
        << where;
    EXPECT_TRUE(client.contains("idle_clients")) << where << ": null without idle_clients";
    EXPECT_TRUE(run.contains("connect_pace")) << where << ": null without connect_pace";
    expect_numbers(at(client, "per_connection_requests"), {"min", "max", "jain_fairness"},
                   where + ".client.per_connection_requests");
    expect_histogram(at(client, "histogram"), where + ".client.histogram",
                     number(client, "requests"));
    if (open_loop) {
        expect_numbers(at(client, "latency_uncorrected_ns"),
                       {"p50", "p90", "p99", "p999", "max", "mean"},
                       where + ".client.latency_uncorrected_ns");
        expect_histogram(at(client, "histogram_uncorrected"),
                         where + ".client.histogram_uncorrected", 1);
    } else {
        EXPECT_FALSE(client.contains("latency_uncorrected_ns")) << where << ": closed loop";
        EXPECT_FALSE(client.contains("histogram_uncorrected")) << where << ": closed loop";
    }
    const json& latency = at(client, "latency_ns");
    EXPECT_LE(number(latency, "p50"), number(latency, "p90")) << where;
    EXPECT_LE(number(latency, "p90"), number(latency, "p99")) << where;
    EXPECT_LE(number(latency, "p99"), number(latency, "p999")) << where;
    EXPECT_LE(number(latency, "p999"), number(latency, "max")) << where;
    EXPECT_LE(number(latency, "mean"), number(latency, "max")) << where;
    const json& fairness = at(client, "per_connection_requests");
    EXPECT_LE(number(fairness, "min"), number(fairness, "max")) << where;
    EXPECT_GT(number(fairness, "jain_fairness"), 0.0) << where;
    EXPECT_LE(number(fairness, "jain_fairness"), 1.0 + 1e-9) << where;

    ASSERT_TRUE(run.contains("server")) << where;
    const json& server = at(run, "server");
    expect_numbers(server,
                   {"cpu_user_s", "cpu_system_s", "voluntary_ctx_switches",
                    "involuntary_ctx_switches", "oncpu_ns", "runqueue_ns", "blocked_ns",
                    "peak_threads", "peak_processes", "peak_rss_kb", "peak_vm_kb"},
                   where + ".server");
    // Only the sampler reads PSS and the accept queue: numbers when a sample fell inside the
    // window, null (not 0) when none did (results/SCHEMA.md).
    bool sampled_in_window = false;
    for (const json& sample : at(run, "timeseries")) {
        double t = sample.value("t_s", -1.0);
        if (t >= 0 && t <= number(run, "duration_s")) sampled_in_window = true;
    }
    for (const char* key : {"peak_pss_kb", "accept_queue_max"}) {
        ASSERT_TRUE(server.contains(key)) << where << ".server." << key;
        EXPECT_EQ(at(server, key).is_number(), sampled_in_window)
            << where << ".server." << key << " = " << at(server, key).dump();
        EXPECT_EQ(at(server, key).is_null(), !sampled_in_window)
            << where << ".server." << key << " = " << at(server, key).dump();
    }
    expect_numbers(server, {"connections_accepted", "connections_rejected"}, where + ".server");
    // Each event loop's share (issue 16): one for the one-loop models, none for the others.
    ASSERT_TRUE(server.contains("loops") && server.at("loops").is_array()) << where;
    for (const json& loop : at(server, "loops"))
        expect_numbers(loop, {"connections_accepted", "requests"}, where + ".server.loops");
    expect_numbers(at(server, "connections_active"), {"window_start", "window_end"},
                   where + ".server.connections_active");
    expect_numbers(at(server, "blocking_ns"),
                   {"accept", "read", "write", "io_wait", "lock", "wait", "queue"},
                   where + ".server.blocking_ns");
    expect_numbers(
        at(server, "lifetime"),
        {"user_s", "system_s", "voluntary_ctx_switches", "involuntary_ctx_switches", "max_rss_kb"},
        where + ".server.lifetime");
    EXPECT_GE(number(server, "peak_threads"), 1.0) << where;
    EXPECT_GE(number(server, "peak_processes"), 1.0) << where;
    EXPECT_FALSE(server.value("cpu_affinity", "").empty()) << where << ".server.cpu_affinity";
    // Lifetime totals (wait4) cover the window and more.
    EXPECT_GE(number(server, "lifetime/voluntary_ctx_switches"),
              0.5 * number(server, "voluntary_ctx_switches"))
        << where << ": lifetime switches below the window's";

    ASSERT_TRUE(run.contains("per_request")) << where;
    expect_numbers(at(run, "per_request"),
                   {"cpu_us", "voluntary_ctx_switches", "involuntary_ctx_switches", "blocked_us"},
                   where + ".per_request");

    ASSERT_TRUE(run.contains("timeseries")) << where;
    const json& series = at(run, "timeseries");
    ASSERT_TRUE(series.is_array()) << where;
    EXPECT_FALSE(series.empty()) << where;
    double previous_t = -1e9;
    for (const json& sample : series) {
        expect_numbers(sample,
                       {"requests", "threads", "processes", "rss_kb", "voluntary_ctx_switches",
                        "involuntary_ctx_switches", "accept_queue"},
                       where + ".timeseries[]");
        ASSERT_TRUE(sample.contains("t_s") && at(sample, "t_s").is_number()) << where;
        EXPECT_GT(at(sample, "t_s").get<double>(), previous_t) << where << ": t_s must increase";
        previous_t = at(sample, "t_s").get<double>();
    }
}

void expect_top_level(const json& doc) {
    EXPECT_EQ(doc.value("schema_version", 0), 1);
    ASSERT_TRUE(doc.contains("tool") && at(doc, "tool").is_object());
    const json& tool = at(doc, "tool");
    EXPECT_EQ(tool.value("name", ""), "lab-harness");
    for (const char* key : {"version", "git_revision", "build_type"}) {
        EXPECT_TRUE(tool.contains(key) && tool[key].is_string()) << "tool." << key;
    }
    EXPECT_TRUE(tool.contains("sanitized") && at(tool, "sanitized").is_boolean());
    ASSERT_TRUE(doc.contains("machine") && at(doc, "machine").is_object());
    const json& machine = at(doc, "machine");
    for (const char* key : {"kernel", "cpu_model", "cores", "rlimit_nofile", "perf_event_paranoid",
                            "harness_cpu_affinity"}) {
        EXPECT_TRUE(machine.contains(key)) << "machine." << key;
    }
    ASSERT_TRUE(doc.contains("config") && at(doc, "config").is_object());
    ASSERT_TRUE(doc.contains("runs") && at(doc, "runs").is_array());
}

// --------------------------------------------------------------------------------------
// Sweeps
// --------------------------------------------------------------------------------------

// The lab's first lesson in one sweep: the io workload at 16 connections on every model.
TEST(Sweep, IoAt16Connections_sequential_threads_fork_select) {
    TempDir dir;
    ASSERT_FALSE(dir.path().empty());
    Sweep s = run_sweep(dir, {"--models", "sequential,threads,fork,select", "--workload", "io",
                              "--connections", "16", "--duration", kDuration, "--warmup", kWarmup});
    ASSERT_NO_FATAL_FAILURE(expect_ok(s));
    const json& doc = *s.doc;
    ASSERT_NO_FATAL_FAILURE(expect_top_level(doc));
    const json& config = at(doc, "config");
    EXPECT_EQ(config.value("models", json::array()),
              json({"sequential", "threads", "fork", "select"}));
    EXPECT_EQ(config.value("connections", json::array()), json({16}));
    EXPECT_NEAR(number(config, "duration_s"), 1.5, 1e-9);
    EXPECT_NEAR(number(config, "warmup_s"), 0.3, 1e-9);
    EXPECT_EQ(number(config, "repeat"), 1.0);
    ASSERT_EQ(at(doc, "runs").size(), 4u);

    std::map<std::string, double> throughput;
    std::string report;
    for (const std::string model : {"sequential", "threads", "fork", "select"}) {
        SCOPED_TRACE(model);
        const json& run = run_of(doc, model);
        ASSERT_NO_FATAL_FAILURE(expect_run_fields(run, model, "io", 16, false));
        EXPECT_EQ(number(run, "repeat"), 0.0);
        EXPECT_NEAR(number(run, "duration_s"), 1.5, 0.01);
        const json& client = at(run, "client");
        for (const auto& [kind, count] : at(client, "errors").items()) {
            EXPECT_EQ(count.get<double>(), 0.0) << model << ": client.errors." << kind;
        }
        EXPECT_FALSE(run.value("server_failed", true)) << run.value("failure", "");
        EXPECT_GT(number(client, "requests"), 0.0);
        throughput[model] = number(client, "throughput_rps");
        // Voluntary context switches per request: every model switches at least a little
        // (select's loop sleeps in select()); the blocking models at least once per request.
        if (model != "select") {
            EXPECT_GT(number(run, "per_request/voluntary_ctx_switches"), 0.0)
                << model << " blocks in a sleep for every request";
        }
        if (model != "sequential") {
            // Little's law in a closed loop without think time: every connection always has
            // one request in flight, so connections = throughput x mean latency.
            double in_flight =
                number(client, "throughput_rps") * number(client, "latency_ns/mean") / 1e9;
            report += ", ";
            report += model;
            report += " ";
            report += std::to_string(in_flight);
            // Within a third: on a busy machine the harness itself is sometimes late to read
            // a reply, which lengthens latency without a request being in flight.
            EXPECT_NEAR(in_flight, 16.0, 0.35 * 16.0)
                << model << ": throughput " << number(client, "throughput_rps")
                << " req/s x mean latency " << number(client, "latency_ns/mean") / 1e6 << " ms";
            // The server's own request count over the window agrees with the client's.
            double served = number(run, "server/requests");
            double sent = number(client, "requests");
            EXPECT_NEAR(served, sent, 0.1 * sent + 32) << model << ": server vs client requests";
        }
    }
    for (const std::string model : {"threads", "fork", "select"}) {
        EXPECT_GE(throughput[model], 5.0 * throughput["sequential"])
            << model << " " << throughput[model] << " req/s vs sequential "
            << throughput["sequential"] << " req/s";
    }
    // How each model serves 16 clients: one thread; a thread each; a process each.
    const json& sequential = at(run_of(doc, "sequential"), "server");
    const json& threads = at(run_of(doc, "threads"), "server");
    const json& fork = at(run_of(doc, "fork"), "server");
    const json& select = at(run_of(doc, "select"), "server");
    EXPECT_EQ(number(sequential, "peak_threads"), 1.0);
    EXPECT_EQ(number(sequential, "peak_processes"), 1.0);
    EXPECT_EQ(number(select, "peak_threads"), 1.0);
    EXPECT_EQ(number(select, "peak_processes"), 1.0);
    EXPECT_EQ(number(threads, "peak_processes"), 1.0);
    EXPECT_GE(number(threads, "peak_threads"), 8.0);
    EXPECT_GE(number(fork, "peak_processes"), 8.0);
    // Simulated I/O blocks the blocking models (io_wait) and never the select loop.
    EXPECT_GT(number(threads, "blocking_ns/io_wait"), 0.0);
    EXPECT_GT(number(fork, "blocking_ns/io_wait"), 0.0);
    EXPECT_GT(number(sequential, "blocking_ns/io_wait"), 0.0);
    EXPECT_EQ(number(select, "blocking_ns/io_wait"), 0.0);
    std::cerr << "[ sweep    ] " << s.seconds << " s; req/s sequential " << throughput["sequential"]
              << ", threads " << throughput["threads"] << ", fork " << throughput["fork"]
              << ", select " << throughput["select"] << "; in flight (Little)" << report << "\n";
}

// At 64 connections the select loop still runs one thread; the threads model runs one per
// client (about 64, counted by the /proc sampler over every task of the server).
TEST(Sweep, IoAt64Connections_threads_select) {
    TempDir dir;
    ASSERT_FALSE(dir.path().empty());
    Sweep s = run_sweep(dir, {"--models", "threads,select", "--workload", "io", "--connections",
                              "64", "--duration", kDuration, "--warmup", kWarmup});
    ASSERT_NO_FATAL_FAILURE(expect_ok(s));
    const json& doc = *s.doc;
    ASSERT_EQ(at(doc, "runs").size(), 2u);
    const json& threads = run_of(doc, "threads");
    const json& select = run_of(doc, "select");
    ASSERT_NO_FATAL_FAILURE(expect_run_fields(threads, "threads", "io", 64, false));
    ASSERT_NO_FATAL_FAILURE(expect_run_fields(select, "select", "io", 64, false));
    EXPECT_EQ(number(select, "server/peak_threads"), 1.0);
    EXPECT_GE(number(threads, "server/peak_threads"), 48.0);
    EXPECT_LE(number(threads, "server/peak_threads"), 80.0);
    for (const json* run : {&threads, &select}) {
        EXPECT_EQ(number(*run, "client/errors/wrong_reply"), 0.0);
        EXPECT_GT(number(*run, "client/requests"), 0.0);
    }
}

// No figure of a run is negative (counts, times, sizes; the timeseries' t_s is exempt: it
// is negative in warm-up), also when the server's threads come and go inside the window
// (the io workload reconnects every 10 requests: 64 threads exit and are replaced). Three
// repeats, because whether a per-task delta that misses the ended tasks comes out negative
// is a matter of chance.
TEST(Sweep, NoNegativeFiguresWhenThreadsComeAndGo_threads) {
    TempDir dir;
    ASSERT_FALSE(dir.path().empty());
    Sweep s = run_sweep(dir, {"--models", "threads", "--workload", "io", "--connections", "64",
                              "--repeat", "3", "--duration", "1s", "--warmup", kWarmup});
    ASSERT_NO_FATAL_FAILURE(expect_ok(s));
    ASSERT_EQ(at((*s.doc), "runs").size(), 3u);
    std::string negatives;
    for (const json& original : at((*s.doc), "runs")) {
        json run = original;
        run.erase("timeseries");
        std::string where = "run[repeat=";
        where += std::to_string(original.value("repeat", 0));
        where += "]";
        collect_negatives(run, where, negatives);
        for (const json& sample : at(original, "timeseries")) {
            json copy = sample;
            copy.erase("t_s");
            collect_negatives(copy, where + ".timeseries[]", negatives);
        }
    }
    EXPECT_EQ(negatives, "") << "negative figures in the threads runs at 64 connections";
}

// The dependent tasks: INCR on a few hot keys. Threads wait for the table's lock; the select
// loop never does.
TEST(Sweep, SharedAt16Connections_threads_select) {
    TempDir dir;
    ASSERT_FALSE(dir.path().empty());
    // Two threads meet at the lock only when one is preempted or runs beside the other inside
    // it: likely over thousands of INCRs, not certain when other programs take the cores. Up
    // to three sweeps, until threads waited at least once.
    Sweep s;
    for (int attempt = 0; attempt < 3; ++attempt) {
        s = run_sweep(dir, {"--models", "threads,select", "--workload", "shared", "--connections",
                            "16", "--duration", kDuration, "--warmup", kWarmup});
        ASSERT_NO_FATAL_FAILURE(expect_ok(s));
        if (number(run_of(*s.doc, "threads"), "server/blocking_ns/lock") > 0) break;
    }
    const json& doc = *s.doc;
    ASSERT_EQ(at(doc, "runs").size(), 2u);
    const json& threads = run_of(doc, "threads");
    const json& select = run_of(doc, "select");
    ASSERT_NO_FATAL_FAILURE(expect_run_fields(threads, "threads", "shared", 16, false));
    ASSERT_NO_FATAL_FAILURE(expect_run_fields(select, "select", "shared", 16, false));
    for (const json* run : {&threads, &select}) {
        EXPECT_EQ(number(*run, "client/errors/wrong_reply"), 0.0) << "INCR values must increase";
        EXPECT_GT(number(*run, "client/requests"), 0.0);
    }
    EXPECT_GT(number(threads, "server/blocking_ns/lock"), 0.0)
        << "threads never waited for the table's lock over " << number(threads, "client/requests")
        << " INCRs";
    EXPECT_EQ(number(select, "server/blocking_ns/lock"), 0.0);
}

// An open-loop run records the uncorrected latency beside the corrected one.
TEST(Sweep, OpenLoop_select) {
    TempDir dir;
    ASSERT_FALSE(dir.path().empty());
    Sweep s = run_sweep(dir, {"--models", "select", "--workload", "ping", "--connections", "4",
                              "--rate", "200", "--duration", "1s", "--warmup", "200ms"});
    ASSERT_NO_FATAL_FAILURE(expect_ok(s));
    const json& doc = *s.doc;
    ASSERT_EQ(at(doc, "runs").size(), 1u);
    const json& run = at(doc, "runs")[0];
    ASSERT_NO_FATAL_FAILURE(expect_run_fields(run, "select", "ping", 4, true));
    EXPECT_EQ(number(run, "rate_rps"), 200.0);
    EXPECT_EQ(number(at(doc, "config"), "rate_rps"), 200.0);
    double throughput = number(run, "client/throughput_rps");
    EXPECT_GE(throughput, 100.0) << "at least half the scheduled rate (a busy machine is slow)";
    EXPECT_LE(throughput, 205.0) << "the open loop must not outrun its rate";
    EXPECT_GE(number(run, "client/latency_ns/max"),
              number(run, "client/latency_uncorrected_ns/max"));
}

// The /proc sampler samples the server about every 100 ms through the window, so even a
// one-second run has its memory peaks and several timeseries points inside the window.
TEST(Sweep, ServerIsSampledThroughTheWindow_select) {
    TempDir dir;
    ASSERT_FALSE(dir.path().empty());
    Sweep s = run_sweep(dir, {"--models", "select", "--workload", "ping", "--connections", "2",
                              "--duration", "1s", "--warmup", "200ms"});
    ASSERT_NO_FATAL_FAILURE(expect_ok(s));
    const json& run = at((*s.doc), "runs")[0];
    std::size_t in_window = 0;
    for (const json& sample : at(run, "timeseries")) {
        double t = sample.value("t_s", -1.0);
        if (t >= 0 && t <= 1.0) ++in_window;
    }
    EXPECT_GE(in_window, 4u) << "samples in a 1 s window; sampler_cpu_s "
                             << number(run, "server/sampler_cpu_s") << " over "
                             << number(run, "server/samples") << " samples";
    EXPECT_GT(number(run, "server/peak_rss_kb"), 0.0);
    EXPECT_GT(number(run, "server/peak_pss_kb"), 0.0);
    EXPECT_GT(number(run, "server/peak_vm_kb"), 0.0);
}

// Every (model, connections, repeat) is one run with its own server.
TEST(Sweep, RepeatsAndConnectionCounts_select) {
    TempDir dir;
    ASSERT_FALSE(dir.path().empty());
    Sweep s = run_sweep(dir, {"--models", "select", "--workload", "ping", "--connections", "1,3",
                              "--repeat", "2", "--duration", "300ms", "--warmup", "100ms"});
    ASSERT_NO_FATAL_FAILURE(expect_ok(s));
    const json& doc = *s.doc;
    std::multiset<std::pair<std::uint64_t, std::uint64_t>> seen;
    for (const json& run : at(doc, "runs")) {
        seen.insert(
            {run.value("connections", std::uint64_t{0}), run.value("repeat", std::uint64_t{99})});
        EXPECT_GT(number(run, "client/requests"), 0.0);
        EXPECT_GT(number(run, "client/per_connection_requests/max"), 0.0);
    }
    std::multiset<std::pair<std::uint64_t, std::uint64_t>> want = {{1, 0}, {3, 0}, {1, 1}, {3, 1}};
    EXPECT_EQ(seen, want);
    EXPECT_EQ(at(doc, "config").value("connections", json::array()), json({1, 3}));
    EXPECT_EQ(number(at(doc, "config"), "repeat"), 2.0);
}

// A workload file given by path (here one written by the test) works like a named one.
TEST(Sweep, WorkloadFileGivenByPath_select) {
    TempDir dir;
    ASSERT_FALSE(dir.path().empty());
    std::string path = dir.file("tiny.json");
    std::ofstream(path) << R"({
      "name": "tiny-test",
      "description": "PING and ECHO, a new connection every 20 requests",
      "mix": [{"request": "PING", "weight": 2}, {"request": "ECHO", "bytes": 32}],
      "requests_per_connection": 20
    })";
    Sweep s = run_sweep(dir, {"--models", "select", "--workload", path, "--connections", "4",
                              "--duration", "500ms", "--warmup", "100ms"});
    ASSERT_NO_FATAL_FAILURE(expect_ok(s));
    const json& doc = *s.doc;
    ASSERT_EQ(at(doc, "runs").size(), 1u);
    const json& run = at(doc, "runs")[0];
    ASSERT_NO_FATAL_FAILURE(expect_run_fields(run, "select", "tiny-test", 4, false));
    EXPECT_GT(number(run, "client/requests"), 0.0);
    EXPECT_EQ(number(run, "client/errors/wrong_reply"), 0.0);
    const json& workloads = at(at(doc, "config"), "workloads");
    ASSERT_TRUE(workloads.is_array() && workloads.size() == 1u) << at(doc, "config").dump();
    EXPECT_EQ(workloads[0].value("path", ""), path);
    EXPECT_EQ(workloads[0].value("name", ""), "tiny-test");
    EXPECT_EQ(number(workloads[0], "requests_per_connection"), 20.0);
}

// --connect drives a server started elsewhere: the harness starts none, leaves that one
// running, and says the figures come from STATS.
TEST(Sweep, ConnectToARunningServer_select) {
    TempDir dir;
    ASSERT_FALSE(dir.path().empty());
    std::string error;
    auto server =
        lab::SpawnedServer::start(LAB_SERVER_PATH, {"--model", "select", "--port", "0"}, error);
    ASSERT_TRUE(server.has_value()) << error;
    std::string target = "127.0.0.1:";
    target += std::to_string(server->port());
    Sweep s = run_sweep(dir, {"--models", "select", "--workload", "ping", "--connections", "2",
                              "--connect", target, "--duration", "500ms", "--warmup", "100ms"});
    ASSERT_NO_FATAL_FAILURE(expect_ok(s));
    EXPECT_TRUE(server->alive()) << "the harness must not stop a server it did not start";
    const json& doc = *s.doc;
    ASSERT_EQ(at(doc, "runs").size(), 1u);
    const json& run = at(doc, "runs")[0];
    EXPECT_EQ(run.value("source", ""), "connect");
    EXPECT_GT(number(run, "client/requests"), 0.0);
    ASSERT_TRUE(run.contains("server"));
    EXPECT_EQ(at(run, "server").value("figures_from", ""), "STATS");
    expect_numbers(at(run, "server"), {"cpu_user_s", "cpu_system_s", "voluntary_ctx_switches"},
                   "server");
    expect_numbers(at(at(run, "server"), "blocking_ns"),
                   {"accept", "read", "write", "io_wait", "lock", "wait", "queue"},
                   "server.blocking_ns");
    EXPECT_EQ(at(doc, "config").value("connect", ""), target);
    lab::ServerExit exit = server->stop();
    EXPECT_TRUE(exit.exited_cleanly) << exit.stderr_text;
}

// Each run records the mechanism its server's event library waited with: libevent's, as
// --libevent-backend forced it (from the counter block; with --connect, from STATS), and null
// for a loop written by hand.
TEST(Sweep, RecordsTheEventMethod_select_libevent) {
    TempDir dir;
    ASSERT_FALSE(dir.path().empty());
    Sweep s = run_sweep(dir, {"--models", "select,libevent", "--server-arg",
                              "libevent:--libevent-backend=poll", "--workload", "ping",
                              "--connections", "2", "--duration", "500ms", "--warmup", "100ms"});
    ASSERT_NO_FATAL_FAILURE(expect_ok(s));
    std::map<std::string, json> method;
    for (const json& run : at(*s.doc, "runs"))
        method[run.value("model", "")] = at(run, "server").value("event_method", json("absent"));
    EXPECT_TRUE(method["select"].is_null()) << method["select"];
    EXPECT_EQ(method["libevent"], "poll");

    std::string error;
    auto server = lab::SpawnedServer::start(
        LAB_SERVER_PATH, {"--model", "libevent", "--libevent-backend", "select", "--port", "0"},
        error);
    ASSERT_TRUE(server.has_value()) << error;
    std::string target = "127.0.0.1:" + std::to_string(server->port());
    TempDir connect_dir;
    Sweep c =
        run_sweep(connect_dir, {"--models", "libevent", "--workload", "ping", "--connections", "2",
                                "--connect", target, "--duration", "500ms", "--warmup", "100ms"});
    ASSERT_NO_FATAL_FAILURE(expect_ok(c));
    EXPECT_EQ(at(at(*c.doc, "runs")[0], "server").value("event_method", json()), "select");
    EXPECT_TRUE(server->stop().exited_cleanly);
}

// With --connect the server figures come from two STATS replies, which hold no blocked time:
// per_request.blocked_us is null (it used to read 0), while the figures STATS does give are
// numbers. No /proc: no blocked_ns, no peaks, an empty time series.
TEST(Sweep, ConnectLeavesWhatStatsCannotGiveNull_threads) {
    TempDir dir;
    ASSERT_FALSE(dir.path().empty());
    std::string error;
    auto server =
        lab::SpawnedServer::start(LAB_SERVER_PATH, {"--model", "threads", "--port", "0"}, error);
    ASSERT_TRUE(server.has_value()) << error;
    std::string target = "127.0.0.1:" + std::to_string(server->port());
    Sweep s = run_sweep(dir, {"--models", "threads", "--workload", "io", "--connections", "4",
                              "--connect", target, "--duration", kDuration, "--warmup", kWarmup});
    ASSERT_NO_FATAL_FAILURE(expect_ok(s));
    const json& run = at(*s.doc, "runs")[0];
    EXPECT_EQ(run.value("source", ""), "connect");
    const json& server_figures = at(run, "server");
    ASSERT_FALSE(server_figures.contains("note")) << server_figures.dump();
    EXPECT_GT(number(server_figures, "requests"), 0.0);
    const json& per = at(run, "per_request");
    ASSERT_TRUE(per.is_object()) << run.dump();
    expect_numbers(per, {"cpu_us", "voluntary_ctx_switches", "involuntary_ctx_switches"},
                   "per_request");
    // Each io request sleeps 20 ms in the server: far from 0 blocked time, and STATS cannot
    // say how much.
    ASSERT_TRUE(per.contains("blocked_us")) << per.dump();
    EXPECT_TRUE(at(per, "blocked_us").is_null()) << per.dump();
    EXPECT_GT(number(per, "voluntary_ctx_switches"), 0.0) << "threads block on every sleep";
    for (const char* key : {"blocked_ns", "oncpu_ns", "peak_threads", "peak_pss_kb"})
        EXPECT_FALSE(server_figures.contains(key)) << key << ": not in STATS";
    EXPECT_EQ(at(run, "timeseries"), json::array());
    lab::ServerExit exit = server->stop();
    EXPECT_TRUE(exit.exited_cleanly) << exit.stderr_text;
}

// --protocol http: the same workload as HTTP GETs (every kind of request of `mixed`, INCR
// included), every reply checked, and the same relations as over LABP/1.
TEST(Sweep, HttpProtocol_sequential_threads_select) {
    TempDir dir;
    ASSERT_FALSE(dir.path().empty());
    Sweep s = run_sweep(
        dir, {"--models", "sequential,threads,select", "--workload", "mixed", "--protocol", "http",
              "--connections", "8", "--duration", kDuration, "--warmup", kWarmup});
    ASSERT_NO_FATAL_FAILURE(expect_ok(s));
    const json& doc = *s.doc;
    EXPECT_EQ(at(doc, "config").value("protocol", ""), "http");
    for (const char* model : {"sequential", "threads", "select"}) {
        const json& run = run_of(doc, model);
        EXPECT_EQ(number(run, "client/errors/wrong_reply"), 0.0) << model;
        EXPECT_GT(number(run, "client/requests"), 0.0) << model;
        EXPECT_GT(number(run, "server/requests"), 0.0) << model;
    }
    // The mixed workload has 5 ms of I/O in a third of its requests: a sequential server
    // does them one at a time.
    EXPECT_GT(number(run_of(doc, "threads"), "client/throughput_rps"),
              2 * number(run_of(doc, "sequential"), "client/throughput_rps"));
}

// --connect with --protocol http to a server that is not ours: the model name is a label,
// and a server whose STATS is answered late (a busy sequential one) stalls nothing.
TEST(Sweep, ConnectWithALabelAndABusyServer_sequential) {
    TempDir dir;
    ASSERT_FALSE(dir.path().empty());
    std::string error;
    auto server =
        lab::SpawnedServer::start(LAB_SERVER_PATH, {"--model", "sequential", "--port", "0"}, error);
    ASSERT_TRUE(server.has_value()) << error;
    std::string target = "127.0.0.1:";
    target += std::to_string(server->port());
    Sweep s = run_sweep(dir,
                        {"--models", "somebody-else", "--workload", "ping", "--protocol", "http",
                         "--requests-per-connection", "0", "--connections", "4", "--connect",
                         target, "--duration", "1s", "--warmup", "200ms"},
                        60s);
    ASSERT_NO_FATAL_FAILURE(expect_ok(s));
    EXPECT_LT(s.seconds, 15.0) << "STATS on a busy server stalled the run";
    const json& run = at(*s.doc, "runs")[0];
    EXPECT_EQ(run.value("model", ""), "somebody-else");
    EXPECT_GT(number(run, "client/requests"), 100.0) << "the engine was stalled";
    // One connection got everything; the other three waited in the backlog.
    EXPECT_LT(number(run, "client/per_connection_requests/jain_fairness"), 0.3);
    EXPECT_NE(at(run, "server").value("note", "").find("after the window"), std::string::npos);
    lab::ServerExit exit = server->stop();
    EXPECT_TRUE(exit.exited_cleanly) << exit.stderr_text;
}

// --------------------------------------------------------------------------------------
// Exit status and messages
// --------------------------------------------------------------------------------------

struct UsageCase {
    const char* label;
    std::vector<std::string> args;
    const char* mentions;  // the line names what is wrong
    // The harness got as far as starting a server: it may then write a results file that
    // keeps the runs measured so far and says why it stopped (start_failure).
    bool starts_a_server = false;
};

void PrintTo(const UsageCase& usage, std::ostream* os) {
    *os << usage.label;
}

class UsageError : public testing::TestWithParam<UsageCase> {};

TEST_P(UsageError, ExitsTwoWithOneLine) {
    const UsageCase& c = GetParam();
    TempDir dir;
    ASSERT_FALSE(dir.path().empty());
    std::vector<std::string> args = c.args;
    std::string out = dir.file("out.json");
    args.insert(args.end(), {"--quiet", "--out", out});
    Harness h(args, dir);
    ASSERT_TRUE(h.wait(60s)) << "lab-harness did not exit";
    std::string err = h.err();
    EXPECT_EQ(h.exit_status(), 2) << "stderr: " << err;
    EXPECT_EQ(count_lines(err), 1u) << "stderr: " << err;
    EXPECT_NE(err.find(c.mentions), std::string::npos)
        << "stderr does not mention '" << c.mentions << "': " << err;
    EXPECT_EQ(h.out(), "") << "--quiet";
    if (c.starts_a_server && fs::exists(out)) {
        std::string error;
        auto doc = lab::read_results(out, error);
        ASSERT_TRUE(doc.has_value()) << error;
        EXPECT_EQ(at(*doc, "runs"), json::array());
        EXPECT_NE(doc->value("start_failure", "").find(c.mentions), std::string::npos)
            << doc->value("start_failure", "(no start_failure)");
    } else {
        EXPECT_FALSE(fs::exists(out)) << "no results file on a usage error";
    }
    EXPECT_TRUE(servers_of(h.pid()).empty());
    EXPECT_TRUE(stats_files_of(h.pid()).empty());
}

const char* const kMissingBinary = "/nonexistent/lab-server";

INSTANTIATE_TEST_SUITE_P(
    Harness, UsageError,
    testing::Values(
        UsageCase{"UnknownModel", {"--models", "threads,fibers"}, "fibers"},
        UsageCase{"UnknownWorkload", {"--models", "select", "--workload", "nope"}, "nope"},
        UsageCase{"UnknownProtocol", {"--models", "select", "--protocol", "gopher"}, "gopher"},
        UsageCase{"LabelWithASpaceEvenWithConnect",
                  {"--models", "a b", "--connect", "127.0.0.1:1"},
                  "a b"},
        UsageCase{"MissingWorkloadFile",
                  {"--models", "select", "--workload", "/nonexistent/w.json"},
                  "/nonexistent/w.json"},
        UsageCase{"ZeroConnections", {"--models", "select", "--connections", "0"}, "0"},
        UsageCase{"NegativeConnections", {"--models", "select", "--connections", "8,-1"}, "-1"},
        UsageCase{"TextConnections", {"--models", "select", "--connections", "many"}, "many"},
        UsageCase{
            "TooManyConnections", {"--models", "select", "--connections", "100001"}, "100001"},
        UsageCase{"FractionalDuration", {"--models", "select", "--duration", "1.5s"}, "1.5s"},
        UsageCase{"UnknownDurationUnit", {"--models", "select", "--duration", "2h"}, "2h"},
        UsageCase{"ZeroDuration", {"--models", "select", "--duration", "0"}, "duration"},
        UsageCase{"BadWarmup", {"--models", "select", "--warmup", "-1s"}, "-1s"},
        UsageCase{"UnknownFlag", {"--models", "select", "--colour", "red"}, "colour"},
        UsageCase{"BadConnect", {"--models", "select", "--connect", "localhost"}, "localhost"},
        UsageCase{"IdleClientsWithARate",
                  {"--models", "select", "--workload", "c10k", "--rate", "100"},
                  "idle_clients"},
        UsageCase{"MissingServerBinary",
                  {"--models", "select", "--server-bin", kMissingBinary},
                  kMissingBinary},
        // A server that does not start: its own error, on the harness's one line.
        UsageCase{"ServerRejectsItsArguments",
                  {"--models", "select", "--server-arg=--max-clients=0"},
                  "max-clients",
                  true},
        UsageCase{"ServerArgForAModelNotInTheSweep",
                  {"--models", "select", "--server-arg=threads:--max-clients=10"},
                  "threads"},
        UsageCase{"ServerArgThatIsNotAFlag", {"--models", "select", "--server-arg=8"}, "'8'"},
        UsageCase{"ServerArgForAModelWithoutAFlag",
                  {"--models", "select", "--server-arg=select:8"},
                  "select:8"},
        UsageCase{"ServerArgWithConnect",
                  {"--models", "x", "--connect", "127.0.0.1:1", "--server-arg=--backlog=1"},
                  "--connect"},
        // The models are asked of the binary (--list-models --json) before any server starts.
        UsageCase{"ServerBinaryThatIsNotAServer",
                  {"--models", "select", "--server-bin", "/bin/true"},
                  "did not list its models"},
        UsageCase{"ServerBinaryThatFailsToList",
                  {"--models", "select", "--server-bin", "/bin/false"},
                  "failed"}),
    [](const testing::TestParamInfo<UsageCase>& param_info) {
        return std::string(param_info.param.label);
    });

// The harness learns the models from the server binary it will start, not from code of its own:
// a binary that lists one model, "fibers", makes threads unknown and fibers known (and
// then, being no server, it does not start). --models all is that binary's one model.
TEST(Harness, ModelsAreTheServerBinarysOwn) {
    TempDir dir;
    ASSERT_FALSE(dir.path().empty());
    std::string fake = dir.file("fake-server");
    {
        std::ofstream script(fake);
        script << "#!/bin/sh\n"
                  "[ \"$1\" = --list-models ] && [ \"$2\" = --json ] || exit 2\n"
                  "echo '{\"models\": [{\"name\": \"fibers\", \"summary\": \"s\", "
                  "\"flags\": {}, \"plot\": {\"colour\": \"#123456\", \"point_type\": 3}}]}'\n";
    }
    ASSERT_EQ(chmod(fake.c_str(), 0755), 0);
    struct Case {
        std::string models;
        std::string mentions;
    };
    for (const Case& c : {Case{"threads", "unknown model 'threads' (choose from fibers)"},
                          Case{"fibers", "fibers"}, Case{"all", "fibers"}}) {
        SCOPED_TRACE(c.models);
        Harness h({"--models", c.models, "--server-bin", fake, "--quiet", "--duration", "100ms",
                   "--warmup", "0"},
                  dir);
        ASSERT_TRUE(h.wait(60s)) << "lab-harness did not exit";
        std::string err = h.err();
        EXPECT_EQ(h.exit_status(), 2) << err;
        EXPECT_EQ(count_lines(err), 1u) << err;
        EXPECT_NE(err.find(c.mentions), std::string::npos) << err;
        bool known = c.models != "threads";
        EXPECT_EQ(err.find("did not start") != std::string::npos, known)
            << "a known model is started, an unknown one is not: " << err;
    }
}

// A model the server's machine cannot run (the listing's "unavailable": uring where io_uring is
// denied) is left out of --models all with one note saying why, and asked for by name it is one
// line and exit status 2 before any server starts: a fake binary that lists fibers, which
// can run (and then, being no server, does not start), and ring, which cannot.
TEST(Harness, ModelsTheMachineCannotRunAreLeftOutOrRefused) {
    TempDir dir;
    ASSERT_FALSE(dir.path().empty());
    std::string fake = dir.file("fake-server");
    {
        std::ofstream script(fake);
        script << "#!/bin/sh\n"
                  "[ \"$1\" = --list-models ] && [ \"$2\" = --json ] || exit 2\n"
                  "echo '{\"models\": [{\"name\": \"fibers\", \"summary\": \"s\", "
                  "\"flags\": {}, \"plot\": {\"colour\": \"#123456\", \"point_type\": 3}}, "
                  "{\"name\": \"ring\", \"summary\": \"s\", \"flags\": {}, \"plot\": "
                  "{\"colour\": \"#654321\", \"point_type\": 2}, \"unavailable\": "
                  "\"--model ring: denied here\"}]}'\n";
    }
    ASSERT_EQ(chmod(fake.c_str(), 0755), 0);
    {
        Harness all({"--models", "all", "--server-bin", fake, "--quiet", "--duration", "100ms",
                     "--warmup", "0"},
                    dir);
        ASSERT_TRUE(all.wait(60s)) << "lab-harness did not exit";
        std::string err = all.err();
        EXPECT_NE(err.find("lab-harness: leaving out ring: --model ring: denied here\n"),
                  std::string::npos)
            << err;
        EXPECT_NE(err.find("fibers"), std::string::npos) << "fibers was tried: " << err;
        EXPECT_EQ(err.find("ring c="), std::string::npos) << "ring was started: " << err;
    }
    Harness named({"--models", "ring", "--server-bin", fake, "--quiet"}, dir);
    ASSERT_TRUE(named.wait(60s)) << "lab-harness did not exit";
    std::string err = named.err();
    EXPECT_EQ(named.exit_status(), 2) << err;
    EXPECT_EQ(count_lines(err), 1u) << err;
    EXPECT_NE(err.find("--model ring: denied here"), std::string::npos) << err;
    EXPECT_EQ(err.find("did not start"), std::string::npos) << "a server was started: " << err;
}

// `lab-harness timeline` asks the server binary for its models too: an unknown model, or a
// binary that cannot be run, is one line and exit status 2, before any server starts.
TEST(Harness, TimelineAsksTheServerBinaryForItsModels) {
    TempDir dir;
    ASSERT_FALSE(dir.path().empty());
    struct Case {
        std::vector<std::string> extra;
        std::string mentions;
    };
    for (const Case& c : {Case{{"--model", "fibers"}, "unknown model 'fibers'"},
                          Case{{"--model", "select", "--server-bin", kMissingBinary},
                               std::string("cannot run ") + kMissingBinary}}) {
        SCOPED_TRACE(c.mentions);
        std::vector<std::string> args = {"timeline", "--scenario", "io", "--out",
                                         dir.file("trace.json")};
        args.insert(args.end(), c.extra.begin(), c.extra.end());
        Harness h(args, dir);
        ASSERT_TRUE(h.wait(60s)) << "lab-harness did not exit";
        std::string err = h.err();
        EXPECT_EQ(h.exit_status(), 2) << err;
        EXPECT_EQ(count_lines(err), 1u) << err;
        EXPECT_NE(err.find(c.mentions), std::string::npos) << err;
        EXPECT_FALSE(fs::exists(dir.file("trace.json")));
    }
}

// A server that will not start in the middle of a sweep: the runs before it are kept in the
// file, which says what failed, and the harness exits 2. (select cannot watch 5,000 clients;
// threads can.)
TEST(Harness, ServerThatWillNotStartMidSweepKeepsEarlierRuns_threads_select) {
    TempDir dir;
    ASSERT_FALSE(dir.path().empty());
    std::string out = dir.file("partial.json");
    Harness h(
        {"--models", "threads,select", "--workload", "ping", "--connections", "2", "--duration",
         "300ms", "--warmup", "100ms", "--server-arg=--max-clients=5000", "--quiet", "--out", out},
        dir);
    ASSERT_TRUE(h.wait(60s));
    std::string err = h.err();
    EXPECT_EQ(h.exit_status(), 2) << err;
    EXPECT_EQ(count_lines(err), 1u) << err;
    EXPECT_NE(err.find("select"), std::string::npos) << err;
    std::string error;
    auto doc = lab::read_results(out, error);
    ASSERT_TRUE(doc.has_value()) << error;
    ASSERT_EQ(at(*doc, "runs").size(), 1u);
    EXPECT_EQ(at(*doc, "runs")[0].value("model", ""), "threads");
    EXPECT_GT(number(at(*doc, "runs")[0], "client/requests"), 0.0);
    EXPECT_NE(doc->value("start_failure", "").find("select"), std::string::npos);
    EXPECT_FALSE(doc->value("interrupted", true));
    EXPECT_TRUE(eventually([&] { return servers_of(h.pid()).empty(); }, 5s));
}

// --server-arg MODEL:ARG goes to that model only: a sweep over models whose flags differ
// (select cannot watch 5,000 clients, threads can; only threads has --thread-stack-kb). Each
// run records the arguments its server got.
TEST(Harness, ServerArgForOneModel_threads_select) {
    TempDir dir;
    ASSERT_FALSE(dir.path().empty());
    std::string out = dir.file("per-model.json");
    Harness h({"--models", "threads,select", "--workload", "ping", "--connections", "2",
               "--duration", "300ms", "--warmup", "100ms", "--server-arg=--idle-timeout=30",
               "--server-arg=threads:--max-clients=5000",
               "--server-arg=threads:--thread-stack-kb=256", "--quiet", "--out", out},
              dir);
    ASSERT_TRUE(h.wait(60s));
    EXPECT_EQ(h.exit_status(), 0) << h.err();
    std::string error;
    auto doc = lab::read_results(out, error);
    ASSERT_TRUE(doc.has_value()) << error;
    ASSERT_EQ(at(*doc, "runs").size(), 2u);
    for (const json& run : at(*doc, "runs")) {
        EXPECT_GT(number(run, "client/requests"), 0.0) << run.value("model", "");
        std::vector<std::string> expected = {"--idle-timeout=30"};
        if (run.value("model", "") == "threads")
            expected = {"--idle-timeout=30", "--max-clients=5000", "--thread-stack-kb=256"};
        ASSERT_TRUE(at(run, "server_args").is_array()) << run.value("model", "");
        EXPECT_EQ(at(run, "server_args").get<std::vector<std::string>>(), expected)
            << run.value("model", "");
    }
    EXPECT_EQ(at(at(*doc, "config"), "server_args").size(), 3u);
}

TEST(Harness, BadWorkloadFileNamesTheFileAndField) {
    TempDir dir;
    ASSERT_FALSE(dir.path().empty());
    std::string path = dir.file("bad.json");
    std::ofstream(path) << R"({"name": "bad", "mix": [{"request": "WORK", "cpu_us": 1000001}]})";
    Harness h({"--models", "select", "--workload", path, "--duration", "300ms"}, dir);
    ASSERT_TRUE(h.wait(60s));
    std::string err = h.err();
    EXPECT_EQ(h.exit_status(), 2) << err;
    EXPECT_EQ(count_lines(err), 1u) << err;
    EXPECT_NE(err.find(path), std::string::npos) << err;
    EXPECT_NE(err.find("mix[0].cpu_us"), std::string::npos) << err;
}

TEST(Harness, ListsTheShippedWorkloads) {
    TempDir dir;
    ASSERT_FALSE(dir.path().empty());
    Harness h({"--list-workloads"}, dir);
    ASSERT_TRUE(h.wait(30s));
    EXPECT_EQ(h.exit_status(), 0) << h.err();
    std::string out = h.out();
    for (const char* name :
         {"ping", "echo", "cpu", "io", "mixed", "shared", "bulk", "slow-clients", "c10k"}) {
        EXPECT_NE(out.find(std::string(name) + "\n"), std::string::npos) << name << " in " << out;
    }
}

// --------------------------------------------------------------------------------------
// Many connections: paced connects, idle clients, and what each limit does
// --------------------------------------------------------------------------------------

// A c10k-shaped run, small: 300 kept-open connections opened 100 every 50 ms, nine in ten
// of them idle (a request every 5 s), the rest an active set with no pause. Every connection
// opens, the opening is spread over the groups, and the idle ones make at most one request
// each in a window shorter than their think time, far fewer than the active set.
TEST(Sweep, PacedIdleConnections_threads) {
    TempDir dir;
    ASSERT_FALSE(dir.path().empty());
    std::string path = dir.file("paced.json");
    std::ofstream(path) << R"({"name": "paced", "mix": [{"request": "PING"}],
        "requests_per_connection": 0,
        "idle_clients": {"share_pct": 90, "think_time": "5s"},
        "connect_pace": {"group": 100, "every": "50ms"}})";
    Sweep s = run_sweep(dir, {"--models", "threads", "--workload", path, "--connections", "300",
                              "--duration", kDuration, "--warmup", "1s"});
    ASSERT_NO_FATAL_FAILURE(expect_ok(s));
    EXPECT_EQ(count_lines(s.err), 0u) << "no note: the warm-up covers the pacing; " << s.err;
    const json& run = run_of(*s.doc, "threads");
    ASSERT_NO_FATAL_FAILURE(expect_run_fields(run, "threads", "paced", 300, false));
    const json& workload = at(at(*s.doc, "config"), "workloads")[0];
    EXPECT_EQ(number(workload, "idle_clients/share_pct"), 90.0);
    EXPECT_EQ(number(workload, "idle_clients/think_time_s"), 5.0);
    EXPECT_EQ(number(workload, "connect_pace/group"), 100.0);
    EXPECT_EQ(number(workload, "connect_pace/every_s"), 0.05);

    EXPECT_EQ(number(run, "client/errors/wrong_reply"), 0.0);
    EXPECT_EQ(number(run, "client/errors/refused"), 0.0);
    EXPECT_EQ(number(run, "client/connected/window_start"), 300.0) << "all connected";
    EXPECT_EQ(number(run, "client/connected/window_end"), 300.0);
    // The third group is not due before 100 ms: the opening is spread over the groups.
    EXPECT_EQ(number(run, "connect_pace/last_group_s"), 0.1);
    EXPECT_FALSE(at(at(run, "connect_pace"), "longer_than_warmup").get<bool>());
    EXPECT_GE(number(run, "client/all_connected_s"), 0.1);
    EXPECT_LT(number(run, "client/all_connected_s"), 1.0) << "all open inside the warm-up";
    // The server serves them with a thread each, once it has accepted them: the kernel
    // completes connects the server has not accepted yet (a slow build may lag far behind).
    EXPECT_GT(number(run, "server/connections_active/window_end"), 0.0);
    EXPECT_LE(number(run, "server/connections_active/window_end"), 300.0);
    EXPECT_EQ(number(run, "server/connections_rejected"), 0.0);

    double idle_connections = number(run, "client/idle_clients/connections");
    double idle_requests = number(run, "client/idle_clients/requests");
    double requests = number(run, "client/requests");
    EXPECT_EQ(idle_connections, 270.0) << "90% of 300";
    EXPECT_LE(idle_requests, idle_connections) << "at most one each in 1.5 s at one per 5 s";
    EXPECT_GT(requests - idle_requests, idle_requests) << "the 30 active do more than 270 idle";
    EXPECT_EQ(number(run, "client/per_connection_requests/min"), 0.0)
        << "some idle connection made no request in the window";
}

// Pacing that needs longer than the warm-up: one line on stderr says so, and the run
// records it.
TEST(Harness, PacingLongerThanTheWarmupIsSaidAndRecorded_select) {
    TempDir dir;
    ASSERT_FALSE(dir.path().empty());
    std::string path = dir.file("slow-pace.json");
    std::ofstream(path) << R"({"name": "slow-pace", "mix": [{"request": "PING"}],
        "requests_per_connection": 0, "connect_pace": {"group": 2, "every": "400ms"}})";
    Sweep s = run_sweep(dir, {"--models", "select", "--workload", path, "--connections", "6",
                              "--duration", "1s", "--warmup", "100ms"});
    ASSERT_NO_FATAL_FAILURE(expect_ok(s));
    EXPECT_EQ(count_lines(s.err), 1u) << s.err;
    EXPECT_NE(s.err.find("800ms"), std::string::npos) << "when the last group opens: " << s.err;
    EXPECT_NE(s.err.find("--warmup"), std::string::npos) << s.err;
    const json& run = run_of(*s.doc, "select");
    EXPECT_EQ(number(run, "connect_pace/last_group_s"), 0.8);
    EXPECT_TRUE(at(at(run, "connect_pace"), "longer_than_warmup").get<bool>());
    EXPECT_LT(number(run, "client/connected/window_start"), 6.0) << "not all open in time";
    EXPECT_EQ(number(run, "client/connected/window_end"), 6.0) << "but all open later";
    EXPECT_GE(number(run, "client/all_connected_s"), 0.8);
}

// A full listen backlog: the kernel drops further connects silently. The client sees connect
// timeouts, which the results count as errors.timeout and, of those, connect_timeouts; the
// sequential server, holding its one client, still ends cleanly.
TEST(Harness, FullListenBacklogEndsInConnectTimeouts_sequential) {
    TempDir dir;
    ASSERT_FALSE(dir.path().empty());
    Sweep s =
        run_sweep(dir, {"--models", "sequential", "--workload", "ping", "--connections", "200",
                        "--requests-per-connection", "0", "--connect-timeout", "500ms",
                        "--server-arg=--backlog=16", "--duration", kDuration, "--warmup", kWarmup});
    ASSERT_NO_FATAL_FAILURE(expect_ok(s));
    const json& run = run_of(*s.doc, "sequential");
    EXPECT_EQ(number(run, "client/errors/wrong_reply"), 0.0);
    EXPECT_GT(number(run, "client/connect_timeouts"), 0.0);
    EXPECT_GE(number(run, "client/errors/timeout"), number(run, "client/connect_timeouts"));
    // One client served, about 17 in the backlog: far from 200 connected.
    EXPECT_LT(number(run, "client/connected/window_end"), 100.0);
    EXPECT_TRUE(at(run, "client/all_connected_s").is_null()) << "some never connected";
    EXPECT_GT(number(run, "client/requests"), 0.0) << "the one client is served";
}

// The harness needs a descriptor per connection. When the hard limit is too low it says, in
// one line and before starting any server, exactly what to run, and exits 2.
TEST(Harness, TooFewDescriptorsSaysWhatToRunAndStartsNothing) {
    TempDir dir;
    ASSERT_FALSE(dir.path().empty());
    std::string err_path = dir.file("stderr");
    std::string out = dir.file("out.json");
    std::vector<std::string> args = {LAB_HARNESS_PATH, "--models", "select", "--connections",
                                     "1000",           "--quiet",  "--out",  out};
    std::vector<char*> argv;
    for (std::string& a : args)
        argv.push_back(a.data());
    argv.push_back(nullptr);
    pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
        // The child: a hard limit of 256 descriptors, then the harness (only async-signal-
        // safe calls between fork and exec).
        rlimit low{256, 256};
        int fd = open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (fd < 0 || dup2(fd, STDERR_FILENO) < 0 || setrlimit(RLIMIT_NOFILE, &low) != 0) _exit(99);
        execv(LAB_HARNESS_PATH, argv.data());
        _exit(98);
    }
    int status = 0;
    bool exited = false;
    for (auto deadline = Clock::now() + 30s; Clock::now() < deadline;) {
        if (waitpid(pid, &status, WNOHANG) == pid) {
            exited = true;
            break;
        }
        std::this_thread::sleep_for(10ms);
    }
    if (!exited) {
        kill(pid, SIGKILL);
        waitpid(pid, &status, 0);
    }
    ASSERT_TRUE(exited) << "lab-harness did not exit";
    std::string err = read_text(err_path);
    ASSERT_TRUE(WIFEXITED(status));
    EXPECT_EQ(WEXITSTATUS(status), 2) << err;
    EXPECT_EQ(count_lines(err), 1u) << err;
    EXPECT_NE(err.find("1064"), std::string::npos) << "the descriptors needed: " << err;
    EXPECT_NE(err.find("256"), std::string::npos) << "the hard limit: " << err;
    EXPECT_NE(err.find("ulimit -Hn 1064"), std::string::npos) << err;
    EXPECT_NE(err.find("limits.conf"), std::string::npos) << err;
    EXPECT_FALSE(fs::exists(out));
    EXPECT_TRUE(servers_of(pid).empty());
}

// lab-server raises its own soft descriptor limit to the hard one at start: started with a
// soft limit of 256, it runs with soft == hard.
TEST(Server, RaisesItsDescriptorLimitToTheHardLimit_select) {
    rlimit before{};
    ASSERT_EQ(getrlimit(RLIMIT_NOFILE, &before), 0);
    if (before.rlim_max <= 256) GTEST_SKIP() << "the hard limit is already 256 or less";
    rlimit low = before;
    low.rlim_cur = 256;
    ASSERT_EQ(setrlimit(RLIMIT_NOFILE, &low), 0);  // inherited by the server
    std::string error;
    auto server =
        lab::SpawnedServer::start(LAB_SERVER_PATH, {"--model", "select", "--port", "0"}, error);
    ASSERT_EQ(setrlimit(RLIMIT_NOFILE, &before), 0);  // this process's own limit back
    ASSERT_TRUE(server.has_value()) << error;
    // "Max open files            SOFT                 HARD                 files"
    std::ifstream limits("/proc/" + std::to_string(server->pid()) + "/limits");
    std::string line;
    std::string soft;
    std::string hard;
    while (std::getline(limits, line)) {
        if (!line.starts_with("Max open files")) continue;
        std::istringstream fields(line.substr(std::string("Max open files").size()));
        fields >> soft >> hard;
    }
    ASSERT_FALSE(soft.empty()) << "no Max open files line";
    EXPECT_EQ(soft, hard);
    EXPECT_EQ(hard, std::to_string(before.rlim_max));
    EXPECT_TRUE(server->stop().exited_cleanly);
}

// --------------------------------------------------------------------------------------
// Interrupted and killed harnesses
// --------------------------------------------------------------------------------------

// Starts a long select run and waits until its server is up (and a little longer).
bool wait_for_server(const Harness& h) {
    bool up = eventually([&] { return !servers_of(h.pid()).empty(); }, 20s);
    std::this_thread::sleep_for(700ms);
    return up;
}

TEST(Harness, SigintWritesWhatWasMeasured_select) {
    TempDir dir;
    ASSERT_FALSE(dir.path().empty());
    std::string out = dir.file("interrupted.json");
    Harness h({"--models", "select", "--workload", "ping", "--connections", "2", "--duration",
               "60s", "--warmup", "0", "--quiet", "--out", out},
              dir);
    ASSERT_TRUE(wait_for_server(h)) << "no server appeared; stderr: " << h.err();
    h.signal(SIGINT);
    ASSERT_TRUE(h.wait(20s)) << "lab-harness did not stop on SIGINT";
    EXPECT_EQ(h.exit_status(), 130) << h.err();
    std::string error;
    auto doc = lab::read_results(out, error);
    ASSERT_TRUE(doc.has_value()) << error;
    EXPECT_TRUE(doc->value("interrupted", false));
    ASSERT_EQ(at(*doc, "runs").size(), 1u);
    EXPECT_GT(number(at(*doc, "runs")[0], "client/requests"), 0.0);
    EXPECT_LT(number(at(*doc, "runs")[0], "duration_s"), 60.0);
    EXPECT_TRUE(eventually([&] { return servers_of(h.pid()).empty(); }, 5s));
    EXPECT_TRUE(stats_files_of(h.pid()).empty());
    EXPECT_EQ(dir.entries().size(), 3u) << "the results file, stdout and stderr only";
}

// A killed harness leaves nothing behind: its server dies with it (PR_SET_PDEATHSIG), and
// no results file, half or whole, is written.
TEST(Harness, SigkillLeavesNoServerBehind_select) {
    TempDir dir;
    ASSERT_FALSE(dir.path().empty());
    std::string out = dir.file("killed.json");
    Harness h({"--models", "select", "--workload", "ping", "--connections", "2", "--duration",
               "60s", "--warmup", "0", "--quiet", "--out", out},
              dir);
    ASSERT_TRUE(wait_for_server(h)) << "no server appeared; stderr: " << h.err();
    pid_t pid = h.pid();
    h.signal(SIGKILL);
    ASSERT_TRUE(h.wait(10s));
    EXPECT_EQ(h.exit_status(), 128 + SIGKILL);
    EXPECT_TRUE(eventually([&] { return servers_of(pid).empty(); }, 10s))
        << "the server outlived the killed harness";
    EXPECT_FALSE(fs::exists(out));
    for (const std::string& name : dir.entries()) {
        EXPECT_EQ(name.find("killed.json"), std::string::npos) << name << " was left behind";
    }
    std::vector<std::string> left = stats_files_of(pid);
    EXPECT_TRUE(left.empty()) << left.size() << " stats file(s) left in /dev/shm, e.g. "
                              << (left.empty() ? "" : left.front());
    for (const std::string& path : left)
        std::remove(path.c_str());  // do not leave them for the next test either
}

}  // namespace
