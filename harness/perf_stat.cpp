// See perf_stat.hpp.
#include "perf_stat.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cctype>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string_view>
#include <vector>

namespace lab {
namespace {

inline constexpr int kAckTimeoutMs = 3000;

bool find_perf(std::string& path) {
    for (const char* candidate : {"/usr/bin/perf", "/usr/local/bin/perf", "/usr/sbin/perf"}) {
        if (access(candidate, X_OK) == 0) {
            path = candidate;
            return true;
        }
    }
    return false;
}

// The harness's environment with the locale set to C. perf formats its counts in its caller's
// locale: where the decimal point is a comma (de_DE, fr_FR), task-clock's fraction would run
// into the "-x ," field separator.
std::vector<std::string> environment_in_c_locale() {
    std::vector<std::string> environment;
    for (char** entry = environ; *entry != nullptr; ++entry) {
        std::string_view variable(*entry);
        std::string_view name = variable.substr(0, variable.find('='));
        if (name == "LANG" || name == "LANGUAGE" || name.substr(0, 3) == "LC_") continue;
        environment.emplace_back(variable);
    }
    environment.emplace_back("LC_ALL=C");
    return environment;
}

// Every system call's entry is a tracepoint perf can count, where tracefs shows it (mounted
// at /sys/kernel/tracing, or under debugfs on older systems); without it perf would refuse
// the whole command, so the event is asked for only when it is there.
bool have_syscall_tracepoint() {
    return access("/sys/kernel/tracing/events/raw_syscalls/sys_enter", F_OK) == 0 ||
           access("/sys/kernel/debug/tracing/events/raw_syscalls/sys_enter", F_OK) == 0;
}

constexpr const char* kSyscallEvent = "raw_syscalls:sys_enter";

}  // namespace

std::optional<PerfStat> PerfStat::attach(pid_t pid, std::string& error) {
    std::string perf;
    if (!find_perf(perf)) {
        error = "perf is not installed (Debian package linux-perf)";
        return std::nullopt;
    }
    int control[2];
    int ack[2];
    if (pipe2(control, O_CLOEXEC) != 0 || pipe2(ack, O_CLOEXEC) != 0) {
        error = "pipe failed";
        return std::nullopt;
    }
    PerfStat p;
    p.output_path_ =
        "/tmp/lab-harness-perf." + std::to_string(getpid()) + "." + std::to_string(pid);
    std::string target = std::to_string(pid);
    std::string events = "context-switches,task-clock";
    if (have_syscall_tracepoint()) events += std::string(",") + kSyscallEvent;
    std::vector<std::string> args = {perf, "stat", "-e",           events,      "-x",
                                     ",",  "-o",   p.output_path_, "--control", "fd:3,4",
                                     "-D", "-1",   "-p",           target};
    std::vector<char*> argv;
    for (std::string& a : args)
        argv.push_back(a.data());
    argv.push_back(nullptr);
    std::vector<std::string> environment = environment_in_c_locale();
    std::vector<char*> envp;
    for (std::string& variable : environment)
        envp.push_back(variable.data());
    envp.push_back(nullptr);
    pid_t child = fork();
    if (child == 0) {
        // Only async-signal-safe calls until exec. fds 3 and 4 are perf's control and ack.
        dup2(control[0], 3);
        dup2(ack[1], 4);
        int devnull = open("/dev/null", O_WRONLY);
        dup2(devnull, STDERR_FILENO);
        dup2(devnull, STDOUT_FILENO);
        execve(argv[0], argv.data(), envp.data());
        _exit(127);
    }
    close(control[0]);
    close(ack[1]);
    if (child < 0) {
        close(control[1]);
        close(ack[0]);
        error = "fork failed";
        return std::nullopt;
    }
    p.pid_ = child;
    p.control_fd_ = control[1];
    p.ack_fd_ = ack[0];
    return p;
}

PerfStat::PerfStat(PerfStat&& other) noexcept
    : pid_(other.pid_),
      control_fd_(other.control_fd_),
      ack_fd_(other.ack_fd_),
      output_path_(std::move(other.output_path_)) {
    other.pid_ = -1;
    other.control_fd_ = other.ack_fd_ = -1;
}

PerfStat::~PerfStat() {
    if (pid_ > 0) {
        kill(pid_, SIGKILL);
        waitpid(pid_, nullptr, 0);
    }
    if (control_fd_ >= 0) close(control_fd_);
    if (ack_fd_ >= 0) close(ack_fd_);
    if (!output_path_.empty()) std::remove(output_path_.c_str());
}

bool PerfStat::command(const char* what) {
    std::string line = std::string(what) + "\n";
    if (write(control_fd_, line.data(), line.size()) != static_cast<ssize_t>(line.size())) {
        return false;
    }
    pollfd p{ack_fd_, POLLIN, 0};
    if (poll(&p, 1, kAckTimeoutMs) <= 0) return false;
    char reply[16] = {};
    return read(ack_fd_, reply, sizeof reply - 1) > 0 && std::string(reply).rfind("ack", 0) == 0;
}

bool PerfStat::enable() {
    return command("enable");
}

std::optional<PerfCounts> PerfStat::finish(std::string& error) {
    bool disabled = command("disable");
    kill(pid_, SIGINT);  // perf writes its counts and exits
    int status = 0;
    waitpid(pid_, &status, 0);
    pid_ = -1;
    if (!disabled) {
        error = "perf did not acknowledge (is perf_event_paranoid too strict? run as root)";
        return std::nullopt;
    }
    // CSV lines: value,unit,event,run time,percentage,...
    std::ifstream in(output_path_);
    std::string line;
    PerfCounts counts;
    int found = 0;
    while (std::getline(in, line)) {
        std::vector<std::string> fields;
        std::stringstream s(line);
        std::string f;
        while (std::getline(s, f, ','))
            fields.push_back(f);
        if (fields.size() < 3) continue;
        try {
            if (fields[2] == "context-switches") {
                counts.context_switches = std::stoull(fields[0]);
                ++found;
            } else if (fields[2] == kSyscallEvent) {
                // Optional: "<not counted>" here leaves it null and the rest stands.
                if (!fields[0].empty() && std::isdigit(static_cast<unsigned char>(fields[0][0])))
                    counts.syscalls = std::stoull(fields[0]);
            } else if (fields[2] == "task-clock") {
                counts.task_clock_ns =
                    static_cast<std::uint64_t>(std::stod(fields[0]) * 1e6);  // msec
                ++found;
            }
        } catch (const std::exception&) {
            error = "perf counted nothing: " + line;  // "<not counted>" or "<not supported>"
            return std::nullopt;
        }
    }
    if (found != 2) {
        error = "perf wrote no counts to " + output_path_;
        return std::nullopt;
    }
    return counts;
}

}  // namespace lab
