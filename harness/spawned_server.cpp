// See spawned_server.hpp.
#include "spawned_server.hpp"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstring>

#include "clock.hpp"

namespace lab {
namespace {

inline constexpr std::uint64_t kStartTimeoutNs = 10'000'000'000;
inline constexpr std::size_t kMaxStderr = 4096;
inline constexpr int kMaxServers = 64;

// Process groups of the servers alive now, for the signal handler: plain atomics only.
std::atomic<pid_t> g_groups[kMaxServers];

void remember(pid_t pgid) {
    for (auto& slot : g_groups) {
        pid_t empty = 0;
        if (slot.compare_exchange_strong(empty, pgid)) return;
    }
}

void forget(pid_t pgid) {
    for (auto& slot : g_groups) {
        pid_t expected = pgid;
        slot.compare_exchange_strong(expected, 0);
    }
}

std::string read_available(int fd) {
    std::string text;
    if (fd < 0) return text;
    char buffer[1024];
    while (true) {
        ssize_t n = read(fd, buffer, sizeof buffer);
        if (n <= 0) break;
        text.append(buffer, static_cast<std::size_t>(n));
        if (text.size() > kMaxStderr) text.erase(0, text.size() - kMaxStderr);
    }
    return text;
}

std::string one_line(std::string text) {
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r'))
        text.pop_back();
    for (char& c : text) {
        if (c == '\n') c = ' ';
    }
    return text;
}

}  // namespace

void kill_all_spawned_servers() {
    for (auto& slot : g_groups) {
        pid_t pgid = slot.load();
        if (pgid > 0) kill(-pgid, SIGKILL);
    }
}

std::optional<SpawnedServer> SpawnedServer::start(const std::string& binary,
                                                  const std::vector<std::string>& args,
                                                  std::string& error) {
    int out_pipe[2];
    int err_pipe[2];
    if (pipe2(out_pipe, O_CLOEXEC) != 0 || pipe2(err_pipe, O_CLOEXEC) != 0) {
        error = std::string("pipe: ") + std::strerror(errno);
        return std::nullopt;
    }
    std::vector<char*> argv;
    argv.push_back(const_cast<char*>(binary.c_str()));
    for (const std::string& a : args)
        argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid == 0) {
        // The child: only async-signal-safe calls until exec (the harness has threads).
        setpgid(0, 0);  // its own group, so stopping it stops its children too
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() != parent) _exit(127);  // the harness died before prctl took effect
        dup2(out_pipe[1], STDOUT_FILENO);
        dup2(err_pipe[1], STDERR_FILENO);
        execv(binary.c_str(), argv.data());
        _exit(127);
    }
    close(out_pipe[1]);
    close(err_pipe[1]);
    if (pid < 0) {
        error = std::string("fork: ") + std::strerror(errno);
        close(out_pipe[0]);
        close(err_pipe[0]);
        return std::nullopt;
    }
    setpgid(pid, pid);  // also from this side, so the group exists before we signal it
    remember(pid);
    SpawnedServer server;
    server.pid_ = pid;
    server.stdout_fd_ = out_pipe[0];
    server.stderr_fd_ = err_pipe[0];
    fcntl(server.stderr_fd_, F_SETFL, O_NONBLOCK);

    // Read the first line: "listening on HOST:PORT model=NAME pid=PID".
    std::string line;
    std::uint64_t deadline = mono_ns() + kStartTimeoutNs;
    while (line.find('\n') == std::string::npos) {
        std::uint64_t now = mono_ns();
        if (now >= deadline) break;
        pollfd p{server.stdout_fd_, POLLIN, 0};
        if (poll(&p, 1, static_cast<int>((deadline - now) / 1'000'000 + 1)) <= 0) continue;
        char c[256];
        ssize_t n = read(server.stdout_fd_, c, sizeof c);
        if (n <= 0) break;  // the server exited
        line.append(c, static_cast<std::size_t>(n));
    }
    line = line.substr(0, line.find('\n'));
    const std::string prefix = "listening on ";
    std::size_t colon = line.rfind(':', line.find(' ', prefix.size()));
    if (!line.starts_with(prefix) || colon == std::string::npos) {
        ServerExit exit = server.stop(1000);
        std::string why = one_line(exit.stderr_text);
        error = "lab-server did not start" + (why.empty() ? std::string() : ": " + why);
        return std::nullopt;
    }
    server.host_ = line.substr(prefix.size(), colon - prefix.size());
    if (server.host_.size() > 2 && server.host_.front() == '[') {
        server.host_ = server.host_.substr(1, server.host_.size() - 2);
    }
    server.port_ = static_cast<std::uint16_t>(std::stoul(line.substr(colon + 1)));
    return server;
}

SpawnedServer::SpawnedServer(SpawnedServer&& other) noexcept
    : pid_(other.pid_),
      port_(other.port_),
      host_(std::move(other.host_)),
      stderr_fd_(other.stderr_fd_),
      stdout_fd_(other.stdout_fd_) {
    other.pid_ = -1;
    other.stderr_fd_ = other.stdout_fd_ = -1;
}

SpawnedServer::~SpawnedServer() {
    if (pid_ > 0) stop(0);
    if (stderr_fd_ >= 0) close(stderr_fd_);
    if (stdout_fd_ >= 0) close(stdout_fd_);
}

bool SpawnedServer::alive() const {
    if (pid_ <= 0) return false;
    siginfo_t info{};
    // WNOWAIT: look without reaping, so that stop() can still collect its rusage.
    if (waitid(P_PID, static_cast<id_t>(pid_), &info, WEXITED | WNOHANG | WNOWAIT) != 0)
        return false;
    return info.si_pid == 0;
}

ServerExit SpawnedServer::stop(std::uint64_t grace_ms) {
    ServerExit result;
    if (pid_ <= 0) return result;
    kill(pid_, SIGTERM);
    std::uint64_t deadline = mono_ns() + grace_ms * 1'000'000;
    pid_t done = 0;
    while ((done = wait4(pid_, &result.status, WNOHANG, &result.usage)) == 0 &&
           mono_ns() < deadline) {
        usleep(5'000);
    }
    if (done == 0) {
        kill(-pid_, SIGKILL);
        wait4(pid_, &result.status, 0, &result.usage);
    }
    kill(-pid_, SIGKILL);  // anything of the group still alive (it should be empty)
    forget(pid_);
    result.exited_cleanly =
        done == pid_ && WIFEXITED(result.status) && WEXITSTATUS(result.status) == 0;
    result.stderr_text = read_available(stderr_fd_);
    pid_ = -1;
    return result;
}

}  // namespace lab
