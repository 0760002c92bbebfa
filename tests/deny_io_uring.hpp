// Running a program where io_uring is denied, as a container's seccomp profile denies it
// (Docker's default since 2023): a child process installs a seccomp filter that makes
// io_uring_setup fail with a given errno, then execs the program, which inherits the filter
// (and so do its own children). For the tests of what lab-server and lab-harness do without
// io_uring (tests/uring_test.cpp, tests/harness_integration_test.cpp). Needs no privilege
// (PR_SET_NO_NEW_PRIVS); every wait is bounded.
#pragma once

#include <fcntl.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <signal.h>
#include <stddef.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <chrono>
#include <iterator>
#include <string>
#include <vector>

namespace lab::test {

struct DeniedRun {
    int exit_status = -1;  // -1: killed by a signal, or killed after the timeout
    bool timed_out = false;
    std::string out;
    std::string err;
};

// Runs argv (argv[0] a path) with io_uring_setup failing with `error` (EPERM, ENOSYS), its
// stdin /dev/null, for at most `timeout`: what it printed and how it exited.
inline DeniedRun run_without_io_uring(const std::vector<std::string>& argv, int error,
                                      std::chrono::milliseconds timeout) {
    DeniedRun result;
    int out[2];
    int err[2];
    if (pipe2(out, O_CLOEXEC) != 0) return result;
    if (pipe2(err, O_CLOEXEC) != 0) {
        close(out[0]);
        close(out[1]);
        return result;
    }
    std::vector<std::string> owned(argv);
    std::vector<char*> args;
    for (std::string& a : owned)
        args.push_back(a.data());
    args.push_back(nullptr);
    pid_t child = fork();
    if (child == 0) {
        // Only async-signal-safe calls until exec: the test process may have threads.
        int devnull = open("/dev/null", O_RDONLY);
        dup2(devnull, 0);
        dup2(out[1], 1);
        dup2(err[1], 2);
        setpgid(0, 0);  // a group of its own, which the timeout kills whole
        sock_filter filter[] = {
            BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, nr)),
            BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_io_uring_setup, 0, 1),
            BPF_STMT(BPF_RET | BPF_K,
                     SECCOMP_RET_ERRNO | (static_cast<unsigned>(error) & SECCOMP_RET_DATA)),
            BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
        };
        sock_fprog program{static_cast<unsigned short>(std::size(filter)), filter};
        if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 ||
            prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &program) != 0) {
            _exit(126);
        }
        execv(args[0], args.data());
        _exit(127);
    }
    close(out[1]);
    close(err[1]);
    if (child < 0) {
        close(out[0]);
        close(err[0]);
        return result;
    }
    auto deadline = std::chrono::steady_clock::now() + timeout;
    pollfd fds[2] = {{out[0], POLLIN, 0}, {err[0], POLLIN, 0}};
    std::string* sinks[2] = {&result.out, &result.err};
    int open_pipes = 2;
    while (open_pipes > 0) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) break;
        int n = poll(fds, 2, static_cast<int>(left.count()));
        if (n <= 0) continue;  // EINTR, or the deadline: checked above
        for (int i = 0; i < 2; ++i) {
            if (fds[i].fd < 0 || fds[i].revents == 0) continue;
            char chunk[4096];
            ssize_t got = read(fds[i].fd, chunk, sizeof chunk);
            if (got > 0) {
                sinks[i]->append(chunk, static_cast<std::size_t>(got));
            } else {
                close(fds[i].fd);
                fds[i].fd = -1;
                --open_pipes;
            }
        }
    }
    for (pollfd& p : fds) {
        if (p.fd >= 0) close(p.fd);
    }
    int status = 0;
    while (waitpid(child, &status, WNOHANG) == 0) {
        if (std::chrono::steady_clock::now() >= deadline) {
            result.timed_out = true;
            kill(-child, SIGKILL);
            waitpid(child, &status, 0);
            return result;
        }
        timespec pause{0, 10'000'000};
        nanosleep(&pause, nullptr);
    }
    if (WIFEXITED(status)) result.exit_status = WEXITSTATUS(status);
    return result;
}

}  // namespace lab::test
