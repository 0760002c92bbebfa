// Several event loops in one server. See loop_group.hpp.
#include "loop_group.hpp"

#include <sched.h>

#include <algorithm>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "acceptor.hpp"
#include "event_waiters.hpp"
#include "loop_inbox.hpp"
#include "signals.hpp"
#include "thread_group.hpp"
#include "trace.hpp"

namespace lab {
namespace {

// --accept dispatch: the main thread's loop (memcached's). Waits for the next client
// (blocking_ns.accept), admits it under --max-clients or refuses it (the Acceptor drains the
// refusal), and hands each one admitted to the next loop in turn, whatever that loop is doing.
void dispatch_clients(Server& server, std::vector<std::unique_ptr<LoopInbox>>& inboxes) {
    Acceptor acceptor(server);
    std::size_t next = 0;
    while (true) {
        int client = acceptor.next_client();
        if (client < 0) break;  // the server is stopping
        if (!add_below(server.stats->connections_active, server.settings.max_clients)) {
            acceptor.refuse(client);  // ERR 503
            continue;
        }
        add(server.stats->loops[next].connections_handed, 1);
        inboxes[next]->hand_client(client);  // the loop takes it at its next turn
        next = (next + 1) % inboxes.size();
    }
}

}  // namespace

std::size_t loops_per_core() {
    cpu_set_t allowed;
    CPU_ZERO(&allowed);
    int cores = 1;
    if (sched_getaffinity(0, sizeof allowed, &allowed) == 0)
        cores = std::max(1, CPU_COUNT(&allowed));
    return std::min<std::size_t>(static_cast<std::size_t>(cores), kMaxLoops);
}

void run_loops(Server& server, const LoopFunction& loop) {
    const std::size_t count = server.settings.loops;
    if (count <= 1) {
        trace::name_thread("event loop");
        loop(server, LoopSetup{.index = 0, .listen_fd = server.listen_fd});
        return;
    }
    const bool dispatch = server.settings.accept == LoopAccept::Dispatch;
    std::vector<std::unique_ptr<LoopInbox>> inboxes;
    std::vector<LoopInbox*> by_loop;
    for (std::size_t i = 0; i < count; ++i) {
        inboxes.push_back(std::make_unique<LoopInbox>(*server.stats));
        if (!inboxes.back()->valid()) {
            std::perror("lab-server: eventfd");
            return;
        }
        by_loop.push_back(inboxes.back().get());
    }
    CrossLoopWaiters waiters(by_loop);
    std::vector<LoopSetup> setups;
    for (std::size_t i = 0; i < count; ++i) {
        int listen_fd = dispatch ? -1 : server.loop_listen_fds[i];
        setups.push_back(
            {.index = i, .listen_fd = listen_fd, .inbox = by_loop[i], .waiters = &waiters});
    }
    // A loop that ends sets the stop latch: at a stop that changes nothing, and after an error
    // (no epoll instance) it ends the others rather than leave the server short of a loop.
    auto run = [&server, &loop](const LoopSetup& setup) {
        loop(server, setup);
        request_stop();
    };
    {
        ThreadGroup threads(*server.stats);  // joined before the inboxes and the board go
        // reuseport: loop 0 runs in this thread; dispatch: this thread accepts for them all.
        for (std::size_t i = dispatch ? 0 : 1; i < count; ++i) {
            if (!threads.start([&run, &setups, i] { run(setups[i]); },
                               "event loop " + std::to_string(i))) {
                std::fprintf(stderr, "lab-server: cannot start event loop %zu\n", i);
                request_stop();
            }
        }
        if (dispatch) {
            dispatch_clients(server, inboxes);
        } else {
            trace::name_thread("event loop 0");
            run(setups[0]);
        }
        threads.join_all();
    }
}

}  // namespace lab
