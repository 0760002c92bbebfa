// See command.hpp.
#include "command.hpp"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include "clock.hpp"

extern char** environ;

namespace lab {
namespace {

// Reads the child's stdout and stderr until both close or the deadline passes; kills it on a
// timeout or an oversized output, then reaps it. Closes both descriptors.
void collect(pid_t pid, int out_fd, int err_fd, const CommandLimits& limits, CommandResult& done) {
    std::uint64_t deadline = mono_ns() + limits.timeout_ns;
    pollfd fds[2] = {{out_fd, POLLIN, 0}, {err_fd, POLLIN, 0}};
    std::string* into[2] = {&done.out, &done.err};
    const std::size_t cap[2] = {limits.max_out, limits.max_err};
    int open_fds = 2;
    while (open_fds > 0) {
        std::uint64_t now = mono_ns();
        if (now >= deadline) {
            done.timed_out = true;
            break;
        }
        int wait_ms = static_cast<int>((deadline - now) / 1'000'000) + 1;
        int ready = poll(fds, 2, wait_ms);
        if (ready < 0 && errno == EINTR) continue;  // a signal to the harness: poll again
        if (ready < 0) break;
        for (int i = 0; i < 2; ++i) {
            if (fds[i].fd < 0 || fds[i].revents == 0) continue;
            char buffer[4096];
            ssize_t n = read(fds[i].fd, buffer, sizeof buffer);
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) {
                close(fds[i].fd);
                fds[i].fd = -1;
                --open_fds;
                continue;
            }
            if (into[i]->size() < cap[i]) into[i]->append(buffer, static_cast<std::size_t>(n));
        }
        if (done.out.size() >= limits.max_out) break;
    }
    for (pollfd& p : fds) {
        if (p.fd >= 0) close(p.fd);
    }
    if (open_fds > 0) kill(pid, SIGKILL);  // it outlived what it was to print
    while (waitpid(pid, &done.status, 0) < 0 && errno == EINTR) {
    }
}

}  // namespace

bool CommandResult::succeeded() const {
    return spawn_error == 0 && !timed_out && WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

CommandResult run_command(const std::string& program, const std::vector<std::string>& args,
                          const CommandLimits& limits, const std::vector<std::string>& extra_env) {
    CommandResult result;
    int out_pipe[2];
    int err_pipe[2];
    if (pipe2(out_pipe, O_CLOEXEC) != 0) {
        result.spawn_error = errno;
        return result;
    }
    if (pipe2(err_pipe, O_CLOEXEC) != 0) {
        result.spawn_error = errno;
        close(out_pipe[0]);
        close(out_pipe[1]);
        return result;
    }
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&actions, out_pipe[1], STDOUT_FILENO);
    posix_spawn_file_actions_adddup2(&actions, err_pipe[1], STDERR_FILENO);
    std::vector<std::string> argv_text = {program};
    argv_text.insert(argv_text.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (std::string& arg : argv_text)
        argv.push_back(arg.data());
    argv.push_back(nullptr);
    std::vector<std::string> env_text = extra_env;
    std::vector<char*> env;
    for (std::string& entry : env_text)
        env.push_back(entry.data());
    for (char** e = environ; *e != nullptr; ++e)
        env.push_back(*e);  // after extra_env: the first of a name is the one getenv finds
    env.push_back(nullptr);
    pid_t pid = -1;
    int rc = posix_spawnp(&pid, program.c_str(), &actions, nullptr, argv.data(), env.data());
    posix_spawn_file_actions_destroy(&actions);
    close(out_pipe[1]);
    close(err_pipe[1]);
    if (rc != 0) {
        close(out_pipe[0]);
        close(err_pipe[0]);
        result.spawn_error = rc;
        return result;
    }
    collect(pid, out_pipe[0], err_pipe[0], limits, result);
    return result;
}

std::string first_line_of(const std::string& text) {
    std::string line = text.substr(0, text.find('\n'));
    return line.empty() ? "(nothing on stderr)" : line;
}

}  // namespace lab
