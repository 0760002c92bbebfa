// lab-server: starts one server model on a listening socket. Its first line on standard
// output is "listening on HOST:PORT model=NAME pid=PID"; tools read it to find the port.
// `--list-models` prints the registry (models.hpp), `--list-models --json` with each model's
// flags and plot style: what lab-harness, lab-plot and ./lab know of the models.
// Bad command-line input: one line on stderr, exit status 2.
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <nlohmann/json.hpp>
#include <optional>

#include "backend.hpp"
#include "counters.hpp"
#include "fd_limit.hpp"
#include "listener.hpp"
#include "loop_group.hpp"
#include "models.hpp"
#include "signals.hpp"
#include "thread_group.hpp"
#include "trace.hpp"
#include "wait_board.hpp"

namespace {

constexpr int kUsageError = 2;
constexpr std::uint64_t kMaxMaxClients = 1'000'000;
constexpr std::uint64_t kMaxDbPool = 64;
constexpr std::uint64_t kMaxIdleTimeoutS =
    std::uint64_t{86'400} * 365;  // a year: far from overflowing ns

[[noreturn]] void usage_error(const std::string& message) {
    std::cerr << "lab-server: " << message << "\n";
    std::exit(kUsageError);
}

// CLI11 reads "010" as octal and "0x50" as hex; a server's numbers are plain decimal.
const CLI::Validator kDecimal(
    [](std::string& text) -> std::string {
        if (text.empty() || text.find_first_not_of("0123456789") != std::string::npos) {
            return "'" + text + "' is not a plain decimal number";
        }
        if (text.size() > 1 && text[0] == '0') return "'" + text + "' has a leading zero";
        return "";
    },
    "DECIMAL");

// A ring's entries (--recv-buffers): the kernel wants a power of two.
const CLI::Validator kPowerOfTwo(
    [](std::string& text) -> std::string {
        std::uint64_t n = std::strtoull(text.c_str(), nullptr, 10);
        if (n == 0 || (n & (n - 1)) != 0) return "'" + text + "' is not a power of two";
        return "";
    },
    "POWER_OF_TWO");

// The models that take --max-clients (their default is not 0).
std::string max_clients_models() {
    std::string names;
    for (const lab::Model& m : lab::models()) {
        if (m.default_max_clients == 0) continue;
        if (!names.empty()) names += ", ";
        names += m.name;
    }
    return names;
}

std::string joined(const std::vector<std::string>& names) {
    std::string text;
    for (const std::string& name : names)
        text += (text.empty() ? "" : ", ") + name;
    return text;
}

std::string model_names() {
    std::string names;
    for (const lab::Model& m : lab::models()) {
        names += (names.empty() ? "" : ", ") + m.name;
    }
    return names;
}

// The listing of `--list-models --json` (README, "lab-server"): {"models": [...]}, in the
// registry's order, each with its name, its summary, the flags of a model's own that apply to
// it (value flags with their default, or null for the system's, and their range; switches
// with default false), and its plot style; "assignment": true on a model a student writes
// (README "Write your own model"), which tools leave out of "every model"; and, for a model
// that cannot run on this machine, "unavailable" with the line lab-server would exit with. A
// flag a model's entry lacks does not apply to it: lab-server refuses it, except
// --max-clients, which the model ignores.
nlohmann::ordered_json model_listing() {
    nlohmann::ordered_json list = nlohmann::ordered_json::array();
    for (const lab::Model& m : lab::models()) {
        nlohmann::ordered_json flags = nlohmann::ordered_json::object();
        if (m.default_max_clients != 0) {
            std::uint64_t most = m.max_max_clients != 0
                                     ? std::min(m.max_max_clients, kMaxMaxClients)
                                     : kMaxMaxClients;
            flags["--max-clients"] = {
                {"default", m.default_max_clients}, {"min", 1}, {"max", most}};
        }
        if (m.takes_workers) {
            flags["--workers"] = {
                {"default", lab::default_workers()}, {"min", 1}, {"max", lab::kMaxWorkers}};
        }
        if (m.takes_thread_stack) {
            flags["--thread-stack-kb"] = {{"default", nullptr},
                                          {"min", lab::kMinThreadStackKb},
                                          {"max", lab::kMaxThreadStackKb}};
        }
        if (m.event_loop) flags["--blocking-io-in-loop"] = {{"default", false}};
        // Every model takes --db-pool; listed so that tools know its default and range.
        flags["--db-pool"] = {{"default", 8}, {"min", 1}, {"max", kMaxDbPool}};
        if (m.event_loop) flags["--db-blocking-in-loop"] = {{"default", false}};
        if (m.takes_loops) {
            flags["--loops"] = {{"default", 1}, {"min", 0}, {"max", lab::kMaxLoops}};
            // A flag that names one of a few ways: its default and every choice.
            flags["--accept"] = {{"default", "reuseport"}, {"choices", {"reuseport", "dispatch"}}};
        }
        // A choice: null is libevent's own (the first of the choices).
        if (m.takes_libevent_backend) {
            flags["--libevent-backend"] = {{"default", nullptr},
                                           {"choices", lab::libevent_backends()}};
        }
        if (m.takes_recv_buffers) {
            flags["--recv-buffers"] = {{"default", lab::kDefaultRecvBuffers},
                                       {"min", lab::kMinRecvBuffers},
                                       {"max", lab::kMaxRecvBuffers}};
        }
        nlohmann::ordered_json entry = {
            {"name", m.name},
            {"summary", m.summary},
            {"flags", flags},
            {"plot", {{"colour", std::string(m.plot.colour)}, {"point_type", m.plot.point_type}}}};
        if (m.assignment) entry["assignment"] = true;  // a student's model: not in "all"
        // Only a model that cannot run here says so, with lab-server's one line about why.
        if (m.unavailable != nullptr) {
            if (std::string why = m.unavailable(); !why.empty()) entry["unavailable"] = why;
        }
        list.push_back(entry);
    }
    return {{"models", list}};
}

}  // namespace

int main(int argc, char** argv) {
    lab::ServerSettings settings;
    std::optional<std::uint64_t> max_clients;
    std::optional<std::uint64_t> workers;
    std::optional<std::uint64_t> thread_stack_kb;
    std::optional<std::uint64_t> loops;
    std::optional<std::string> accept;
    std::optional<std::string> stats_file;
    bool blocking_io_in_loop = false;
    bool db_blocking_in_loop = false;
    std::optional<std::uint64_t> recv_buffers;
    std::optional<std::string> db_uri;
    std::optional<std::string> libevent_backend;
    bool list_models = false;
    bool list_json = false;
    settings.backlog = SOMAXCONN;

    CLI::App app{
        "lab-server: one LABP/1 server, run with the concurrency model you choose. At start it "
        "raises its soft file-descriptor limit (RLIMIT_NOFILE) to the hard limit."};
    app.add_option("--model", settings.model, "Concurrency model: " + model_names());
    app.add_option("--host", settings.host, "Address to listen on (default 127.0.0.1)");
    app.add_option("--port", settings.port, "Port to listen on; 0 picks a free one (default 0)")
        ->check(kDecimal);
    app.add_option("--max-clients", max_clients,
                   "Clients served at once (threadpool: served or waiting in its queue); more "
                   "get ERR 503 (" +
                       max_clients_models() + "; the others ignore it)")
        ->check(kDecimal & CLI::Range(std::uint64_t{1}, kMaxMaxClients));
    app.add_option("--workers", workers,
                   "Worker threads or processes of a pool, made at start (" +
                       lab::model_names_where(&lab::Model::takes_workers) +
                       "; default the larger of 8 and 4 x cores, here " +
                       std::to_string(lab::default_workers()) + ")")
        ->check(kDecimal & CLI::Range(std::uint64_t{1}, std::uint64_t{lab::kMaxWorkers}));
    app.add_option("--thread-stack-kb", thread_stack_kb,
                   "Stack size in KiB of each serving thread (" +
                       lab::model_names_where(&lab::Model::takes_thread_stack) +
                       "; default the system's)")
        ->check(kDecimal & CLI::Range(lab::kMinThreadStackKb, lab::kMaxThreadStackKb));
    app.add_option("--loops", loops,
                   "Event loops, each a thread of its own with its own epoll instance and "
                   "connections (" +
                       lab::model_names_where(&lab::Model::takes_loops) +
                       "; 0 = one per core, here " + std::to_string(lab::loops_per_core()) +
                       "; default 1, at most " + std::to_string(lab::kMaxLoops) + ")")
        ->check(kDecimal & CLI::Range(std::uint64_t{0}, std::uint64_t{lab::kMaxLoops}));
    app.add_option("--accept", accept,
                   "How several loops get their clients: reuseport (each loop accepts on a "
                   "listening socket of its own, SO_REUSEPORT: the kernel picks one by a hash) or "
                   "dispatch (one thread accepts them all and hands them to the loops in turn); "
                   "default reuseport; with one loop it changes nothing (" +
                       lab::model_names_where(&lab::Model::takes_loops) + ")")
        ->check(CLI::IsMember({"reuseport", "dispatch"}));
    app.add_flag("--blocking-io-in-loop", blocking_io_in_loop,
                 "WORK's simulated I/O sleeps in the loop's one thread instead of setting a "
                 "timer, so every client waits for it: the classic mistake, on purpose (" +
                     lab::model_names_where(&lab::Model::event_loop) + ")");
    app.add_option("--db", db_uri,
                   "PostgreSQL URI for QUERY (default: $LAB_DB_URI, else the lab's own cluster "
                   "if ./lab db start has run; \"\" for none: QUERY is then ERR 503)");
    app.add_option("--db-pool", settings.db_pool,
                   "Most database connections the server opens (threads share them; each fork "
                   "or prefork process has its own; an event loop keeps this many, each of "
                   "epoll's --loops as many; default 8)")
        ->check(kDecimal & CLI::Range(std::uint64_t{1}, kMaxDbPool));
    app.add_flag("--db-blocking-in-loop", db_blocking_in_loop,
                 "QUERY waits for the database with libpq's blocking call in the loop's one "
                 "thread, so every client waits for it: the classic mistake, on purpose (" +
                     lab::model_names_where(&lab::Model::event_loop) + ")");
    app.add_option("--libevent-backend", libevent_backend,
                   "The backend libevent must wait with: " + joined(lab::libevent_backends()) +
                       " (" + lab::model_names_where(&lab::Model::takes_libevent_backend) +
                       "; default libevent's own choice, the first of these)");
    app.add_option("--recv-buffers", recv_buffers,
                   "Buffers of 2 KiB in the provided buffer ring that every connection's "
                   "receives share, a power of two (" +
                       lab::model_names_where(&lab::Model::takes_recv_buffers) + "; default " +
                       std::to_string(lab::kDefaultRecvBuffers) + ")")
        ->check(kDecimal & CLI::Range(lab::kMinRecvBuffers, lab::kMaxRecvBuffers) & kPowerOfTwo);
    app.add_option("--idle-timeout", settings.idle_timeout_s,
                   "Seconds a connection may wait without a complete request (0 = never; "
                   "default 60)")
        ->check(kDecimal & CLI::Range(std::uint64_t{0}, kMaxIdleTimeoutS));
    app.add_option("--backlog", settings.backlog, "listen() backlog (default SOMAXCONN)")
        ->check(kDecimal & CLI::Range(1, 1 << 20));
    app.add_option("--stats-file", stats_file,
                   "Counter block path (default /dev/shm/lab-server.PID.stats, removed at exit)");
    std::string trace_path;
    app.add_option("--trace", trace_path,
                   "Record every thread's spans (read, cpu, io_wait, lock, write) into FILE as "
                   "Chrome trace JSON (open it in ui.perfetto.dev); written at exit");
    bool anonymous_stats = false;
    app.add_flag("--no-stats-file", anonymous_stats,
                 "Keep the counters in anonymous shared memory: only STATS can read them");
    CLI::Option* list_option =
        app.add_flag("--list-models", list_models,
                     "Print the models, one per line (NAME, a tab, SUMMARY), and exit");
    app.add_flag("--json", list_json,
                 "With --list-models: one JSON object, each model with its flags and plot style")
        ->needs(list_option);
    try {
        app.parse(argc, argv);
    } catch (const CLI::CallForHelp& e) {
        return app.exit(e);
    } catch (const CLI::ParseError& e) {
        std::string what = e.what();
        std::replace(what.begin(), what.end(), '\n', ' ');
        usage_error(what + " (see --help)");
    }
    if (list_models && list_json) {
        std::cout << model_listing().dump(2) << "\n";
        return 0;
    }
    if (list_models) {
        for (const lab::Model& m : lab::models())
            std::cout << m.name << "\t" << m.summary << "\n";
        return 0;
    }
    if (settings.model.empty()) usage_error("--model is required (" + model_names() + ")");
    const lab::Model* model = lab::find_model(settings.model);
    if (model == nullptr) {
        usage_error("unknown model '" + settings.model + "' (choose from " + model_names() + ")");
    }
    settings.max_clients = max_clients.value_or(model->default_max_clients);
    if (workers && !model->takes_workers) {
        usage_error("--workers does not apply to " + model->name + " (only to " +
                    lab::model_names_where(&lab::Model::takes_workers) + ")");
    }
    if (thread_stack_kb && !model->takes_thread_stack) {
        usage_error("--thread-stack-kb does not apply to " + model->name + " (only to " +
                    lab::model_names_where(&lab::Model::takes_thread_stack) + ")");
    }
    if (blocking_io_in_loop && !model->event_loop) {
        usage_error("--blocking-io-in-loop does not apply to " + model->name + " (only to " +
                    lab::model_names_where(&lab::Model::event_loop) + ")");
    }
    settings.blocking_io_in_loop = blocking_io_in_loop;
    if (db_blocking_in_loop && !model->event_loop) {
        usage_error("--db-blocking-in-loop does not apply to " + model->name + " (only to " +
                    lab::model_names_where(&lab::Model::event_loop) + ")");
    }
    settings.db_blocking_in_loop = db_blocking_in_loop;
    if (libevent_backend) {
        if (!model->takes_libevent_backend) {
            usage_error("--libevent-backend does not apply to " + model->name + " (only to " +
                        lab::model_names_where(&lab::Model::takes_libevent_backend) + ")");
        }
        auto offered = lab::libevent_backends();
        if (std::find(offered.begin(), offered.end(), *libevent_backend) == offered.end()) {
            usage_error("--libevent-backend " + *libevent_backend +
                        " is not available here: this libevent offers " + joined(offered));
        }
        settings.libevent_backend = *libevent_backend;
    }
    if (recv_buffers && !model->takes_recv_buffers) {
        usage_error("--recv-buffers does not apply to " + model->name + " (only to " +
                    lab::model_names_where(&lab::Model::takes_recv_buffers) + ")");
    }
    if (model->takes_recv_buffers) {
        settings.recv_buffers = recv_buffers.value_or(lab::kDefaultRecvBuffers);
    }
    settings.db_uri = db_uri.value_or(lab::default_db_uri());
    if (model->takes_workers) settings.workers = workers.value_or(lab::default_workers());
    if (thread_stack_kb) {
        std::string stack_error;
        if (!lab::thread_stack_fits(*thread_stack_kb, stack_error)) usage_error(stack_error);
        settings.thread_stack_kb = *thread_stack_kb;
    }
    if ((loops || accept) && !model->takes_loops) {
        usage_error(std::string(loops ? "--loops" : "--accept") + " does not apply to " +
                    model->name + " (only to " + lab::model_names_where(&lab::Model::takes_loops) +
                    ")");
    }
    if (loops) settings.loops = *loops == 0 ? lab::loops_per_core() : *loops;
    if (accept == "dispatch") settings.accept = lab::LoopAccept::Dispatch;
    settings.table_locking = model->table_locking;
    // Several loops serve clients at once: the INCR table needs its lock again.
    if (settings.loops > 1) settings.table_locking = lab::Locking::Shared;
    if (model->max_max_clients != 0 && settings.max_clients > model->max_max_clients) {
        usage_error("--max-clients " + std::to_string(settings.max_clients) + " is more than " +
                    model->name + " can watch (" + std::to_string(model->max_max_clients) + ")");
    }

    // A model this machine cannot run (uring where io_uring is denied): one line, before
    // anything listens, so that a tool never mistakes it for a server that started.
    if (model->unavailable != nullptr) {
        if (std::string why = model->unavailable(); !why.empty()) usage_error(why);
    }

    lab::raise_fd_limit();  // a descriptor per client: as many as the hard limit allows
    if (!trace_path.empty()) lab::trace::enable(trace_path, "lab-server --model " + model->name);
    // Signals first: a tool may send SIGTERM as soon as it has read the listening line.
    std::string error;
    if (!lab::install_signal_handlers(error)) {
        std::cerr << "lab-server: " << error << "\n";  // out of descriptors already: not usage
        return 1;
    }
    // --loops N --accept reuseport: a listening socket per loop, all made before the listening
    // line, so that the kernel spreads the very first clients over all of them.
    const bool reuse_port = settings.loops > 1 && settings.accept == lab::LoopAccept::ReusePort;
    auto listener =
        lab::listen_tcp(settings.host, settings.port, settings.backlog, error, reuse_port);
    if (!listener) usage_error(error);
    settings.port = listener->port;
    std::vector<int> loop_listen_fds;
    if (reuse_port) loop_listen_fds.push_back(listener->fd);
    while (reuse_port && loop_listen_fds.size() < settings.loops) {
        auto another =
            lab::listen_tcp(listener->host, listener->port, settings.backlog, error, true);
        if (!another) {
            std::cerr << "lab-server: " << error << "\n";  // out of descriptors: not usage
            return 1;
        }
        loop_listen_fds.push_back(another->fd);
    }

    bool remove_stats_file = !stats_file.has_value();
    std::string stats_path =
        stats_file.value_or("/dev/shm/lab-server." + std::to_string(getpid()) + ".stats");
    if (anonymous_stats) {
        if (stats_file) usage_error("--stats-file and --no-stats-file do not go together");
        stats_path.clear();  // anonymous shared memory
        remove_stats_file = false;
    }
    std::uint32_t loop_count = model->event_loop ? static_cast<std::uint32_t>(settings.loops) : 0;
    auto region =
        lab::StatsRegion::create(stats_path, model->name, listener->port, error, loop_count);
    if (!region) usage_error(error);
    // Each loop's socket, so that STATS (and any reader of the block) can tell its accept
    // queue from the others' (a loop of --accept dispatch has none: 0).
    for (std::uint32_t i = 0; i < loop_count; ++i) {
        bool dispatch = settings.accept == lab::LoopAccept::Dispatch && loop_count > 1;
        int fd = reuse_port ? loop_listen_fds[i] : listener->fd;
        struct stat socket_stat {};
        if (!dispatch && fstat(fd, &socket_stat) == 0) {
            region->block().loops[i].listen_inode.store(socket_stat.st_ino);
        }
    }

    lab::Server server{.settings = settings,
                       .listen_fd = listener->fd,
                       .stats = &region->block(),
                       .board = nullptr,
                       .loop_listen_fds = loop_listen_fds};
    if (!model->event_loop) {
        // WAIT and POST: shared memory every thread and forked process of the server sees.
        server.board = lab::WaitBoard::create();
        if (server.board == nullptr) {
            std::perror("lab-server: mmap (wait board)");
            return 1;
        }
    }
    std::string shown_host =
        listener->host.find(':') != std::string::npos ? "[" + listener->host + "]" : listener->host;
    std::cout << "listening on " << shown_host << ":" << listener->port << " model=" << model->name
              << " pid=" << getpid() << "\n"
              << "stats file " << (stats_path.empty() ? "(anonymous)" : stats_path) << "\n"
              << std::flush;

    model->serve(server);

    if (std::string trace_error; !lab::trace::write_trace(trace_error)) {
        std::cerr << "lab-server: " << trace_error << "\n";
    }

    close(listener->fd);
    for (std::size_t i = 1; i < loop_listen_fds.size(); ++i)
        close(loop_listen_fds[i]);
    if (remove_stats_file) unlink(stats_path.c_str());
    return 0;
}
