// Select loop: one thread serves every client. It asks select() which sockets are ready and
// serves only those, so no client's waiting blocks another; but while it runs one client's
// CPU work, every other client waits. No locks: only one thread ever touches anything.
// A QUERY is no exception: the database connections' sockets (shared/async_backend.hpp) go
// into the same sets as the clients', so the loop waits for the database as for a client.
#include <sys/select.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>

#include "blocking.hpp"
#include "clock.hpp"
#include "event_loop.hpp"
#include "models.hpp"
#include "signals.hpp"
#include "trace.hpp"

namespace lab {
namespace {

// The sets select() will look at, built anew every turn: select() overwrites the sets it
// is given, so they are never reused.
struct Interest {
    fd_set readable;
    fd_set writable;
    int max_fd = -1;
    Wakeup wakeup;  // the earliest deadline of any client or of the database pool
    std::vector<AsyncBackend::Watch> backend;  // the pool's sockets (QUERY)

    Interest() {
        FD_ZERO(&readable);
        FD_ZERO(&writable);
    }
    void watch(int fd, fd_set& set) {
        FD_SET(fd, &set);  // safe: no fd >= FD_SETSIZE is ever kept (fits_in_fd_set)
        max_fd = std::max(max_fd, fd);
    }
};

Interest build_interest(Server& server, EventClients& clients, LoopContext& loop) {
    Interest interest;
    interest.watch(stop_fd(), interest.readable);
    interest.watch(server.listen_fd, interest.readable);
    interest.backend = loop.backend.watches();
    for (const AsyncBackend::Watch& w : interest.backend) {
        if (w.read) interest.watch(w.fd, interest.readable);
        if (w.write) interest.watch(w.fd, interest.writable);
    }
    interest.wakeup.no_later_than(loop.backend.deadline_ns());
    for (auto& [fd, client] : clients) {
        if (client->wants_read()) interest.watch(fd, interest.readable);
        if (client->wants_write()) interest.watch(fd, interest.writable);
        interest.wakeup.consider(*client);
    }
    return interest;
}

// Waits until a socket is ready or the earliest deadline is due: the loop's only wait.
int wait_for_events(Server& server, Interest& interest) {
    timeval timeout{};
    timeval* timeout_ptr = nullptr;  // no deadline: wait for a socket only
    if (interest.wakeup.at_ns != 0) {
        std::uint64_t now = mono_ns();
        std::uint64_t wait_us =
            interest.wakeup.at_ns > now ? (interest.wakeup.at_ns - now + 999) / 1000 : 0;
        timeout.tv_sec = static_cast<time_t>(wait_us / 1'000'000);
        timeout.tv_usec = static_cast<suseconds_t>(wait_us % 1'000'000);
        timeout_ptr = &timeout;
    }
    BlockingTimer timer(*server.stats, Blocking::Wait);
    return select(interest.max_fd + 1, &interest.readable, &interest.writable, nullptr,
                  timeout_ptr);
}

}  // namespace

std::uint64_t select_max_clients() {
    // Room in an fd_set after the loop's own descriptors: 0-2, the listening socket, the stop
    // and child pipes, the EMFILE reserve, and a margin for the stats file and libraries.
    return FD_SETSIZE - 16;
}

void serve_select(Server& server) {
    trace::name_thread("event loop");
    LoopContext loop(server);
    loop.backend.max_fd = FD_SETSIZE - 1;  // a socket select() cannot watch is not used
    EventClients clients;
    while (true) {
        Interest interest = build_interest(server, clients, loop);
        int ready = wait_for_events(server, interest);
        if (ready < 0 && errno != EINTR) {
            std::perror("lab-server: select");
            break;
        }
        if (ready > 0 && FD_ISSET(stop_fd(), &interest.readable)) break;  // SIGTERM or SIGINT

        // Dispatch: serve each socket that select() found ready.
        if (ready > 0 && FD_ISSET(server.listen_fd, &interest.readable)) {
            accept_clients(server, clients, loop, fits_in_fd_set);
        }
        for (const AsyncBackend::Watch& w : interest.backend) {
            bool readable = w.read && FD_ISSET(w.fd, &interest.readable);
            bool writable = w.write && FD_ISSET(w.fd, &interest.writable);
            if (ready > 0 && (readable || writable))
                loop.backend.on_ready(w.fd, readable, writable);
        }
        for (auto& [fd, client] : clients) {
            if (ready <= 0 || fd > interest.max_fd) break;  // new clients were not in this turn
            if (FD_ISSET(fd, &interest.readable)) client->on_readable();
            if (FD_ISSET(fd, &interest.writable) && !client->finished()) client->on_writable();
        }

        // Give another turn to clients that yielded with requests still buffered.
        resume_yielded_by_scan(clients);
        // Run due timers: simulated I/O that has ended, idle clients, drains that are over.
        run_due_deadlines(clients, mono_ns());
        run_backend_deadline(loop, mono_ns());
        erase_finished(clients);
    }
    clients.clear();  // closes every connection
}

}  // namespace lab
