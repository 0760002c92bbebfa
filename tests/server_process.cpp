// Test helpers for the server suites. See server_process.hpp.
#include "server_process.hpp"

#include "exchange_log.hpp"
#include "models.hpp"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>
#include <utility>

extern char** environ;

namespace labtest {
namespace {

// Milliseconds left until `deadline`, for poll(); 0 once it has passed.
int ms_until(Clock::time_point deadline) {
    auto left = std::chrono::duration_cast<Millis>(deadline - Clock::now()).count();
    if (left <= 0) return 0;
    return static_cast<int>(std::min<long long>(left + 1, 60'000));
}

// A timeout in words, for the exchange log: "5 s", "500 ms".
std::string in_words(Millis timeout) {
    auto ms = timeout.count();
    if (ms % 1000 == 0) return std::to_string(ms / 1000) + " s";
    return std::to_string(ms) + " ms";
}

// Orphans of a server's group (fork children that outlive it) become children of this
// process, so group_alive() can reap their zombies instead of mistaking them for survivors.
void become_subreaper() {
    static std::atomic<bool> done{false};
    if (!done.exchange(true)) prctl(PR_SET_CHILD_SUBREAPER, 1);
}

// Starts lab-server with `args` in a new process group; its stdout (and stderr, if err_fd
// is not -1) go to the given pipes, its stdin is /dev/null. Returns the pid or -1 (and
// fills `error`).
pid_t spawn_server(const std::vector<std::string>& args, int out_fd, int err_fd,
                   std::string& error) {
    std::vector<std::string> owned;
    owned.emplace_back(server_path());
    owned.insert(owned.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (std::string& s : owned)
        argv.push_back(s.data());
    argv.push_back(nullptr);

    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&actions, out_fd, 1);
    if (err_fd >= 0) posix_spawn_file_actions_adddup2(&actions, err_fd, 2);

    posix_spawnattr_t attr;
    posix_spawnattr_init(&attr);
    posix_spawnattr_setflags(
        &attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
    posix_spawnattr_setpgroup(&attr, 0);  // a group of its own: pgid == pid
    sigset_t none;
    sigemptyset(&none);
    posix_spawnattr_setsigmask(&attr, &none);
    sigset_t defaults;
    sigemptyset(&defaults);
    for (int sig : {SIGTERM, SIGINT, SIGPIPE, SIGCHLD, SIGHUP})
        sigaddset(&defaults, sig);
    posix_spawnattr_setsigdefault(&attr, &defaults);

    pid_t pid = -1;
    int rc = posix_spawn(&pid, owned[0].c_str(), &actions, &attr, argv.data(), environ);
    posix_spawnattr_destroy(&attr);
    posix_spawn_file_actions_destroy(&actions);
    if (rc != 0) {
        error = "posix_spawn " + owned[0] + ": " + std::strerror(rc);
        return -1;
    }
    return pid;
}

bool has_option(const std::vector<std::string>& args, const std::string& name) {
    return std::any_of(args.begin(), args.end(), [&](const std::string& a) {
        return a == name || a.rfind(name + "=", 0) == 0;
    });
}

// Waits (bounded) for pid to exit. Returns true once reaped, with its status in `status`.
bool reap(pid_t pid, Millis timeout, int& status) {
    auto deadline = Clock::now() + timeout;
    while (true) {
        pid_t r = waitpid(pid, &status, WNOHANG);
        if (r == pid) return true;
        if (r < 0 && errno != EINTR) return false;  // not our child (any more)
        if (Clock::now() >= deadline) return false;
        std::this_thread::sleep_for(5ms);
    }
}

int exit_code(int status) {
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

}  // namespace

const char* server_path() {
    // Tools find each other beside themselves: lab-server is built into the same bin/ as
    // this test. The build's path is the fallback (a test binary run from elsewhere).
    static const std::string path = [] {
        // The grader (tests/grader/grade_model.py) names the server it grades: lab-server-solution.
        if (const char* graded = std::getenv("LAB_GRADE_SERVER"); graded && *graded) {
            return std::string(graded);
        }
        char self[4096];
        ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
        if (n > 0) {
            std::string dir(self, static_cast<std::size_t>(n));
            dir = dir.substr(0, dir.rfind('/'));
            std::string beside = dir + "/lab-server";
            if (access(beside.c_str(), X_OK) == 0) return beside;
        }
        return std::string(LAB_SERVER_PATH);
    }();
    return path.c_str();
}

std::string unique_shm_path(const std::string& tag) {
    static std::atomic<unsigned> counter{0};
    return "/dev/shm/labtest." + tag + "." + std::to_string(getpid()) + "." +
           std::to_string(counter.fetch_add(1)) + ".stats";
}

double seconds_since(Clock::time_point start) {
    return std::chrono::duration<double>(Clock::now() - start).count();
}

// ---------------------------------------------------------------------------------------
// ServerProcess

ServerProcess::ServerProcess(std::vector<std::string> args, Millis start_timeout) {
    become_subreaper();
    if (!has_option(args, "--port")) {
        args.emplace_back("--port");
        args.emplace_back("0");
    }
    if (!has_option(args, "--stats-file")) {
        stats_path_ = unique_shm_path("server");
        own_stats_file_ = true;
        args.emplace_back("--stats-file");
        args.emplace_back(stats_path_);
    } else {
        auto it = std::find(args.begin(), args.end(), "--stats-file");
        if (it != args.end() && it + 1 != args.end()) stats_path_ = *(it + 1);
    }

    int out[2];
    if (pipe2(out, O_CLOEXEC) != 0) {
        start_error_ = std::string("pipe: ") + std::strerror(errno);
        return;
    }
    // stderr is inherited: sanitizer reports of the server show up in the test's output.
    pid_ = spawn_server(args, out[1], -1, start_error_);
    ::close(out[1]);
    stdout_fd_ = out[0];
    if (pid_ < 0) return;

    // The first line: "listening on HOST:PORT model=NAME pid=PID".
    auto deadline = Clock::now() + start_timeout;
    std::string text;
    while (text.find('\n') == std::string::npos) {
        pollfd p{stdout_fd_, POLLIN, 0};
        int n = poll(&p, 1, ms_until(deadline));
        if (n < 0 && errno == EINTR) continue;
        if (n == 0) {
            start_error_ = "no listening line within the start timeout; got '" + text + "'";
            kill_group();
            return;
        }
        char chunk[512];
        ssize_t got = read(stdout_fd_, chunk, sizeof chunk);
        if (got < 0 && errno == EINTR) continue;
        if (got <= 0) {
            int status = wait_exit(5s);
            start_error_ = "lab-server ended (exit status " + std::to_string(status) +
                           ") before its listening line; got '" + text + "'";
            return;
        }
        text.append(chunk, static_cast<std::size_t>(got));
    }
    listening_line_ = text.substr(0, text.find('\n'));
    auto model_at = listening_line_.find(" model=");
    auto colon = listening_line_.rfind(':', model_at);
    auto pid_at = listening_line_.find(" pid=");
    if (listening_line_.rfind("listening on ", 0) != 0 || model_at == std::string::npos ||
        colon == std::string::npos || pid_at == std::string::npos) {
        start_error_ = "unexpected listening line '" + listening_line_ + "'";
        return;
    }
    try {
        unsigned long port = std::stoul(listening_line_.substr(colon + 1, model_at - colon - 1));
        long pid = std::stol(listening_line_.substr(pid_at + 5));
        if (port == 0 || port > 65535) throw std::out_of_range("port");
        if (pid != pid_) {
            start_error_ = "listening line names pid " + std::to_string(pid) + ", spawned " +
                           std::to_string(pid_);
            return;
        }
        port_ = static_cast<std::uint16_t>(port);
    } catch (const std::exception&) {
        start_error_ = "cannot parse listening line '" + listening_line_ + "'";
        return;
    }
    started_ = true;
}

ServerProcess::~ServerProcess() {
    if (pid_ > 0) {
        if (!reaped_) stop(10s);
        if (group_alive()) kill_group();
    }
    if (stdout_fd_ >= 0) ::close(stdout_fd_);
    if (own_stats_file_) unlink(stats_path_.c_str());
}

void ServerProcess::signal(int sig, bool whole_group) const {
    if (pid_ > 0 && !reaped_) kill(whole_group ? -pid_ : pid_, sig);
}

int ServerProcess::wait_exit(Millis timeout) {
    if (pid_ <= 0) return -1;
    if (reaped_) return exit_status_;
    int status = 0;
    if (!reap(pid_, timeout, status)) return -1;
    reaped_ = true;
    exit_status_ = exit_code(status);
    return exit_status_;
}

int ServerProcess::stop(Millis timeout) {
    if (pid_ <= 0) return -1;
    if (reaped_) return exit_status_;
    kill(pid_, SIGTERM);
    int status = wait_exit(timeout);
    if (!reaped_) {
        kill_group();
        return -1;
    }
    return status;
}

bool ServerProcess::group_alive() {
    if (pid_ <= 0) return false;
    if (!reaped_) return true;
    // Zombies of the group that were reparented to us (we are a subreaper) do not count.
    while (waitpid(-pid_, nullptr, WNOHANG) > 0) {
    }
    return kill(-pid_, 0) == 0;
}

void ServerProcess::kill_group() {
    if (pid_ <= 0) return;
    kill(-pid_, SIGKILL);
    if (!reaped_) {
        int status = 0;
        if (reap(pid_, 5s, status)) {
            reaped_ = true;
            exit_status_ = -1;  // killed
        }
    }
    if (!reaped_) return;
    auto deadline = Clock::now() + 2s;
    while (Clock::now() < deadline) {
        while (waitpid(-pid_, nullptr, WNOHANG) > 0) {
        }
        if (kill(-pid_, 0) != 0) return;
        std::this_thread::sleep_for(5ms);
    }
}

// ---------------------------------------------------------------------------------------
// Client

Client::Client(Client&& other) noexcept {
    *this = std::move(other);
}

Client& Client::operator=(Client&& other) noexcept {
    if (this != &other) {
        close();
        fd_ = std::exchange(other.fd_, -1);
        buffer_ = std::move(other.buffer_);
        consumed_ = std::exchange(other.consumed_, 0);
        eof_ = std::exchange(other.eof_, false);
        reset_ = std::exchange(other.reset_, false);
        other.buffer_.clear();
    }
    return *this;
}

bool Client::connect(std::uint16_t port, Millis timeout) {
    close();
    buffer_.clear();
    consumed_ = 0;
    eof_ = reset_ = false;
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) return false;
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0) {
        if (errno != EINPROGRESS) {
            ::close(fd);
            return false;
        }
        auto deadline = Clock::now() + timeout;
        while (true) {
            pollfd p{fd, POLLOUT, 0};
            int n = poll(&p, 1, ms_until(deadline));
            if (n < 0 && errno == EINTR) continue;
            int error = 0;
            socklen_t len = sizeof error;
            if (n <= 0 || getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &len) != 0 || error != 0) {
                ::close(fd);
                exchange::connected(false);
                return false;
            }
            break;
        }
    }
    fd_ = fd;
    exchange::connected(true);
    return true;
}

void Client::close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
}

void Client::set_nodelay() {
    int one = 1;
    setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

void Client::set_linger_zero() {
    linger l{};
    l.l_onoff = 1;
    l.l_linger = 0;
    setsockopt(fd_, SOL_SOCKET, SO_LINGER, &l, sizeof l);
}

void Client::shutdown_write() {
    if (fd_ >= 0) shutdown(fd_, SHUT_WR);
}

bool Client::send_all(std::string_view data, Millis timeout) {
    exchange::sent(data);
    if (fd_ < 0) {
        exchange::received("nothing: there was no connection to send on");
        return false;
    }
    auto deadline = Clock::now() + timeout;
    while (!data.empty()) {
        ssize_t sent = send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
        if (sent > 0) {
            data.remove_prefix(static_cast<std::size_t>(sent));
            continue;
        }
        if (sent < 0 && errno == EINTR) continue;
        if (sent < 0 && errno != EAGAIN && errno != EWOULDBLOCK) {
            exchange::received("the server had closed the connection before the request went");
            return false;
        }
        if (Clock::now() >= deadline) {
            exchange::received("the server took none of the request's last bytes within " +
                               in_words(timeout) + " (it reads nothing)");
            return false;
        }
        pollfd p{fd_, POLLOUT, 0};
        poll(&p, 1, ms_until(deadline));
    }
    return true;
}

std::string Client::describe_end(Millis timeout) const {
    std::string what;
    if (reset_) {
        what = "a reset (the server dropped the connection)";
    } else if (eof_) {
        what = "EOF (the server closed the connection)";
    } else {
        what = "nothing within " + in_words(timeout);
    }
    if (buffered() > 0) {
        what += ", after the incomplete '" +
                exchange::quote(std::string_view(buffer_).substr(consumed_)) + "'";
    }
    return what;
}

bool Client::pump() {
    if (fd_ < 0 || eof_) return false;
    char chunk[64 * 1024];
    while (true) {
        ssize_t got = recv(fd_, chunk, sizeof chunk, 0);
        if (got > 0) {
            buffer_.append(chunk, static_cast<std::size_t>(got));
            return true;
        }
        if (got == 0) {
            eof_ = true;
            exchange::received("EOF (the server closed the connection)");
            return false;
        }
        if (errno == EINTR) continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK) return true;
        reset_ = errno == ECONNRESET;
        eof_ = true;  // a failed connection is over as well
        exchange::received(reset_ ? "a reset (the server dropped the connection)"
                                  : "an error on the connection");
        return false;
    }
}

bool Client::fill(Clock::time_point deadline) {
    if (fd_ < 0 || eof_) return false;
    while (true) {
        pollfd p{fd_, POLLIN, 0};
        int n = poll(&p, 1, ms_until(deadline));
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return false;  // timeout
        std::size_t before = buffer_.size();
        if (!pump()) return false;  // EOF or reset
        if (buffer_.size() > before) return true;
        if (Clock::now() >= deadline) return false;
    }
}

std::string Client::take(std::size_t n) {
    std::string out = buffer_.substr(consumed_, n);
    consumed_ += n;
    if (consumed_ == buffer_.size()) {
        buffer_.clear();
        consumed_ = 0;
    } else if (consumed_ > 64 * 1024 && consumed_ > buffer_.size() / 2) {
        buffer_.erase(0, consumed_);
        consumed_ = 0;
    }
    return out;
}

std::optional<std::string> Client::take_line() {
    auto lf = buffer_.find('\n', consumed_);
    if (lf == std::string::npos) return std::nullopt;
    std::string line = take(lf - consumed_ + 1);
    line.pop_back();
    exchange::received("'" + exchange::quote(line) + "'");
    return line;
}

std::optional<std::string> Client::read_line(Millis timeout) {
    auto deadline = Clock::now() + timeout;
    while (true) {
        if (auto line = take_line()) return line;
        if (!fill(deadline)) {
            exchange::received(describe_end(timeout));
            return std::nullopt;
        }
    }
}

std::optional<std::string> Client::read_exact(std::size_t n, Millis timeout) {
    auto deadline = Clock::now() + timeout;
    while (buffered() < n) {
        if (!fill(deadline)) {
            exchange::received("only " + std::to_string(buffered()) + " of " + std::to_string(n) +
                               " bytes: " + describe_end(timeout));
            return std::nullopt;
        }
    }
    std::string bytes = take(n);
    exchange::received("'" + exchange::quote(bytes) + "'");
    return bytes;
}

std::optional<std::string> Client::read_until_eof(Millis timeout) {
    auto deadline = Clock::now() + timeout;
    while (!eof_) {
        if (!fill(deadline) && !eof_) {
            exchange::received(
                "no EOF within " + in_words(timeout) +
                (buffered() > 0
                     ? " (after '" + exchange::quote(std::string_view(buffer_).substr(consumed_)) +
                           "')"
                     : std::string(" and no bytes")));
            return std::nullopt;
        }
    }
    std::string rest = take(buffered());
    exchange::received(rest.empty() ? "EOF" : "'" + exchange::quote(rest) + "', then EOF");
    return rest;
}

bool Client::expect_eof(Millis timeout) {
    auto rest = read_until_eof(timeout);
    return rest.has_value() && rest->empty();
}

std::optional<std::string> Client::request(std::string_view line, Millis timeout) {
    std::string data(line);
    data += '\n';
    if (!send_all(data, timeout)) return std::nullopt;
    return read_line(timeout);
}

bool pump_any(std::span<Client> clients, Clock::time_point deadline) {
    std::vector<pollfd> fds;
    std::vector<Client*> owners;
    for (Client& c : clients) {
        if (c.connected() && !c.at_eof()) {
            fds.push_back({c.fd(), POLLIN, 0});
            owners.push_back(&c);
        }
    }
    if (fds.empty()) return false;
    int n;
    do {
        n = poll(fds.data(), fds.size(), ms_until(deadline));
    } while (n < 0 && errno == EINTR);
    if (n <= 0) return false;
    for (std::size_t i = 0; i < fds.size(); ++i) {
        if (fds[i].revents != 0) owners[i]->pump();
    }
    return true;
}

// ---------------------------------------------------------------------------------------
// run_server

RunResult run_server(const std::vector<std::string>& args, Millis timeout) {
    RunResult result;
    int out[2], err[2];
    if (pipe2(out, O_CLOEXEC) != 0) return result;
    if (pipe2(err, O_CLOEXEC) != 0) {
        ::close(out[0]);
        ::close(out[1]);
        return result;
    }
    std::string error;
    pid_t pid = spawn_server(args, out[1], err[1], error);
    ::close(out[1]);
    ::close(err[1]);
    if (pid < 0) {
        ::close(out[0]);
        ::close(err[0]);
        result.err = error;
        return result;
    }
    auto deadline = Clock::now() + timeout;
    std::vector<pollfd> fds = {{out[0], POLLIN, 0}, {err[0], POLLIN, 0}};
    std::string* sinks[2] = {&result.out, &result.err};
    bool open[2] = {true, true};
    while ((open[0] || open[1]) && Clock::now() < deadline) {
        for (std::size_t i = 0; i < 2; ++i)
            fds[i].fd = open[i] ? (i == 0 ? out[0] : err[0]) : -1;
        int n = poll(fds.data(), fds.size(), ms_until(deadline));
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        for (std::size_t i = 0; i < 2; ++i) {
            if (fds[i].revents == 0) continue;
            char chunk[4096];
            ssize_t got = read(fds[i].fd, chunk, sizeof chunk);
            if (got > 0) {
                sinks[i]->append(chunk, static_cast<std::size_t>(got));
            } else if (got == 0 || errno != EINTR) {
                open[i] = false;
            }
        }
    }
    ::close(out[0]);
    ::close(err[0]);
    int status = 0;
    auto left = std::chrono::duration_cast<Millis>(deadline - Clock::now());
    if (reap(pid, std::max(left, Millis(0)), status)) {
        result.exit_status = exit_code(status);
    } else {
        result.timed_out = true;
        kill(pid, SIGTERM);  // a server that started after all: let it remove its stats file
        if (!reap(pid, 3s, status)) {
            kill(-pid, SIGKILL);
            reap(pid, 5s, status);
        }
        result.exit_status = -1;
    }
    return result;
}

// ---------------------------------------------------------------------------------------
// Small helpers and the fixture

std::string pattern(std::size_t n, std::size_t offset) {
    std::string out(n, '\0');
    for (std::size_t i = 0; i < n; ++i)
        out[i] = static_cast<char>('a' + static_cast<int>((offset + i) % 26));
    return out;
}

std::vector<std::pair<pid_t, char>> child_processes_with_state(pid_t pid) {
    std::vector<std::pair<pid_t, char>> children;
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator("/proc", ec)) {
        std::ifstream stat(entry.path() / "stat");
        std::string line;
        if (!std::getline(stat, line)) continue;
        // "PID (COMMAND) STATE PPID ...": COMMAND may hold spaces and parentheses.
        auto close_paren = line.rfind(')');
        if (close_paren == std::string::npos || close_paren + 2 > line.size()) continue;
        std::istringstream rest(line.substr(close_paren + 2));
        char state = 0;
        long ppid = 0;
        rest >> state >> ppid;
        if (ppid == pid)
            children.emplace_back(static_cast<pid_t>(std::stol(entry.path().filename())), state);
    }
    return children;
}

bool eventually(const std::function<bool()>& pred, Millis timeout) {
    auto deadline = Clock::now() + timeout;
    while (true) {
        if (pred()) return true;
        if (Clock::now() >= deadline) return false;
        std::this_thread::sleep_for(10ms);
    }
}

std::vector<Transcript> read_all_until_eof(std::vector<Client>& clients, Clock::time_point start,
                                           Millis timeout) {
    std::vector<Transcript> out(clients.size());
    auto deadline = Clock::now() + timeout;
    std::size_t remaining = 0;
    for (const Client& c : clients)
        remaining += c.connected() ? 1u : 0u;
    while (remaining > 0) {
        bool any = pump_any(clients, deadline);
        for (std::size_t i = 0; i < clients.size(); ++i) {
            Client& c = clients[i];
            if (!c.connected() || !c.at_eof()) continue;
            out[i].eof_at = seconds_since(start);
            out[i].bytes = *c.read_until_eof(0ms);
            c.close();
            --remaining;
        }
        if (!any && Clock::now() >= deadline) break;
    }
    for (std::size_t i = 0; i < clients.size(); ++i) {
        if (clients[i].connected())
            out[i].bytes = *clients[i].read_exact(clients[i].buffered(), 0ms);
    }
    return out;
}

const std::vector<std::string>& all_models() {
    // From the registry, so that a new model is tested without editing the suites. A student's
    // model (the assignment) is not the lab's own: the suites leave it out, and the grader runs
    // them against it alone (LAB_GRADE_MODEL).
    static const std::vector<std::string> names = [] {
        std::vector<std::string> list;
        if (const char* graded = std::getenv("LAB_GRADE_MODEL"); graded && *graded) {
            list.emplace_back(graded);
            return list;
        }
        for (const lab::Model& m : lab::models()) {
            if (!m.assignment) list.push_back(m.name);
        }
        return list;
    }();
    return names;
}

bool has_max_clients(const std::string& model) {
    const lab::Model* m = lab::find_model(model);
    return m != nullptr && m->default_max_clients != 0;
}

bool takes_workers(const std::string& model) {
    const lab::Model* m = lab::find_model(model);
    return m != nullptr && m->takes_workers;
}

bool takes_thread_stack(const std::string& model) {
    const lab::Model* m = lab::find_model(model);
    return m != nullptr && m->takes_thread_stack;
}

std::uint64_t status_field(pid_t pid, const std::string& field) {
    std::ifstream status("/proc/" + std::to_string(pid) + "/status");
    std::string line;
    while (std::getline(status, line)) {
        if (line.rfind(field, 0) == 0) return std::stoull(line.substr(field.size()));
    }
    return 0;
}

std::string model_unavailable(const std::string& model) {
    const lab::Model* m = lab::find_model(model);
    if (m == nullptr || m->unavailable == nullptr) return "";
    return m->unavailable();
}

std::optional<nlohmann::json> stats_of(Client& c) {
    auto reply = c.request("STATS");
    if (!reply || reply->rfind("OK {", 0) != 0) {
        ADD_FAILURE() << "STATS reply: " << reply.value_or("<none>");
        return std::nullopt;
    }
    nlohmann::json j = nlohmann::json::parse(reply->substr(3), nullptr, false);
    if (j.is_discarded()) {
        ADD_FAILURE() << "STATS is not JSON: " << *reply;
        return std::nullopt;
    }
    return j;
}

const std::vector<std::string>& model_variants() {
    static const std::vector<std::string> list = [] {
        std::vector<std::string> names = all_models();
        // Only where epoll itself is tested: not in the grader's run of a student's model.
        if (std::find(names.begin(), names.end(), "epoll") != names.end()) {
            names.push_back("epoll --loops 2");
            names.push_back("epoll --loops 2 --accept dispatch");
        }
        return names;
    }();
    return list;
}

namespace {

std::vector<std::string> words(const std::string& text) {
    std::istringstream in(text);
    std::vector<std::string> list;
    for (std::string word; in >> word;)
        list.push_back(word);
    return list;
}

}  // namespace

std::string model_test_name(const testing::TestParamInfo<std::string>& info) {
    std::string name;
    for (const std::string& word : words(info.param)) {
        if (!name.empty()) name += '_';
        name += word.substr(word.find_first_not_of('-'));
    }
    return name;
}

std::string ModelTest::model() const {
    return words(GetParam()).front();
}

std::vector<std::string> ModelTest::variant_flags() const {
    std::vector<std::string> flags = words(GetParam());
    flags.erase(flags.begin());
    return flags;
}

std::size_t ModelTest::loops() const {
    std::vector<std::string> flags = variant_flags();
    auto it = std::find(flags.begin(), flags.end(), "--loops");
    return it != flags.end() && it + 1 != flags.end() ? std::stoul(*(it + 1)) : 1;
}

void ModelTest::TearDown() {
    // For the grader's report (tests/grader/README.md): what was sent and what came back when the
    // test first failed.
    exchange::Snapshot first = exchange::at_first_failure();
    if (!first.sent.empty()) RecordProperty("grade_sent", first.sent);
    if (!first.received.empty()) RecordProperty("grade_received", first.received);
    if (std::string why = exchange::skip_reason(); !why.empty())
        RecordProperty("grade_skipped", why);
}

void ModelTest::SetUp() {
    if (std::string why = model_unavailable(model()); !why.empty()) GTEST_SKIP() << why;
}

void ModelTest::start(std::vector<std::string> extra) {
    std::vector<std::string> args = {"--model", model()};
    for (const std::string& flag : variant_flags())
        args.push_back(flag);
    if (takes_workers(model()) && !has_option(extra, "--workers")) {
        args.push_back("--workers");
        args.push_back(std::to_string(kSuiteWorkers));
    }
    args.insert(args.end(), extra.begin(), extra.end());
    server_ = std::make_unique<ServerProcess>(args);
    ASSERT_TRUE(server_->started()) << server_->start_error();
}

Client ModelTest::connect(Millis timeout) {
    Client c;
    EXPECT_TRUE(c.connect(port(), timeout)) << "cannot connect to port " << port();
    return c;
}

}  // namespace labtest
