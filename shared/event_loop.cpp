// The parts every event loop shares. See event_loop.hpp.
#include "event_loop.hpp"

#include <sys/epoll.h>
#include <sys/select.h>

#include <algorithm>
#include <cstdio>

#include "accept_client.hpp"
#include "clock.hpp"
#include "drain.hpp"
#include "refusal.hpp"

namespace lab {

bool fits_in_fd_set(int fd, Server& server) {
    if (fd < FD_SETSIZE) return true;
    send_refusal(fd, Refusal::OverFdSetSize, *server.stats);
    read_once_and_close(fd);
    return false;
}

std::vector<std::unique_ptr<EventConnection>> accept_clients(Server& server, LoopContext& loop,
                                                             AcceptCheck check) {
    std::vector<std::unique_ptr<EventConnection>> accepted;
    for (int i = 0; i < kMaxAcceptsPerTurn; ++i) {
        int fd = accept_client(loop.listen_fd, *server.stats);
        if (fd < 0) break;  // none pending (or one that failed harmlessly: see accept_client)
        if (check != nullptr && !check(fd, server)) continue;
        // A place taken by compare-and-swap: loops that accept at once never pass the limit.
        bool admitted = add_below(server.stats->connections_active, server.settings.max_clients);
        auto client = std::make_unique<EventConnection>(fd, server, loop, /*refuse=*/!admitted);
        if (!client->finished()) accepted.push_back(std::move(client));
    }
    return accepted;
}

void sync_backend_watches(int epoll_fd, AsyncBackend& backend,
                          std::unordered_map<int, std::uint32_t>& registered) {
    const auto& watches = backend.watches();
    for (auto it = registered.begin(); it != registered.end();) {
        bool kept = std::any_of(watches.begin(), watches.end(),
                                [&](const AsyncBackend::Watch& w) { return w.fd == it->first; });
        if (kept) {
            ++it;
            continue;
        }
        epoll_ctl(epoll_fd, EPOLL_CTL_DEL, it->first, nullptr);
        it = registered.erase(it);
    }
    for (const AsyncBackend::Watch& w : watches) {
        std::uint32_t events = (w.read ? EPOLLIN : 0u) | (w.write ? EPOLLOUT : 0u);
        auto found = registered.find(w.fd);
        if (found != registered.end() && found->second == events) continue;
        epoll_event event{};
        event.events = events;
        event.data.fd = w.fd;
        int op = found == registered.end() ? EPOLL_CTL_ADD : EPOLL_CTL_MOD;
        if (epoll_ctl(epoll_fd, op, w.fd, &event) != 0) {
            std::perror("lab-server: epoll_ctl (database)");
            continue;
        }
        registered[w.fd] = events;
    }
}

std::vector<std::unique_ptr<EventConnection>> adopt_clients(const std::vector<int>& fds,
                                                            Server& server, LoopContext& loop) {
    std::vector<std::unique_ptr<EventConnection>> adopted;
    for (int fd : fds) {
        auto client = std::make_unique<EventConnection>(fd, server, loop);
        if (!client->finished()) adopted.push_back(std::move(client));
    }
    return adopted;
}

void accept_clients(Server& server, EventClients& clients, LoopContext& loop, AcceptCheck check) {
    for (auto& client : accept_clients(server, loop, check)) {
        int fd = client->fd();
        clients.emplace(fd, std::move(client));
    }
}

void Wakeup::consider(const EventConnection& client) {
    no_later_than(client.deadline_ns());
    if (client.yielded()) no_later_than(mono_ns());
}

void Wakeup::no_later_than(std::uint64_t deadline_ns) {
    if (deadline_ns != 0 && (at_ns == 0 || deadline_ns < at_ns)) at_ns = deadline_ns;
}

timespec time_until(std::uint64_t deadline_ns) {
    std::uint64_t now = mono_ns();
    std::uint64_t wait_ns = deadline_ns > now ? deadline_ns - now : 0;
    timespec ts{};
    ts.tv_sec = static_cast<time_t>(wait_ns / 1'000'000'000);
    ts.tv_nsec = static_cast<long>(wait_ns % 1'000'000'000);
    return ts;
}

void resume_yielded_by_scan(EventClients& clients) {
    for (auto& [fd, client] : clients) {
        if (client->yielded()) client->resume();
    }
}

void run_due_deadlines(EventClients& clients, std::uint64_t now_ns) {
    for (auto& [fd, client] : clients)
        client->on_deadline(now_ns);
}

void run_backend_deadline(LoopContext& loop, std::uint64_t now_ns) {
    std::uint64_t due = loop.backend.deadline_ns();
    if (due != 0 && due <= now_ns) loop.backend.on_deadline(now_ns);
    loop.touched.clear();
}

void erase_finished(EventClients& clients) {
    std::erase_if(clients, [](const auto& entry) { return entry.second->finished(); });
}

}  // namespace lab
