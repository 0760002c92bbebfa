// lab-harness: drives server models with a workload and records what happens into JSON.
//   lab-harness --models sequential,threads,fork,select --workload io --connections 1,8,64
//               --duration 5s --warmup 1s --repeat 3 --out results/NAME.json
// Exit status: 0 done; 1 a server was wrong (a wrong reply, a crash); 2 bad input or a server
// that would not start; 130 interrupted (what was measured so far is still written).
// It drives servers as processes and links none of their code: the models it knows are the
// ones the server binary it starts lists (`--server-bin --list-models --json`, server_models).
#include <signal.h>
#include <sys/resource.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <atomic>
#include <cstdio>
#include <filesystem>
#include <iomanip>
#include <iostream>
#include <map>
#include <sstream>

#include "database.hpp"
#include "duration.hpp"
#include "results.hpp"
#include "run.hpp"
#include "server_models.hpp"
#include "timeline.hpp"
#include "workload.hpp"

namespace {

constexpr int kUsageError = 2;
constexpr std::uint64_t kMaxConnections = 100'000;
constexpr std::uint64_t kMaxRepeat = 100;
constexpr std::uint64_t kDescriptorMargin = 64;  // stdio, epoll, pipes, /proc files

std::atomic<bool> g_interrupted{false};

void on_signal(int) {
    g_interrupted.store(true);
}

[[noreturn]] void usage_error(const std::string& message) {
    std::cerr << "lab-harness: " << message << "\n";
    std::exit(kUsageError);
}

std::vector<std::string> split(const std::string& text, char sep) {
    std::vector<std::string> parts;
    std::stringstream in(text);
    std::string part;
    while (std::getline(in, part, sep))
        parts.push_back(part);
    return parts;
}

std::uint64_t duration_or_die(const std::string& flag, const std::string& text) {
    auto ns = lab::parse_duration_ns(text);
    if (!ns) usage_error(flag + " '" + text + "' is not a duration (N, Nms, Ns or Nm)");
    return *ns;
}

// --server-arg values per model: ARG goes to every model, MODEL:ARG to MODEL only (a sweep
// over models whose flags differ: --server-arg=threads:--max-clients=10000). Each ARG is a
// lab-server flag; a MODEL must be one of the sweep's. Exits 2 on anything else.
std::map<std::string, std::vector<std::string>> server_args_by_model(
    const std::vector<std::string>& values, const std::vector<std::string>& models,
    bool connecting) {
    std::map<std::string, std::vector<std::string>> by_model;
    if (connecting && !values.empty())
        usage_error(
            "--server-arg is for the servers lab-harness starts; with --connect, give "
            "the server its flags where you start it");
    for (const std::string& value : values) {
        std::string model, arg = value;
        if (!value.starts_with('-')) {
            auto colon = value.find(':');
            if (colon == std::string::npos)
                usage_error("--server-arg '" + value +
                            "' must be a lab-server flag such as --max-clients=10000, or "
                            "MODEL:FLAG");
            model = value.substr(0, colon);
            arg = value.substr(colon + 1);
            if (std::find(models.begin(), models.end(), model) == models.end())
                usage_error("--server-arg '" + value + "': '" + model +
                            "' is not one of this sweep's models (--models)");
            if (!arg.starts_with('-'))
                usage_error("--server-arg '" + value + "': after '" + model +
                            ":' comes a lab-server flag such as --max-clients=10000");
        }
        for (const std::string& m : models) {
            if (model.empty() || m == model) by_model[m].push_back(arg);
        }
    }
    return by_model;
}

// The models of the server binary lab-harness will start, as it lists them. Exits 2 with one
// line if it cannot be run or lists none (it is then no lab-server).
std::vector<lab::ListedModel> server_models_or_die(const std::string& server_bin) {
    std::string error;
    auto models = lab::list_server_models(server_bin, error);
    if (!models) usage_error(error);
    return *models;
}

// With --connect the server is not ours to start: a model's name is only a label (for
// instance nginx, in harness/bench/crosscheck-wrk), of letters, digits, - and _.
bool is_label(const std::string& name) {
    return !name.empty() && name.size() <= 32 && std::all_of(name.begin(), name.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '-' || c == '_';
    });
}

// The sweep's models from --models: names of the server binary's models, or all of them (but a
// student's model, which is run only when named); with --connect, one label. The binary's listing
// goes into `listed` (none with --connect). Exits 2 with one line on an unknown model.
std::vector<std::string> sweep_models(const std::string& models_text, bool connecting,
                                      const std::string& server_bin,
                                      std::vector<lab::ListedModel>& listed) {
    std::vector<std::string> models;
    if (connecting) {
        if (models_text == "all")
            usage_error("--connect drives one server: give --models with its one model");
        for (const std::string& name : split(models_text, ',')) {
            if (!is_label(name))
                usage_error("--models '" + name +
                            "': with --connect a model is a label of letters, digits, - and _ "
                            "(at most 32)");
            models.push_back(name);
        }
        return models;
    }
    listed = server_models_or_die(server_bin);
    if (models_text == "all") {
        // All of the lab's own that can run here: a model the machine denies (uring without
        // io_uring) is left out with a note, so that a sweep over every model still runs in a
        // container.
        for (const lab::ListedModel& m : listed) {
            if (m.assignment) continue;  // the lab's own: a student's model only when named
            if (!m.unavailable.empty()) {
                std::cerr << "lab-harness: leaving out " << m.name << ": " << m.unavailable << "\n";
                continue;
            }
            models.push_back(m.name);
        }
        if (models.empty()) usage_error("--models all: no model can run on this machine");
        return models;
    }
    for (const std::string& name : split(models_text, ',')) {
        const lab::ListedModel* found = lab::find_listed_model(listed, name);
        if (found == nullptr) {
            usage_error("unknown model '" + name + "' (choose from " +
                        lab::listed_model_names(listed) + ")");
        }
        if (!found->unavailable.empty()) usage_error(found->unavailable);  // before any run
        models.push_back(name);
    }
    return models;
}

// Makes room for `connections` descriptors: raises the soft RLIMIT_NOFILE to the hard one
// (the server it starts inherits both and raises its own the same way). If the hard limit
// is too low, exits 2 before any server starts, with the command that raises it.
void ensure_descriptors(std::uint64_t connections) {
    rlimit limit{};
    getrlimit(RLIMIT_NOFILE, &limit);
    std::uint64_t needed = connections + kDescriptorMargin;
    if (limit.rlim_cur < needed && limit.rlim_cur < limit.rlim_max) {
        limit.rlim_cur = limit.rlim_max;
        setrlimit(RLIMIT_NOFILE, &limit);
        getrlimit(RLIMIT_NOFILE, &limit);
    }
    if (limit.rlim_cur < needed) {
        std::string n = std::to_string(needed);
        std::string message = std::to_string(connections);
        message += " connections need " + n + " file descriptors but the hard limit is ";
        message += std::to_string(limit.rlim_max) + ": as root run `ulimit -Hn " + n;
        message += "` in this shell, or add `* hard nofile " + n;
        message += "` to /etc/security/limits.conf and log in again; then run this again";
        usage_error(message);
    }
}

std::string fixed(double value, int digits) {
    std::ostringstream out;
    out << std::fixed << std::setprecision(digits) << value;
    return out.str();
}

void print_summary(const nlohmann::json& runs) {
    std::cout << std::left << std::setw(13) << "workload" << std::setw(11) << "model" << std::right
              << std::setw(6) << "conns" << std::setw(4) << "rep" << std::setw(11) << "req/s"
              << std::setw(10) << "p50 ms" << std::setw(10) << "p99 ms" << std::setw(8) << "errors"
              << std::setw(10) << "cpu us/r" << std::setw(9) << "vcs/r" << std::setw(9) << "ivcs/r"
              << std::setw(9) << "tasks"
              << "\n";
    for (const auto& run : runs) {
        const auto& client = run["client"];
        std::uint64_t errors = 0;
        for (const auto& [kind, count] : client["errors"].items())
            errors += count.get<std::uint64_t>();
        auto per = run.value("per_request", nlohmann::json::object());
        auto server = run.value("server", nlohmann::json::object());
        std::uint64_t tasks = server.value("peak_threads", std::uint64_t{0});
        std::cout
            << std::left << std::setw(13) << run["workload"].get<std::string>().substr(0, 12)
            << std::setw(11) << run["model"].get<std::string>() << std::right << std::setw(6)
            << run["connections"].get<std::uint64_t>() << std::setw(4)
            << run["repeat"].get<std::uint64_t>() << std::setw(11)
            << fixed(client["throughput_rps"].get<double>(), 0) << std::setw(10)
            << fixed(static_cast<double>(client["latency_ns"]["p50"].get<std::uint64_t>()) / 1e6, 2)
            << std::setw(10)
            << fixed(static_cast<double>(client["latency_ns"]["p99"].get<std::uint64_t>()) / 1e6, 2)
            << std::setw(8) << errors << std::setw(10) << fixed(per.value("cpu_us", 0.0), 1)
            << std::setw(9) << fixed(per.value("voluntary_ctx_switches", 0.0), 2) << std::setw(9)
            << fixed(per.value("involuntary_ctx_switches", 0.0), 2) << std::setw(9) << tasks
            << "\n";
    }
}

// The command line as given: the sweep's flags and the timeline subcommand's.
struct Options {
    std::string models_text = "all";
    std::string workload_name = "ping";
    std::string workload_dir = LAB_WORKLOAD_DIR;
    std::string connections_text = "1";
    std::string duration_text = "5s";
    std::string warmup_text = "1s";
    std::uint64_t repeat = 1;
    double rate = 0;
    std::string out_path;
    std::string connect_text;
    std::optional<std::string> db_uri;
    std::vector<std::string> server_args;
    std::string server_bin;
    std::optional<std::string> request_timeout_text, think_time_text;
    std::optional<std::uint64_t> requests_per_connection;
    std::string connect_timeout_text = "2s";
    std::uint64_t seed = 1;
    std::string protocol = "labp";
    bool quiet = false;
    bool list = false;
    bool perf = false;
    lab::TimelineSpec timeline;
};

// Declares the sweep's flags on app, bound to options; returns the timeline subcommand.
CLI::App* declare_options(CLI::App& app, Options& options) {
    app.add_option("--models", options.models_text,
                   "Comma-separated models, or all (default all: the lab's own, without a "
                   "student's model); with --connect, a label for the server");
    app.add_option("--workload", options.workload_name,
                   "Workloads, comma-separated: names (in --workload-dir) or .json paths "
                   "(default ping)");
    app.add_option("--workload-dir", options.workload_dir, "Where named workloads live");
    app.add_option("--connections", options.connections_text,
                   "Comma-separated connection counts (default 1)");
    app.add_option("--duration", options.duration_text,
                   "Measurement window per run: N[ms|s|m] (default 5s)");
    app.add_option("--warmup", options.warmup_text,
                   "Time before the window, not recorded (default 1s)");
    app.add_option("--repeat", options.repeat, "Runs per (model, connections) (default 1)")
        ->check(CLI::Range(std::uint64_t{1}, kMaxRepeat));
    app.add_option(
           "--rate", options.rate,
           "Open loop: total requests per second on a fixed schedule (default: closed loop)")
        ->check(CLI::Range(0.0, 10'000'000.0));
    app.add_option("--out", options.out_path, "Write the results JSON here");
    app.add_option("--connect", options.connect_text,
                   "Drive a server started elsewhere, HOST:PORT");
    app.add_option("--server-arg", options.server_args,
                   "Extra lab-server argument, e.g. --server-arg=--max-clients=10000; "
                   "MODEL:ARG gives it to that model only, e.g. "
                   "--server-arg=threads:--thread-stack-kb=256 (repeatable)")
        ->allow_extra_args(false);
    app.add_option("--db", options.db_uri,
                   "PostgreSQL URI of the database behind QUERY: given to each server started "
                   "as its --db (unless its --server-arg has one) and read with psql at each "
                   "window's edges (default: $LAB_DB_URI, else build/db/uri as ./lab db start "
                   "writes it, as lab-server finds its own; \"\" for none)");
    app.add_option("--server-bin", options.server_bin,
                   "lab-server to start; its --list-models --json says which models there are "
                   "(default: the one beside lab-harness)");
    app.add_option("--request-timeout", options.request_timeout_text,
                   "Override the workload's request timeout");
    app.add_option("--think-time", options.think_time_text,
                   "Override the workload's think time (with idle_clients: the active set's)");
    app.add_option("--requests-per-connection", options.requests_per_connection,
                   "Override the workload's requests per connection (0 = never reconnect)")
        ->check(CLI::Range(std::uint64_t{0}, std::uint64_t{1'000'000'000}));
    app.add_option("--connect-timeout", options.connect_timeout_text,
                   "Connect timeout (default 2s)");
    app.add_option("--seed", options.seed, "Seed for the request mix");
    app.add_option("--protocol", options.protocol,
                   "labp (default) or http: the same workload as HTTP/1.1 GET requests, "
                   "keep-alive, to compare one to one with wrk")
        ->check(CLI::IsMember({"labp", "http"}));
    app.add_flag("--quiet", options.quiet, "No progress lines and no summary table");
    app.add_flag("--perf", options.perf,
                 "Also count the server's context switches and CPU with perf stat over the "
                 "window, as a check, and its system calls (needs linux-perf; root)");
    app.add_flag("--list-workloads", options.list,
                 "Print the workloads in --workload-dir and exit");
    // lab-harness timeline: the four classic pictures, measured (see timeline.hpp).
    CLI::App* timeline_app = app.add_subcommand(
        "timeline",
        "Three clients, a few WORK requests each, against one model with --trace; "
        "writes the server's trace plus the clients' requests (Chrome trace JSON)");
    timeline_app->add_option("--model", options.timeline.model, "The model")->required();
    timeline_app->add_option("--scenario", options.timeline.scenario, "cpu, io or mixed")
        ->required();
    timeline_app->add_option("--out", options.timeline.out_path, "Where to write the trace")
        ->required();
    timeline_app->add_option("--server-bin", options.server_bin, "lab-server to start");
    return timeline_app;
}

// lab-harness timeline: checks the model against the server binary's, then runs it.
int timeline_command(const Options& options) {
    std::vector<lab::ListedModel> listed = server_models_or_die(options.server_bin);
    if (lab::find_listed_model(listed, options.timeline.model) == nullptr) {
        usage_error("unknown model '" + options.timeline.model + "' (choose from " +
                    lab::listed_model_names(listed) + ")");
    }
    lab::TimelineSpec timeline = options.timeline;
    timeline.server_bin = options.server_bin;
    std::string error;
    int status = lab::run_timeline(timeline, error);
    if (status == 2) usage_error(error);
    if (status != 0) std::cerr << "lab-harness timeline: " << error << "\n";
    return status;
}

// --list-workloads: the workloads in the directory, one a line.
int list_workloads_command(const std::string& workload_dir) {
    for (const std::string& name : lab::list_workloads(workload_dir))
        std::cout << name << "\n";
    return 0;
}

// What the sweep runs, checked and derived from the Options.
struct SweepPlan {
    std::vector<std::string> models;
    std::vector<std::uint64_t> connection_counts;
    std::uint64_t most_connections = 0;
    std::uint64_t duration_ns = 0;
    std::uint64_t warmup_ns = 0;
    std::uint64_t connect_timeout_ns = 0;
    std::vector<lab::Workload> workloads;
    nlohmann::json workloads_json = nlohmann::json::array();  // config.workloads
    std::optional<std::string> connect_host;
    std::uint16_t connect_port = 0;
    std::map<std::string, std::vector<std::string>> args_of_model;
    std::vector<lab::ListedModel> listed;  // the server binary's models (none with --connect)
    lab::DbUri db;                         // --db, or the default lookup
};

// --connections as numbers from 1 to kMaxConnections; exits 2 on anything else.
std::vector<std::uint64_t> connection_counts_or_die(const std::string& connections_text) {
    std::vector<std::uint64_t> connection_counts;
    for (const std::string& part : split(connections_text, ',')) {
        char* end = nullptr;
        unsigned long long n = std::strtoull(part.c_str(), &end, 10);
        if (part.empty() || *end != '\0' || part[0] == '-' || n == 0 || n > kMaxConnections) {
            usage_error("--connections '" + part + "' must be a whole number from 1 to " +
                        std::to_string(kMaxConnections));
        }
        connection_counts.push_back(n);
    }
    return connection_counts;
}

// A workload as the results file's config.workloads lists it.
nlohmann::json workload_json(const lab::Workload& workload) {
    return {
        {"name", workload.name},
        {"path", workload.path},
        {"description", workload.description},
        {"think_time_s", static_cast<double>(workload.think_time_ns) / 1e9},
        {"request_timeout_s", static_cast<double>(workload.request_timeout_ns) / 1e9},
        {"requests_per_connection", workload.requests_per_connection},
        {"idle_clients",
         workload.idle ? nlohmann::json{{"share_pct", workload.idle->share_pct},
                                        {"think_time_s",
                                         static_cast<double>(workload.idle->think_time_ns) / 1e9}}
                       : nlohmann::json(nullptr)},
        {"connect_pace",
         workload.pace
             ? nlohmann::json{{"group", workload.pace->group},
                              {"every_s", static_cast<double>(workload.pace->every_ns) / 1e9}}
             : nlohmann::json(nullptr)}};
}

// The --workload workloads, loaded, with the command line's overrides applied, into plan.
// Exits 2 on a workload that cannot be loaded or an override that does not fit.
void load_workloads_or_die(const Options& options, SweepPlan& plan) {
    std::string error;
    for (const std::string& name : split(options.workload_name, ',')) {
        auto workload = lab::load_workload(name, options.workload_dir, error);
        if (!workload) usage_error(error);
        if (options.request_timeout_text) {
            workload->request_timeout_ns =
                duration_or_die("--request-timeout", *options.request_timeout_text);
            if (workload->request_timeout_ns == 0)
                usage_error("--request-timeout must be more than 0");
        }
        if (options.think_time_text)
            workload->think_time_ns = duration_or_die("--think-time", *options.think_time_text);
        if (options.requests_per_connection)
            workload->requests_per_connection = *options.requests_per_connection;
        if (std::string fault = lab::check_request_timeout(*workload); !fault.empty()) {
            usage_error(workload->path + ": request_timeout " + fault +
                        (options.request_timeout_text ? " (--request-timeout)" : ""));
        }
        if (workload->idle && options.rate > 0) {
            usage_error(workload->path +
                        ": idle_clients is a closed-loop think time; it does not go with --rate");
        }
        plan.workloads_json.push_back(workload_json(*workload));
        plan.workloads.push_back(std::move(*workload));
    }
    if (plan.workloads.empty()) usage_error("--workload names no workload");
}

// --connect HOST:PORT into plan's connect_host and connect_port (none without --connect).
// Exits 2 if it is not HOST:PORT, or if the sweep has more than one model.
void parse_connect_or_die(const std::string& connect_text, SweepPlan& plan) {
    if (connect_text.empty()) return;
    auto colon = connect_text.rfind(':');
    unsigned long port = 0;
    if (colon != std::string::npos)
        port = std::strtoul(connect_text.c_str() + colon + 1, nullptr, 10);
    if (colon == std::string::npos || colon == 0 || port == 0 || port > 65535) {
        usage_error("--connect '" + connect_text + "' must be HOST:PORT");
    }
    plan.connect_host = connect_text.substr(0, colon);
    plan.connect_port = static_cast<std::uint16_t>(port);
    if (plan.models.size() != 1)
        usage_error("--connect drives one server: give --models with its one model");
}

// Paced connects that outlast the warm-up: the window opens before every connection is.
// Not an error (the run records it as connect_pace.longer_than_warmup), but said once.
void note_pacing_beyond_warmup(const SweepPlan& plan) {
    for (const lab::Workload& workload : plan.workloads) {
        for (std::uint64_t connections : plan.connection_counts) {
            std::uint64_t pacing_ns = lab::pacing_ns(workload.pace, connections);
            if (pacing_ns <= plan.warmup_ns) continue;
            std::cerr << "lab-harness: note: " << workload.name << " opens " << connections
                      << " connections " << workload.pace->group << " every "
                      << lab::format_duration(workload.pace->every_ns) << ", the last group after "
                      << lab::format_duration(pacing_ns) << ", longer than --warmup "
                      << lab::format_duration(plan.warmup_ns)
                      << ": the window starts before all are open (give a --warmup longer than "
                      << lab::format_duration(pacing_ns) << ")\n";
        }
    }
}

// Checks the sweep's options and derives what it runs, in the order the checks have always
// been made (so the first problem is the one reported); exits 2 on a problem.
SweepPlan plan_sweep_or_die(const Options& options) {
    SweepPlan plan;
    // Models: the server binary's (asked, not linked), or with --connect one label.
    plan.models = sweep_models(options.models_text, !options.connect_text.empty(),
                               options.server_bin, plan.listed);
    plan.connection_counts = connection_counts_or_die(options.connections_text);
    for (std::uint64_t n : plan.connection_counts)
        plan.most_connections = std::max<std::uint64_t>(plan.most_connections, n);
    plan.duration_ns = duration_or_die("--duration", options.duration_text);
    plan.warmup_ns = duration_or_die("--warmup", options.warmup_text);
    if (plan.duration_ns == 0) usage_error("--duration must be more than 0");
    plan.connect_timeout_ns = duration_or_die("--connect-timeout", options.connect_timeout_text);
    if (plan.connect_timeout_ns == 0) usage_error("--connect-timeout must be more than 0");
    load_workloads_or_die(options, plan);
    parse_connect_or_die(options.connect_text, plan);
    plan.args_of_model =
        server_args_by_model(options.server_args, plan.models, plan.connect_host.has_value());
    ensure_descriptors(plan.most_connections);
    note_pacing_beyond_warmup(plan);
    plan.db = options.db_uri ? lab::DbUri{*options.db_uri, "--db"} : lab::harness_db_uri();
    return plan;
}

void install_signal_handlers() {
    struct sigaction sa {};
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, nullptr);
    sigaction(SIGTERM, &sa, nullptr);
    signal(SIGPIPE, SIG_IGN);
}

// The results document before any run: tool, machine and the sweep's config.
nlohmann::json results_doc(const Options& options, const SweepPlan& plan,
                           const std::string& command_line) {
    nlohmann::json tool = lab::tool_info();
    if (tool["sanitized"].get<bool>() && !options.quiet) {
        std::cerr << "lab-harness: note: a sanitizer build ("
                  << tool["sanitizers"].get<std::string>()
                  << "); its figures are not representative\n";
    }
    const bool connecting = plan.connect_host.has_value();
    return {
        {"schema_version", lab::kSchemaVersion},
        {"tool", tool},
        {"started_at", lab::utc_timestamp()},
        {"machine", lab::machine_info()},
        {"config",
         {{"command_line", command_line},
          {"models", plan.models},
          {"workloads", plan.workloads_json},
          {"connections", plan.connection_counts},
          {"duration_s", static_cast<double>(plan.duration_ns) / 1e9},
          {"warmup_s", static_cast<double>(plan.warmup_ns) / 1e9},
          {"repeat", options.repeat},
          {"rate_rps", options.rate > 0 ? nlohmann::json(options.rate) : nlohmann::json(nullptr)},
          {"connect_timeout_s", static_cast<double>(plan.connect_timeout_ns) / 1e9},
          {"server_bin", connecting ? nlohmann::json(nullptr) : nlohmann::json(options.server_bin)},
          {"server_args", options.server_args},
          {"connect", connecting ? nlohmann::json(options.connect_text) : nlohmann::json(nullptr)},
          {"seed", options.seed},
          {"protocol", options.protocol},
          {"db_uri", plan.db.uri.empty() ? nlohmann::json(nullptr) : nlohmann::json(plan.db.uri)},
          {"db_uri_source", plan.db.source}}},
        {"runs", nlohmann::json::array()}};
}

// argv joined with spaces, as the results file records it.
std::string command_line_of(int argc, char** argv) {
    std::string command_line;
    for (int i = 0; i < argc; ++i)
        command_line += (i ? " " : "") + std::string(argv[i]);
    return command_line;
}

// One run of the sweep: a workload, a model, a connection count, a repeat.
lab::RunSpec run_spec(const Options& options, const SweepPlan& plan, const lab::Workload& workload,
                      const std::string& model, std::uint64_t connections, std::uint64_t rep) {
    lab::RunSpec spec;
    spec.model = model;
    spec.connections = connections;
    spec.repeat = rep;
    spec.server_bin = options.server_bin;
    auto args = plan.args_of_model.find(model);
    if (args != plan.args_of_model.end()) spec.server_args = args->second;
    spec.connect_host = plan.connect_host;
    spec.connect_port = plan.connect_port;
    const lab::ListedModel* listed = lab::find_listed_model(plan.listed, model);
    spec.db = plan.connect_host
                  ? lab::connected_db_settings(plan.db.uri)
                  : lab::spawned_db_settings(spec.server_args, plan.db.uri,
                                             listed ? listed->flags : nlohmann::json());
    spec.perf = options.perf;
    spec.engine.workload = workload;
    spec.engine.connections = connections;
    spec.engine.warmup_ns = plan.warmup_ns;
    spec.engine.duration_ns = plan.duration_ns;
    spec.engine.rate_rps = options.rate;
    spec.engine.connect_timeout_ns = plan.connect_timeout_ns;
    spec.engine.seed = options.seed + rep;
    spec.engine.http = options.protocol == "http";
    return spec;
}

// How the sweep went: a server that was wrong, or one that would not start.
struct SweepOutcome {
    bool server_wrong = false;
    std::string start_failure;
};

// Runs one spec, showing its progress if interactive and its result line unless quiet, and
// adds its run to doc. If its server would not start, records that in outcome and stops the
// sweep (as an interruption would); what was measured so far is kept.
void run_and_record(const lab::RunSpec& spec, const std::string& label, bool quiet,
                    bool interactive, nlohmann::json& doc, SweepOutcome& outcome) {
    auto progress = [&](const lab::Progress& p) {
        if (!interactive) return;
        double rps = p.elapsed_s > 0 ? static_cast<double>(p.requests) / p.elapsed_s : 0;
        std::cerr << "\r" << label << "  " << fixed(p.elapsed_s, 0) << "s  " << fixed(rps, 0)
                  << " req/s  errors " << p.errors << "    " << std::flush;
    };
    lab::RunOutcome run = lab::run_once(spec, progress, g_interrupted);
    if (interactive) std::cerr << "\r" << std::string(70, ' ') << "\r";
    if (run.start_failed) {
        // Keep what the sweep has measured so far, then fail as a usage error.
        outcome.start_failure = label + ": " + run.failure;
        g_interrupted = true;
        return;
    }
    if (!quiet) {
        const auto& c = run.run["client"];
        std::cerr << label << ": " << fixed(c["throughput_rps"].get<double>(), 0) << " req/s, p99 "
                  << fixed(static_cast<double>(c["latency_ns"]["p99"].get<std::uint64_t>()) / 1e6,
                           2)
                  << " ms\n";
    }
    if (run.server_failed) {
        outcome.server_wrong = true;
        std::cerr << "lab-harness: " << label << ": " << run.failure << "\n";
    }
    run.run["server_failed"] = run.server_failed;
    if (run.server_failed) run.run["failure"] = run.failure;
    doc["runs"].push_back(run.run);
}

// Every run of the sweep into doc's runs, until done or interrupted.
SweepOutcome run_sweep(const Options& options, const SweepPlan& plan, nlohmann::json& doc) {
    SweepOutcome outcome;
    bool interactive = isatty(STDERR_FILENO) != 0 && !options.quiet;
    for (const lab::Workload& workload : plan.workloads) {
        for (std::uint64_t rep = 0; rep < options.repeat && !g_interrupted; ++rep) {
            for (std::uint64_t connections : plan.connection_counts) {
                // Models are interleaved inside each connection count, so slow drift of the machine
                // affects them alike.
                for (const std::string& model : plan.models) {
                    if (g_interrupted) break;
                    std::string label = workload.name + " " + model +
                                        " c=" + std::to_string(connections) +
                                        " rep=" + std::to_string(rep);
                    run_and_record(run_spec(options, plan, workload, model, connections, rep),
                                   label, options.quiet, interactive, doc, outcome);
                    if (!outcome.start_failure.empty()) break;
                }
            }
        }
    }
    return outcome;
}

// Writes the results (--out) and the summary table, and says how the sweep ended: the exit
// status (0 done, 1 a server was wrong or the file could not be written, 130 interrupted),
// or exits 2 if a server would not start.
int finish_sweep(const Options& options, const SweepOutcome& outcome, nlohmann::json& doc) {
    doc["interrupted"] = g_interrupted.load() && outcome.start_failure.empty();
    if (!outcome.start_failure.empty()) doc["start_failure"] = outcome.start_failure;
    if (!options.out_path.empty()) {
        std::string error;
        if (!lab::write_results(options.out_path, doc, error)) {
            std::cerr << "lab-harness: " << error << "\n";
            return 1;
        }
        if (!options.quiet) std::cerr << "lab-harness: wrote " << options.out_path << "\n";
    }
    if (!options.quiet) print_summary(doc["runs"]);
    if (!outcome.start_failure.empty()) usage_error(outcome.start_failure);
    if (g_interrupted) return 130;
    return outcome.server_wrong ? 1 : 0;
}

}  // namespace

int main(int argc, char** argv) {
    Options options;
    CLI::App app{
        "lab-harness: drive lab-server models with a workload; record latency, "
        "throughput, blocking time and context switches into JSON."};
    CLI::App* timeline_app = declare_options(app, options);
    try {
        app.parse(argc, argv);
    } catch (const CLI::CallForHelp& e) {
        return app.exit(e);
    } catch (const CLI::ParseError& e) {
        std::string what = e.what();
        std::replace(what.begin(), what.end(), '\n', ' ');
        usage_error(what + " (see --help)");
    }
    if (options.server_bin.empty()) options.server_bin = lab::lab_server_beside_self();
    if (timeline_app->parsed()) return timeline_command(options);
    if (options.list) return list_workloads_command(options.workload_dir);

    SweepPlan plan = plan_sweep_or_die(options);
    install_signal_handlers();
    nlohmann::json doc = results_doc(options, plan, command_line_of(argc, argv));
    SweepOutcome outcome = run_sweep(options, plan, doc);
    return finish_sweep(options, outcome, doc);
}
