// Poll loop: the select loop without the FD_SETSIZE wall. poll() takes an array of any length,
// so any descriptor can be watched; but every turn the loop hands the kernel the whole array
// and the kernel looks at every entry: a turn costs time in proportion to all connections.
// The database connections' sockets (QUERY: shared/async_backend.hpp) are entries too, after
// the clients'.
#include <poll.h>

#include <cerrno>
#include <cstdio>
#include <vector>

#include "blocking.hpp"
#include "clock.hpp"
#include "event_loop.hpp"
#include "models.hpp"
#include "signals.hpp"
#include "trace.hpp"

namespace lab {
namespace {

// What poll() will look at: one entry per socket, rebuilt every turn from what each client
// wants now. That rebuilding, and the kernel's pass over the whole array, is poll's cost.
struct Interest {
    static constexpr std::size_t kStop = 0;         // the stop latch
    static constexpr std::size_t kListener = 1;     // the listening socket
    static constexpr std::size_t kFirstClient = 2;  // then one entry per watched client

    std::vector<pollfd> fds;
    // clients[i] owns fds[i]: null for the first two, and for the database pool's sockets
    // (QUERY), which come last.
    std::vector<EventConnection*> clients;
    Wakeup wakeup;  // the earliest deadline of any client or of the pool

    void watch(int fd, short events, EventConnection* client) {
        fds.push_back({fd, events, 0});
        clients.push_back(client);
    }
};

// Refills `interest` (its vectors keep their memory from turn to turn).
void build_interest(Server& server, EventClients& clients, LoopContext& loop, Interest& interest) {
    interest.fds.clear();
    interest.clients.clear();
    interest.wakeup = {};
    interest.watch(stop_fd(), POLLIN, nullptr);
    interest.watch(server.listen_fd, POLLIN, nullptr);
    for (auto& [fd, client] : clients) {
        short events = static_cast<short>((client->wants_read() ? POLLIN : 0) |
                                          (client->wants_write() ? POLLOUT : 0));
        // A client that wants nothing now (its simulated I/O runs) is left out: poll() reports
        // a hang-up even for an entry that asks for no events, and it would wake every turn.
        if (events != 0) interest.watch(fd, events, client.get());
        interest.wakeup.consider(*client);
    }
    for (const AsyncBackend::Watch& w : loop.backend.watches()) {
        interest.watch(w.fd, static_cast<short>((w.read ? POLLIN : 0) | (w.write ? POLLOUT : 0)),
                       nullptr);
    }
    interest.wakeup.no_later_than(loop.backend.deadline_ns());
}

// Waits until a socket is ready or the earliest deadline is due: the loop's only wait.
// ppoll() is poll() with a timeout in nanoseconds instead of milliseconds.
int wait_for_events(Server& server, Interest& interest) {
    timespec timeout{};
    timespec* timeout_ptr = nullptr;  // no deadline: wait for a socket only
    if (interest.wakeup.at_ns != 0) {
        timeout = time_until(interest.wakeup.at_ns);
        timeout_ptr = &timeout;
    }
    BlockingTimer timer(*server.stats, Blocking::Wait);
    return ppoll(interest.fds.data(), interest.fds.size(), timeout_ptr, nullptr);
}

// Serves one client entry that poll() found ready. A hang-up or an error counts as readable
// and writable, as select() has it: the next recv() or send() finds out which it was.
void serve_ready(const pollfd& entry, EventConnection& client) {
    constexpr short kEnded = POLLHUP | POLLERR;
    if ((entry.events & POLLIN) && (entry.revents & (POLLIN | kEnded))) client.on_readable();
    if ((entry.events & POLLOUT) && (entry.revents & (POLLOUT | kEnded)) && !client.finished()) {
        client.on_writable();
    }
}

}  // namespace

void serve_poll(Server& server) {
    trace::name_thread("event loop");
    LoopContext loop(server);
    EventClients clients;
    Interest interest;
    while (true) {
        build_interest(server, clients, loop, interest);
        int ready = wait_for_events(server, interest);
        if (ready < 0 && errno != EINTR) {
            std::perror("lab-server: poll");
            break;
        }
        if (ready > 0 && interest.fds[Interest::kStop].revents != 0) break;  // SIGTERM or SIGINT

        // Dispatch: serve each socket that poll() found ready. Clients accepted now were not
        // in this turn's array; they are watched from the next turn on.
        if (ready > 0 && interest.fds[Interest::kListener].revents != 0) {
            accept_clients(server, clients, loop);
        }
        for (std::size_t i = Interest::kFirstClient; ready > 0 && i < interest.fds.size(); ++i) {
            const pollfd& entry = interest.fds[i];
            if (entry.revents == 0) continue;
            if (interest.clients[i] != nullptr) {
                serve_ready(entry, *interest.clients[i]);
            } else {
                constexpr short kEnded = POLLHUP | POLLERR;
                loop.backend.on_ready(entry.fd, (entry.revents & (POLLIN | kEnded)) != 0,
                                      (entry.revents & (POLLOUT | kEnded)) != 0);
            }
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
