// What the connections of one event loop share besides the loop itself: the budget of
// draining connections, the clients parked in WAIT, the database pool for QUERY, and the list
// of connections that something other than their own socket changed this turn (a POST woke
// them, their query's answer came): the loop gives each of those a turn, as it does a
// connection that yielded; and the loop's own figures in the counter block. With several loops
// (epoll --loops N) each has a LoopContext of its own: its own drains, its own database pool
// (libpq connections are not thread-safe), and its waiters on the board the loops share
// (event_waiters.hpp). Not thread-safe: belongs to the loop's one thread.
#pragma once

#include <cstddef>
#include <vector>

#include "async_backend.hpp"
#include "drain.hpp"
#include "event_waiters.hpp"
#include "service.hpp"

namespace lab {

struct LoopContext {
    // `loop`: the loop's number (0 with one loop), its slot in the counter block.
    explicit LoopContext(Server& server, std::size_t loop = 0)
        : backend(server), counters(server.stats->loops[loop]), listen_fd(server.listen_fd) {}
    DrainBudget drains;
    EventWaiters waiters;
    AsyncBackend backend;
    std::vector<int> touched;  // by descriptor: connections woken from outside this turn
    LoopSlot& counters;        // this loop's connections and requests (STATS' `loops`)
    // The socket the loop accepts its clients from: the server's, or with several loops its
    // own (SO_REUSEPORT); -1 when an accepting thread hands them to it (--accept dispatch).
    int listen_fd;
};

}  // namespace lab
