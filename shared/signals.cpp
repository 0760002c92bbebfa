// The stop latch and the child-event pipe. See signals.hpp.
#include "signals.hpp"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cstring>

namespace lab {
namespace {

int g_stop_pipe[2] = {-1, -1};
int g_child_pipe[2] = {-1, -1};
std::atomic<bool> g_stopping{false};

void on_stop_signal(int) {
    int saved = errno;  // a handler must not disturb the errno of the code it interrupted
    request_stop();
    errno = saved;
}

void on_child_signal(int) {
    int saved = errno;
    char byte = 'c';
    // The pipe is non-blocking: when it is full a wake-up is already pending.
    [[maybe_unused]] ssize_t n = write(g_child_pipe[1], &byte, 1);
    errno = saved;
}

}  // namespace

bool install_signal_handlers(std::string& error) {
    for (int* fds : {g_stop_pipe, g_child_pipe}) {
        if (fds[0] >= 0) close(fds[0]);
        if (fds[1] >= 0) close(fds[1]);
        fds[0] = fds[1] = -1;
    }
    if (pipe2(g_stop_pipe, O_NONBLOCK | O_CLOEXEC) != 0 ||
        pipe2(g_child_pipe, O_NONBLOCK | O_CLOEXEC) != 0) {
        error = std::string("cannot make the signal pipes: ") + std::strerror(errno);
        return false;
    }
    // A stop that arrived before (in a child: between fork and here) must not be lost.
    if (g_stopping.load(std::memory_order_relaxed)) request_stop();
    struct sigaction sa {};
    sigemptyset(&sa.sa_mask);
    sa.sa_handler = on_stop_signal;
    // No SA_RESTART: a blocking call returns EINTR, and every wait also polls stop_fd().
    sigaction(SIGTERM, &sa, nullptr);
    sigaction(SIGINT, &sa, nullptr);
    sa.sa_handler = on_child_signal;
    sa.sa_flags = SA_NOCLDSTOP;
    sigaction(SIGCHLD, &sa, nullptr);
    sa.sa_handler = SIG_IGN;
    sa.sa_flags = 0;
    sigaction(SIGPIPE, &sa, nullptr);
    return true;
}

int stop_fd() {
    return g_stop_pipe[0];
}

bool stop_requested() {
    return g_stopping.load(std::memory_order_relaxed);
}

void request_stop() {
    g_stopping.store(true, std::memory_order_relaxed);
    char byte = 's';
    // Never read back: the pipe stays readable, so every present and future wait sees it,
    // in this process and in forked children, which share the pipe.
    [[maybe_unused]] ssize_t n = write(g_stop_pipe[1], &byte, 1);
}

int child_event_fd() {
    return g_child_pipe[0];
}

void drain_child_events() {
    char buf[64];
    while (read(g_child_pipe[0], buf, sizeof buf) > 0) {
    }
}

}  // namespace lab
