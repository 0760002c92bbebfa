// What the event loop models (select, poll, epoll, libevent, uring) do besides waiting, the way
// Redis keeps each backend in one small file (ae_select.c, ae_epoll.c) behind the code they share
// (ae.c). Each model file keeps its own short loop over its own mechanism and calls these:
//   - accept_clients (the readiness loops; uring's clients come accepted from the kernel):
//     taking new clients in, refusing those over --max-clients (and, for a loop on select(),
//     those past FD_SETSIZE: fits_in_fd_set); adopt_clients: taking in those an accepting thread
//     hands over (epoll --loops N);
//   - time_until (poll, epoll, libevent, uring): a deadline as the timeout of ppoll(),
//     epoll_pwait2(), event_add() or io_uring's wait;
//   - the LoopContext (loop_context.hpp) its connections share: the drains, the WAITs, and the
//     database pool, whose sockets each loop watches beside its clients' (QUERY); the loops
//     that wait in epoll (epoll, and the coroutines model's shared/coro_loop.hpp) keep them in
//     their epoll set with sync_backend_watches, and take kMaxEventsPerTurn a turn;
//   - the loops that look at every connection each turn (select, poll): EventClients, Wakeup,
//     resume_yielded_by_scan, run_due_deadlines and erase_finished, each a pass over all
//     connections. epoll keeps its own lists instead (models/epoll_loop.cpp), so that a turn
//     looks only at the ready and due ones.
// The connections themselves are EventConnections (event_connection.hpp). Not thread-safe:
// everything here belongs to the loop's one thread.
#pragma once

#include <time.h>

#include <cstdint>
#include <map>
#include <memory>
#include <unordered_map>
#include <vector>

#include "event_connection.hpp"
#include "service.hpp"

namespace lab {

// Clients one turn of a loop accepts at most, so that a flood of connects cannot starve the
// clients already connected; the rest wait in the listen backlog for the next turn.
inline constexpr int kMaxAcceptsPerTurn = 64;

// Ready sockets one epoll_pwait2() returns at most (epoll, coroutines); the rest are reported
// again next turn (level-triggered), so a turn's work stays bounded.
inline constexpr int kMaxEventsPerTurn = 256;

// The connections of a loop that looks at every one of them each turn (select, poll), by
// descriptor. Owns them: erasing one closes its socket.
using EventClients = std::map<int, std::unique_ptr<EventConnection>>;

// Sees each freshly accepted descriptor before it becomes a connection. Returns true to keep
// it; or refuses the client itself (tells it why, closes the descriptor) and returns false.
// For a loop that cannot watch every descriptor (select: none at or above FD_SETSIZE).
using AcceptCheck = bool (*)(int fd, Server& server);

// The AcceptCheck of a loop that waits with select() (the select model; libevent's select
// backend): a descriptor at or above FD_SETSIZE cannot go into an fd_set (FD_SET would write
// past its end, or abort the process where glibc checks it), so such a client is refused
// ("descriptor over FD_SETSIZE") and closed before it becomes a connection; no drain, since a
// drain would have to watch it too.
bool fits_in_fd_set(int fd, Server& server);

// Accepts the clients waiting in the listen backlog of the loop's socket (loop.listen_fd), at
// most kMaxAcceptsPerTurn, and returns them as connections, each admitted one holding its
// place in connections_active (taken here). A client over --max-clients is refused at once
// (ERR 503) and returned all the same: its connection drains (the loop watches it until the
// drain ends). A client whose connection ended at once (refused when the drain budget was used
// up) is not returned.
std::vector<std::unique_ptr<EventConnection>> accept_clients(Server& server, LoopContext& loop,
                                                             AcceptCheck check = nullptr);
// The same, adding the new connections to `clients`.
void accept_clients(Server& server, EventClients& clients, LoopContext& loop,
                    AcceptCheck check = nullptr);
// The clients that an accepting thread handed this loop (epoll --loops N --accept dispatch,
// loop_group.hpp), each holding its place in connections_active already, as connections.
std::vector<std::unique_ptr<EventConnection>> adopt_clients(const std::vector<int>& fds,
                                                            Server& server, LoopContext& loop);

// When a loop that looks at every connection must wake up even if no socket becomes ready.
struct Wakeup {
    std::uint64_t at_ns = 0;  // CLOCK_MONOTONIC; 0: no deadline, wait for a socket only

    // Wakes no later than the client's deadline, and at once if it yielded with requests
    // still buffered (it has work: the loop must not sleep).
    void consider(const EventConnection& client);
    void no_later_than(std::uint64_t deadline_ns);
};

// How long a loop may wait before `deadline_ns` (CLOCK_MONOTONIC, non-zero), rounded up so
// that a timer never runs early; zero once it has passed. For ppoll() and epoll_pwait2(),
// which take nanoseconds (poll() and epoll_wait() take milliseconds: every timer would run up
// to a millisecond late).
timespec time_until(std::uint64_t deadline_ns);

// Looks at every client and gives each one that yielded (kRequestsPerTurn) with requests
// still buffered its next turn without waiting for its socket. (epoll resumes only the
// clients on its own list of those that yielded: resume_yielded_from_list.)
void resume_yielded_by_scan(EventClients& clients);

// Runs every deadline that is due at now_ns: simulated I/O that has ended, idle clients,
// stalled readers, drains that are over.
void run_due_deadlines(EventClients& clients, std::uint64_t now_ns);

// Closes and forgets the connections that finished during this turn.
void erase_finished(EventClients& clients);

// Brings the epoll set `epoll_fd` up to date with the database pool's sockets (QUERY): a few
// at most, and a system call only for one whose interest changed. `registered` is what the set
// watches of the pool's sockets (descriptor: EPOLLIN and EPOLLOUT), kept here; a socket that
// cannot be added or changed is left as it was (one line on stderr) and tried again next call.
void sync_backend_watches(int epoll_fd, AsyncBackend& backend,
                          std::unordered_map<int, std::uint32_t>& registered);

// The database pool's part of a turn in a loop that rebuilds its interest every turn (select,
// poll): runs the pool's deadline if it is due, and forgets the list of connections woken from
// outside (resume_yielded_by_scan gives them their turn: they yielded).
void run_backend_deadline(LoopContext& loop, std::uint64_t now_ns);

}  // namespace lab
