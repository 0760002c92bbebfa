// What the connections of one event loop share besides the loop itself: the budget of
// draining connections, the clients parked in WAIT, the database pool for QUERY, and the list
// of connections that something other than their own socket changed this turn (a POST woke
// them, their query's answer came): the loop gives each of those a turn, as it does a
// connection that yielded. Not thread-safe: belongs to the loop's one thread.
#pragma once

#include <vector>

#include "async_backend.hpp"
#include "drain.hpp"
#include "event_waiters.hpp"
#include "service.hpp"

namespace lab {

struct LoopContext {
    explicit LoopContext(Server& server) : backend(server) {}
    DrainBudget drains;
    EventWaiters waiters;
    AsyncBackend backend;
    std::vector<int> touched;  // by descriptor: connections woken from outside this turn
};

}  // namespace lab
