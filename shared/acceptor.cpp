// The blocking models' accept loop. See acceptor.hpp.
#include "acceptor.hpp"

#include <errno.h>
#include <poll.h>
#include <unistd.h>

#include <algorithm>

#include "accept_client.hpp"
#include "blocking.hpp"
#include "clock.hpp"
#include "refusal.hpp"
#include "signals.hpp"
#include "trace.hpp"

namespace lab {

Acceptor::Acceptor(Server& server, std::function<void()> on_child_event)
    : server_(server), on_child_event_(std::move(on_child_event)) {
    draining_.reserve(kMaxDrains);
    trace::name_thread("main: accept loop");
}

Acceptor::~Acceptor() {
    for (const Drain& d : draining_)
        close(d.fd);
}

int Acceptor::next_client() {
    StatsBlock& stats = *server_.stats;
    while (!stop_requested()) {
        // Keep the main process's figures current for readers that cannot ask it (a forked
        // child answering STATS, a tool outside the server).
        publish_main_rusage(stats);
        // Reap and expire on every pass, not only when poll() runs: under a steady stream of
        // connects accept() always succeeds and poll() is never reached, and exited children
        // would pile up as zombies still counted against --max-clients.
        if (on_child_event_) {
            drain_child_events();
            on_child_event_();
        }
        expire_drains();
        int fd = accept_client(server_.listen_fd, stats);
        if (fd >= 0) return fd;

        // Nothing pending: wait for a client, the stop latch, a child, or a drain to finish.
        std::vector<pollfd> fds = {{server_.listen_fd, POLLIN, 0},
                                   {stop_fd(), POLLIN, 0},
                                   {on_child_event_ ? child_event_fd() : -1, POLLIN, 0}};
        std::uint64_t earliest = 0;
        for (const Drain& d : draining_) {
            fds.push_back({d.fd, POLLIN, 0});
            if (earliest == 0 || d.deadline_ns < earliest) earliest = d.deadline_ns;
        }
        int timeout_ms = -1;
        if (earliest != 0) {
            std::uint64_t now = mono_ns();
            timeout_ms = earliest > now ? static_cast<int>((earliest - now) / 1'000'000 + 1) : 0;
        }
        int n;
        {
            BlockingTimer timer(stats, Blocking::Accept);
            n = poll(fds.data(), fds.size(), timeout_ms);
        }
        if (n < 0 && errno != EINTR) return -1;
        std::vector<short> revents;
        for (std::size_t i = 3; i < fds.size(); ++i)
            revents.push_back(fds[i].revents);
        serve_drains(revents);
    }
    return -1;
}

void Acceptor::close_inherited() {
    for (const Drain& d : draining_)
        close(d.fd);
    draining_.clear();
}

void Acceptor::refuse(int fd) {
    send_refusal(fd, Refusal::MaxClients, *server_.stats);
    if (draining_.size() >= kMaxDrains) {
        read_once_and_close(fd);  // too many drains already
        return;
    }
    draining_.push_back(start_drain(fd));
}

void Acceptor::serve_drains(const std::vector<short>& revents) {
    // revents[i] belongs to draining_[i]: both were built in the same order.
    std::vector<Drain> kept;
    for (std::size_t i = 0; i < draining_.size(); ++i) {
        Drain d = draining_[i];
        bool readable = i < revents.size() && revents[i] != 0;
        if (readable && drain_some(d)) {
            close(d.fd);
        } else {
            kept.push_back(d);
        }
    }
    draining_.swap(kept);
}

void Acceptor::expire_drains() {
    std::uint64_t now = mono_ns();
    std::erase_if(draining_, [now](const Drain& d) {
        if (d.deadline_ns > now) return false;
        close(d.fd);
        return true;
    });
}

}  // namespace lab
