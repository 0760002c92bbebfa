// Select loop: one thread serves every client. It asks select() which sockets are ready and
// serves only those, so no client's waiting blocks another; but while it runs one client's
// CPU work, every other client waits. No locks: only one thread ever touches anything.
#include <sys/select.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <map>
#include <memory>

#include "blocking.hpp"
#include "clock.hpp"
#include "event_connection.hpp"
#include "models.hpp"
#include "net.hpp"
#include "trace.hpp"

namespace lab {
namespace {

inline constexpr int kMaxAcceptsPerTurn = 64;  // so a flood of connects cannot starve clients

using Clients = std::map<int, std::unique_ptr<EventConnection>>;

// The sets select() will look at, built anew every turn: select() overwrites the sets it
// is given, so they are never reused.
struct Interest {
    fd_set readable;
    fd_set writable;
    int max_fd = -1;
    std::uint64_t earliest_deadline_ns = 0;

    Interest() {
        FD_ZERO(&readable);
        FD_ZERO(&writable);
    }
    void watch(int fd, fd_set& set) {
        FD_SET(fd, &set);  // safe: no fd >= FD_SETSIZE is ever kept (see accept_clients)
        max_fd = std::max(max_fd, fd);
    }
    void add_deadline(std::uint64_t deadline_ns) {
        if (deadline_ns != 0 && (earliest_deadline_ns == 0 || deadline_ns < earliest_deadline_ns)) {
            earliest_deadline_ns = deadline_ns;
        }
    }
};

Interest build_interest(Server& server, Clients& clients) {
    Interest interest;
    interest.watch(stop_fd(), interest.readable);
    interest.watch(server.listen_fd, interest.readable);
    for (auto& [fd, client] : clients) {
        if (client->wants_read()) interest.watch(fd, interest.readable);
        if (client->wants_write()) interest.watch(fd, interest.writable);
        interest.add_deadline(client->deadline_ns());
        if (client->yielded()) interest.add_deadline(mono_ns());  // has work: do not sleep
    }
    return interest;
}

// Waits until a socket is ready or the earliest deadline is due: the loop's only wait.
int wait_for_events(Server& server, Interest& interest) {
    timeval timeout{};
    timeval* timeout_ptr = nullptr;  // no deadline: wait for a socket only
    if (interest.earliest_deadline_ns != 0) {
        std::uint64_t now = mono_ns();
        std::uint64_t wait_us = interest.earliest_deadline_ns > now
                                    ? (interest.earliest_deadline_ns - now + 999) / 1000
                                    : 0;
        timeout.tv_sec = static_cast<time_t>(wait_us / 1'000'000);
        timeout.tv_usec = static_cast<suseconds_t>(wait_us % 1'000'000);
        timeout_ptr = &timeout;
    }
    BlockingTimer timer(*server.stats, Blocking::Wait);
    return select(interest.max_fd + 1, &interest.readable, &interest.writable, nullptr,
                  timeout_ptr);
}

void accept_clients(Server& server, Clients& clients, DrainBudget& drains) {
    for (int i = 0; i < kMaxAcceptsPerTurn; ++i) {
        int fd = accept_client(server.listen_fd, *server.stats);
        if (fd < 0) return;  // none pending
        if (fd >= FD_SETSIZE) {
            // select() cannot watch this descriptor: FD_SET on it would write past the set.
            add(server.stats->connections_rejected, 1);
            count_error(server, false);
            send_and_shutdown(fd, "ERR 503 descriptor over FD_SETSIZE\n", *server.stats);
            read_once_and_close(fd);
            continue;
        }
        bool full = load(server.stats->connections_active) >= server.settings.max_clients;
        auto client = std::make_unique<EventConnection>(fd, server, drains, /*refuse=*/full);
        if (!client->finished()) clients.emplace(fd, std::move(client));
    }
}

}  // namespace

std::uint64_t select_max_clients() {
    // Room in an fd_set after the loop's own descriptors: 0-2, the listening socket, the stop
    // and child pipes, the EMFILE reserve, and a margin for the stats file and libraries.
    return FD_SETSIZE - 16;
}

void serve_select(Server& server) {
    trace::name_thread("event loop");
    Clients clients;
    DrainBudget drains;
    while (true) {
        Interest interest = build_interest(server, clients);
        int ready = wait_for_events(server, interest);
        if (ready < 0 && errno != EINTR) {
            std::perror("lab-server: select");
            break;
        }
        if (ready > 0 && FD_ISSET(stop_fd(), &interest.readable)) break;  // SIGTERM or SIGINT

        // Dispatch: serve each socket that select() found ready.
        if (ready > 0 && FD_ISSET(server.listen_fd, &interest.readable)) {
            accept_clients(server, clients, drains);
        }
        for (auto& [fd, client] : clients) {
            if (ready <= 0 || fd > interest.max_fd) break;  // new clients were not in this turn
            if (FD_ISSET(fd, &interest.readable)) client->on_readable();
            if (FD_ISSET(fd, &interest.writable) && !client->finished()) client->on_writable();
        }

        // Give another turn to clients that yielded with requests still buffered.
        for (auto& [fd, client] : clients) {
            if (client->yielded()) client->resume();
        }

        // Run due timers: simulated I/O that has ended, idle clients, drains that are over.
        std::uint64_t now = mono_ns();
        for (auto& [fd, client] : clients)
            client->on_deadline(now);

        std::erase_if(clients, [](const auto& entry) { return entry.second->finished(); });
    }
    clients.clear();  // closes every connection
}

}  // namespace lab
