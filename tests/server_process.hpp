// Test helpers for the server suites: a real lab-server in a process group of its own, a
// poll-based TCP client, and a runner for command-line checks. Every wait is bounded: a
// server that hangs makes a test fail, never hang.
#pragma once

#include <sys/types.h>

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace labtest {

using Clock = std::chrono::steady_clock;
using Millis = std::chrono::milliseconds;
using namespace std::chrono_literals;

// The lab-server under test: $LAB_GRADE_SERVER if set (the grader's), else the one beside this
// test binary, else LAB_SERVER_PATH.
const char* server_path();

// A fresh path under /dev/shm that no other test (or test process) uses.
std::string unique_shm_path(const std::string& tag);

// Seconds since `start`, as a double (for messages and order-of-magnitude checks).
double seconds_since(Clock::time_point start);

// One lab-server. The constructor starts it (adding --port 0 and a private --stats-file
// unless the arguments give them) in a process group of its own, and reads its listening
// line. The destructor stops it: SIGTERM, a bounded wait, then SIGKILL to the whole group;
// it removes the stats file it chose.
class ServerProcess {
  public:
    explicit ServerProcess(std::vector<std::string> args, Millis start_timeout = 10s);
    ~ServerProcess();
    ServerProcess(const ServerProcess&) = delete;
    ServerProcess& operator=(const ServerProcess&) = delete;

    // True once the listening line was read; otherwise start_error() says why.
    bool started() const { return started_; }
    const std::string& start_error() const { return start_error_; }

    std::uint16_t port() const { return port_; }
    pid_t pid() const { return pid_; }  // also the process group id
    const std::string& stats_path() const { return stats_path_; }
    const std::string& listening_line() const { return listening_line_; }

    // Sends `sig` to the server (or to its whole process group).
    void signal(int sig, bool whole_group = false) const;
    // Waits (bounded) for the server to exit: its exit status, or -1 if it was killed by a
    // signal or did not exit in time (it is left running then).
    int wait_exit(Millis timeout);
    // SIGTERM, then wait_exit(timeout); on timeout the group is killed and -1 returned.
    int stop(Millis timeout = 10s);
    bool exited() const { return reaped_; }
    // True while any process of the server's group exists (zombies of the group that this
    // process may reap are reaped first). The server itself counts until it is reaped.
    bool group_alive();
    // Kills every process of the group and reaps what can be reaped.
    void kill_group();

  private:
    pid_t pid_ = -1;
    int stdout_fd_ = -1;
    bool started_ = false;
    bool reaped_ = false;
    int exit_status_ = -1;
    std::uint16_t port_ = 0;
    std::string start_error_;
    std::string listening_line_;
    std::string stats_path_;
    bool own_stats_file_ = false;
};

// A TCP client of 127.0.0.1:port. Non-blocking underneath; every call takes a timeout.
// Sends use MSG_NOSIGNAL. Read calls keep bytes that arrive past what they return.
class Client {
  public:
    Client() = default;
    explicit Client(std::uint16_t port, Millis timeout = 5s) { connect(port, timeout); }
    ~Client() { close(); }
    Client(Client&& other) noexcept;
    Client& operator=(Client&& other) noexcept;
    Client(const Client&) = delete;
    Client& operator=(const Client&) = delete;

    bool connect(std::uint16_t port, Millis timeout = 5s);
    bool connected() const { return fd_ >= 0; }
    int fd() const { return fd_; }
    void close();

    void set_nodelay();
    // close() then sends a reset instead of a FIN.
    void set_linger_zero();
    void shutdown_write();

    // Sends every byte, waiting (bounded) for room. False on timeout or a broken connection.
    bool send_all(std::string_view data, Millis timeout = 5s);
    // The next line without its LF; nullopt on timeout, EOF or reset before a whole line.
    std::optional<std::string> read_line(Millis timeout = 5s);
    // Exactly n bytes; nullopt if they do not all arrive in time.
    std::optional<std::string> read_exact(std::size_t n, Millis timeout = 5s);
    // Everything up to EOF (or a reset); nullopt if EOF does not come in time.
    std::optional<std::string> read_until_eof(Millis timeout = 5s);
    // True if EOF (or a reset) arrives in time and no byte comes before it.
    bool expect_eof(Millis timeout = 5s);
    // Sends line + LF and reads one reply line.
    std::optional<std::string> request(std::string_view line, Millis timeout = 5s);

    // For poll loops over many clients: one non-blocking receive into the buffer. False
    // once the connection is at EOF or reset.
    bool pump();
    // A complete line from what is already buffered.
    std::optional<std::string> take_line();
    std::size_t buffered() const { return buffer_.size() - consumed_; }
    bool at_eof() const { return eof_; }
    bool was_reset() const { return reset_; }

  private:
    // Waits until readable and receives once; false on timeout or EOF/reset.
    bool fill(Clock::time_point deadline);
    std::string take(std::size_t n);
    // Why a read ended without what it wanted, for the exchange log (exchange_log.hpp).
    std::string describe_end(Millis timeout) const;

    int fd_ = -1;
    std::string buffer_;
    std::size_t consumed_ = 0;
    bool eof_ = false;
    bool reset_ = false;
};

// Waits until one of the open clients is readable (or the deadline passes) and pumps every
// readable one. False if nothing became readable in time (or no client is open).
bool pump_any(std::span<Client> clients, Clock::time_point deadline);

// A lab-server run to completion with its output captured, for command-line checks. A run
// that does not end within `timeout` is killed: exit_status -1, timed_out true.
struct RunResult {
    int exit_status = -1;
    bool timed_out = false;
    std::string out;
    std::string err;
};
RunResult run_server(const std::vector<std::string>& args, Millis timeout = 10s);

// The first n bytes of a WORK reply body, starting at body offset `offset`.
std::string pattern(std::size_t n, std::size_t offset = 0);

// The processes whose parent is `pid`, each with its state letter from /proc/PID/stat ('Z':
// a zombie, exited but not reaped).
std::vector<std::pair<pid_t, char>> child_processes_with_state(pid_t pid);

// Polls pred every few milliseconds until it is true or the timeout passes.
bool eventually(const std::function<bool()>& pred, Millis timeout);

// What one client received up to its EOF, and when (seconds since the start; -1: no EOF).
struct Transcript {
    std::string bytes;
    double eof_at = -1;
};
// Reads every client until its EOF, closing each one at its EOF (a sequential server goes on
// to the next client only then), or until the timeout. Times are measured from `start`.
std::vector<Transcript> read_all_until_eof(std::vector<Client>& clients, Clock::time_point start,
                                           Millis timeout);

// The models the suites run against, and test names that end in the model's name: every model
// of the registry but a student's (the assignment), or with LAB_GRADE_MODEL=NAME in the
// environment only NAME (the grader's run, tests/grader/grade_model.py).
const std::vector<std::string>& all_models();
// What the suites run against (their test parameter): every registry model, then the same
// model again with flags that change how it serves, the whole suite over: epoll with two loops
// in either way of sharing clients out ("epoll --loops 2", "epoll --loops 2 --accept
// dispatch"). These are the tests' own list, not the registry's: `lab-server --list-models`
// and the tools know one epoll, whose --loops and --accept are flags like --workers.
const std::vector<std::string>& model_variants();
// Whether the model takes --max-clients (the registry's default is not 0).
bool has_max_clients(const std::string& model);
// Whether the model is a pool (takes --workers), and whether it takes --thread-stack-kb.
bool takes_workers(const std::string& model);
bool takes_thread_stack(const std::string& model);
// Why the model cannot run on this machine ("" when it can: the registry's `unavailable`, the
// check lab-server makes before it listens, such as uring where io_uring is denied). Tests of
// such a model are skipped with this reason, never passed (ModelTest does it in SetUp).
std::string model_unavailable(const std::string& model);

// A number from /proc/PID/status ("VmSize:", "Threads:"), or 0.
std::uint64_t status_field(pid_t pid, const std::string& field);

// Sends STATS on `c` and parses the JSON after "OK "; a test failure (and nullopt) if the
// reply is not that.
std::optional<nlohmann::json> stats_of(Client& c);

// The --workers ModelTest::start gives a pool model unless told otherwise: the suites hold up
// to a dozen clients at once and expect each to be served while the others wait (a pool of
// the default 8 would keep the rest queued). Tests about the pool itself pass their own.
inline constexpr int kSuiteWorkers = 32;
// A test's name ends in its parameter: the model's name, and a variant's flags without their
// dashes (epoll_loops_2_accept_dispatch), as gtest names may hold only letters, digits and _.
std::string model_test_name(const testing::TestParamInfo<std::string>& info);

// A test against one real lab-server of the model (and variant) GetParam().
class ModelTest : public testing::TestWithParam<std::string> {
  protected:
    // Skips the test, with the reason, when the model cannot run here (model_unavailable). A
    // fixture that overrides SetUp calls this first and returns if IsSkipped().
    void SetUp() override;
    // Records the exchange in progress at the test's first failure (exchange_log.hpp).
    void TearDown() override;
    // The model's name (the parameter's first word), and the variant's flags (the rest).
    std::string model() const;
    std::vector<std::string> variant_flags() const;
    // The event loops the server runs (--loops; 1 when not given).
    std::size_t loops() const;
    bool sequential() const { return model() == "sequential"; }
    // Starts lab-server --model model(), the variant's flags and `extra` (plus --workers
    // kSuiteWorkers for a pool model, unless `extra` has --workers); fails the test if it does
    // not start. Call as ASSERT_NO_FATAL_FAILURE(start(...)).
    void start(std::vector<std::string> extra = {});
    ServerProcess& server() { return *server_; }
    std::uint16_t port() const { return server_->port(); }
    // A connected client of the server; fails the test if it cannot connect.
    Client connect(Millis timeout = 5s);

    std::unique_ptr<ServerProcess> server_;
};

}  // namespace labtest
