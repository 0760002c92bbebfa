// Accepting one client, even out of descriptors. See accept_client.hpp.
#include "accept_client.hpp"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <mutex>

#include "drain.hpp"
#include "refusal.hpp"

namespace lab {
namespace {

// The reserve for EMFILE, freed to accept and refuse one client. One per process, which
// several threads may use (epoll --loops N, each loop accepting on a socket of its own): its
// lock is taken only to make it or to spend it, never on the way of an ordinary accept.
std::mutex g_spare_lock;
int g_spare_fd = -1;                    // guarded by g_spare_lock
std::atomic<bool> g_spare_held{false};  // g_spare_fd >= 0, for a look without the lock

void take_spare_descriptor() {
    g_spare_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
    g_spare_held.store(g_spare_fd >= 0, std::memory_order_relaxed);
}

}  // namespace

void reserve_spare_descriptor() {
    if (!g_spare_held.load(std::memory_order_relaxed)) {
        std::lock_guard lock(g_spare_lock);
        if (g_spare_fd < 0) take_spare_descriptor();
    }
}

void adopt_client(int fd, StatsBlock& stats) {
    add(stats.connections_accepted, 1);
    // Replies go out as soon as they are written. With Nagle's algorithm on, a reply sent
    // in two pieces (a WORK line, then its body) would wait for the client's delayed ACK
    // of the first: about 40 ms added to every such request.
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

int accept_client(int listen_fd, StatsBlock& stats) {
    // Taken while descriptors are plentiful: the first call comes before any client is held.
    // After a failed attempt (below) it is tried again on the next call.
    reserve_spare_descriptor();
    int fd = accept4(listen_fd, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd >= 0) {
        adopt_client(fd, stats);
        return fd;
    }
    int error = errno;
    if (error == EMFILE || error == ENFILE) {
        std::unique_lock lock(g_spare_lock);
        if (g_spare_fd >= 0) {
            // Out of descriptors: the pending client would stay readable and the loop would
            // spin. Free the reserve, take the client, refuse it, and take the reserve back.
            close(g_spare_fd);
            fd = accept4(listen_fd, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
            if (fd >= 0) {
                add(stats.connections_accepted, 1);
                send_refusal(fd, Refusal::OutOfDescriptors, stats);
                read_once_and_close(fd);  // no drain: it would hold the descriptor just freed
            }
            take_spare_descriptor();
        } else {
            // No reserve to free (it could not be taken back): the pending client keeps the
            // listening socket readable, so pause instead of spinning on it.
            lock.unlock();
            usleep(10'000);
        }
    }
    // EAGAIN: nothing pending; EINTR: a signal; ECONNABORTED: the client left first.
    errno = error;
    return -1;
}

}  // namespace lab
