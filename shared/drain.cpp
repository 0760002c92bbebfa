// The one drain. See drain.hpp.
#include "drain.hpp"

#include <errno.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "clock.hpp"
#include "connection_io.hpp"

namespace lab {

Drain start_drain(int fd) {
    return {fd, mono_ns() + kDrainMs * 1'000'000, 0};
}

bool drain_some(Drain& d) {
    char sink[4096];
    ssize_t got = recv(d.fd, sink, sizeof sink, MSG_DONTWAIT);
    if (got > 0) d.drained += static_cast<std::size_t>(got);
    if (got < 0 && (errno == EAGAIN || errno == EINTR)) return false;  // nothing more yet
    return got <= 0 || d.drained >= kDrainBytes;  // closed by the client, failed, or enough
}

bool DrainBudget::take() {
    if (active_ >= kMaxDrains) return false;
    ++active_;
    return true;
}

void DrainBudget::give_back() {
    --active_;
}

void read_once(int fd) {
    char sink[4096];
    [[maybe_unused]] ssize_t n = recv(fd, sink, sizeof sink, MSG_DONTWAIT);
}

void read_once_and_close(int fd) {
    read_once(fd);
    close(fd);
}

void close_gracefully(int fd, StatsBlock& stats) {
    shutdown(fd, SHUT_WR);
    Drain d = start_drain(fd);
    while (wait_fd(fd, POLLIN, d.deadline_ns, stats, Blocking::Read) == WaitResult::Ready) {
        if (drain_some(d)) break;
    }
    close(fd);
}

}  // namespace lab
