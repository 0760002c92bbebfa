// One event loop per core (epoll --loops N), as nginx's workers, memcached's threads and
// Envoy run: N loops, each a thread with its own epoll instance, connections, timers, drains
// and database pool, sharing only the counter block (and in it the INCR table, whose lock
// they take again) and the board of WAITs (event_waiters.hpp). A connection stays on the
// loop that took it in, all its life. Two ways to share the clients out (--accept):
//   - reuseport (the default): each loop accepts from a listening socket of its own, all bound
//     to the port with SO_REUSEPORT, and the kernel puts each new connection in one of their
//     accept queues by a hash of its addresses and ports. Nothing is handed between threads,
//     and the share is even on average; but a loop that is busy (one client's CPU-heavy
//     request) leaves the connections in its own queue waiting, and no other loop can take
//     them: they wait out the stall, however idle the others are.
//   - dispatch: one thread (the main thread) accepts every client and hands them to the
//     loops in turn, through each loop's inbox (loop_inbox.hpp). Accepting never stalls, but
//     it knows nothing of how busy a loop is: the clients it hands a stalled loop wait in that
//     loop's inbox just the same.
// Either way a stalled loop's own clients wait; what differs is where new ones wait.
// With one loop (the default) none of this exists: the loop runs in the main thread and
// accepts from the server's socket itself, as select and poll do.
#pragma once

#include <cstddef>
#include <functional>

#include "service.hpp"

namespace lab {

class LoopInbox;
class CrossLoopWaiters;

// What one loop is given.
struct LoopSetup {
    std::size_t index = 0;  // 0 to N-1: its slot in the counter block, its name in a trace
    // The socket it accepts its clients from; -1 when they are handed to it (dispatch).
    int listen_fd = -1;
    // With several loops: what other threads hand it (clients, POSTs for its waiters), which it
    // watches beside its sockets, and the board of every loop's waiters. Null with one loop.
    LoopInbox* inbox = nullptr;
    CrossLoopWaiters* waiters = nullptr;
};

// A model's loop: serves until the stop latch is set, then closes its connections and returns.
using LoopFunction = std::function<void(Server&, const LoopSetup&)>;

// Runs server.settings.loops loops of `loop` as described above, and returns once every one
// has ended (after the stop latch is set; a loop that ends for an error sets it, so that the
// others end too). Called by the model's serve function in the main thread.
void run_loops(Server& server, const LoopFunction& loop);

// --loops 0: one loop per core this process may run on (its CPU affinity), at most kMaxLoops
// (the counter block's loop slots, counters.hpp).
std::size_t loops_per_core();

}  // namespace lab
