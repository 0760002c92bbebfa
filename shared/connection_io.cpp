// A connection's sends, receives and waits. See connection_io.hpp.
#include "connection_io.hpp"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>

#include <algorithm>

#include "blocking.hpp"
#include "clock.hpp"
#include "signals.hpp"

namespace lab {

ssize_t send_some(int fd, const char* data, std::size_t n, StatsBlock& stats) {
    while (true) {
        ssize_t sent = send(fd, data, n, MSG_NOSIGNAL);  // EPIPE instead of SIGPIPE
        if (sent >= 0) {
            add(stats.bytes_out, static_cast<std::uint64_t>(sent));
            return sent;
        }
        if (errno == EINTR) continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK) return 0;
        return -1;  // EPIPE, ECONNRESET: the peer is gone
    }
}

ssize_t recv_some(int fd, std::span<char> into, StatsBlock& stats) {
    while (true) {
        ssize_t got = recv(fd, into.data(), into.size(), 0);
        if (got > 0) add(stats.bytes_in, static_cast<std::uint64_t>(got));
        if (got >= 0 || errno != EINTR) return got;
    }
}

WaitResult wait_fd(int fd, short events, std::uint64_t deadline_ns, StatsBlock& stats,
                   Blocking kind) {
    BlockingTimer timer(stats, kind);
    while (true) {
        pollfd fds[2] = {{fd, events, 0}, {stop_fd(), POLLIN, 0}};
        int timeout_ms = -1;
        if (deadline_ns != 0) {
            std::uint64_t now = mono_ns();
            if (now >= deadline_ns) return WaitResult::Timeout;
            timeout_ms = static_cast<int>(std::min<std::uint64_t>(
                (deadline_ns - now + 999'999) / 1'000'000, 24ull * 3600 * 1000));
        }
        int n = poll(fds, 2, timeout_ms);
        if (n < 0) {
            if (errno == EINTR) continue;  // a signal; the stop latch tells us if it matters
            return WaitResult::Error;
        }
        if (fds[1].revents != 0) return WaitResult::Stopped;
        // Errors and hang-ups count as ready: the next read or write reports them.
        if (fds[0].revents != 0) return WaitResult::Ready;
    }
}

bool sleep_ms(std::uint64_t ms, StatsBlock& stats) {
    std::uint64_t deadline = mono_ns() + ms * 1'000'000;
    BlockingTimer timer(stats, Blocking::IoWait);
    while (true) {
        std::uint64_t now = mono_ns();
        if (now >= deadline) return true;
        pollfd stop{stop_fd(), POLLIN, 0};
        int n = poll(&stop, 1, static_cast<int>((deadline - now + 999'999) / 1'000'000));
        if (n > 0) return false;
    }
}

bool peer_hung_up(int fd) {
    pollfd p{fd, POLLRDHUP, 0};
    return poll(&p, 1, 0) > 0 && (p.revents & (POLLRDHUP | POLLHUP | POLLERR | POLLNVAL)) != 0;
}

std::uint16_t peer_port(int fd) {
    sockaddr_storage peer{};
    socklen_t len = sizeof peer;
    if (getpeername(fd, reinterpret_cast<sockaddr*>(&peer), &len) != 0) return 0;
    if (peer.ss_family == AF_INET6) return ntohs(reinterpret_cast<sockaddr_in6*>(&peer)->sin6_port);
    return ntohs(reinterpret_cast<sockaddr_in*>(&peer)->sin_port);
}

}  // namespace lab
