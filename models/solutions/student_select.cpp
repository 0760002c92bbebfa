// REFERENCE SOLUTION of the assignment "Write your own model" (README): the instructors' answer
// to models/student_select.cpp. It is compiled into build/*/bin/lab-server-solution (never into
// lab-server), and CI grades it at full marks (tests/grade.cmake). A handout leaves this
// directory out: `rm -r models/solutions` is all it takes, and the build then makes neither the
// solution's server nor its grading tests.
//
// The model `student`: one thread serves every client with a select() loop; no threads, no
// locks. A turn: plan (which sockets for what, and until when), wait, dispatch, run the
// timers. The database pool's sockets (QUERY) ride in the same sets as the clients'.
#include <sys/select.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>

#include "blocking.hpp"
#include "clock.hpp"
#include "drain.hpp"
#include "event_loop.hpp"
#include "models.hpp"
#include "refusal.hpp"
#include "signals.hpp"
#include "trace.hpp"

namespace lab {
namespace {

// What one turn waits for. select() overwrites the sets it is given, so each turn plans anew.
struct Turn {
    fd_set reading;
    fd_set writing;
    int top = -1;  // the highest descriptor in either set
    Wakeup wakeup;
    std::vector<AsyncBackend::Watch> pool;  // the database pool's sockets this turn

    Turn() {
        FD_ZERO(&reading);
        FD_ZERO(&writing);
    }
    void add(int fd, fd_set& set) {
        FD_SET(fd, &set);  // fd < FD_SETSIZE: refuse_past_fd_setsize keeps no larger one
        top = std::max(top, fd);
    }
    bool ready(int fd, const fd_set& set) const { return fd <= top && FD_ISSET(fd, &set); }
};

Turn plan_turn(Server& server, EventClients& clients, LoopContext& loop) {
    Turn turn;
    turn.add(stop_fd(), turn.reading);
    turn.add(server.listen_fd, turn.reading);
    for (auto& [fd, client] : clients) {
        if (client->wants_read()) turn.add(fd, turn.reading);
        if (client->wants_write()) turn.add(fd, turn.writing);
        turn.wakeup.consider(*client);
    }
    turn.pool = loop.backend.watches();
    for (const AsyncBackend::Watch& socket : turn.pool) {
        if (socket.read) turn.add(socket.fd, turn.reading);
        if (socket.write) turn.add(socket.fd, turn.writing);
    }
    turn.wakeup.no_later_than(loop.backend.deadline_ns());
    return turn;
}

// select() until a planned socket is ready or the earliest deadline comes. Its timeout is in
// microseconds: rounded up, so that a timer never fires before its time.
int wait_turn(Server& server, Turn& turn) {
    timeval timeout{};
    timeval* until = nullptr;  // no deadline: only a socket ends the wait
    if (turn.wakeup.at_ns != 0) {
        std::uint64_t now_ns = mono_ns();
        std::uint64_t left_us =
            turn.wakeup.at_ns > now_ns ? (turn.wakeup.at_ns - now_ns + 999) / 1000 : 0;
        timeout.tv_sec = static_cast<time_t>(left_us / 1'000'000);
        timeout.tv_usec = static_cast<suseconds_t>(left_us % 1'000'000);
        until = &timeout;
    }
    BlockingTimer waiting(*server.stats, Blocking::Wait);
    return select(turn.top + 1, &turn.reading, &turn.writing, nullptr, until);
}

// accept_clients' check: a descriptor at or past FD_SETSIZE has no bit in an fd_set, so its
// client is told why and closed before it becomes a connection (no drain: that would need the
// very select() that cannot watch it).
bool refuse_past_fd_setsize(int fd, Server& server) {
    if (fd < FD_SETSIZE) return true;
    send_refusal(fd, Refusal::OverFdSetSize, *server.stats);
    read_once_and_close(fd);
    return false;
}

// Calls back everyone whose socket select() marked in this turn.
void dispatch(Server& server, EventClients& clients, LoopContext& loop, const Turn& turn) {
    if (turn.ready(server.listen_fd, turn.reading)) {
        accept_clients(server, clients, loop, refuse_past_fd_setsize);
    }
    for (const AsyncBackend::Watch& socket : turn.pool) {
        bool readable = socket.read && turn.ready(socket.fd, turn.reading);
        bool writable = socket.write && turn.ready(socket.fd, turn.writing);
        if (readable || writable) loop.backend.on_ready(socket.fd, readable, writable);
    }
    for (auto& [fd, client] : clients) {
        if (fd > turn.top) break;  // accepted just now (the map is in descriptor order)
        if (turn.ready(fd, turn.reading)) client->on_readable();
        if (turn.ready(fd, turn.writing) && !client->finished()) client->on_writable();
    }
}

}  // namespace

std::uint64_t student_max_clients() {
    // What FD_SETSIZE leaves after the loop's own descriptors (0-2, the listening socket, the
    // stop and child pipes, accept_client's reserve, the stats file, libraries).
    return FD_SETSIZE - 16;
}

void serve_student(Server& server) {
    trace::name_thread("event loop");
    LoopContext loop(server);
    loop.backend.max_fd = FD_SETSIZE - 1;  // a pool socket select() cannot watch is not kept
    EventClients clients;
    while (true) {
        Turn turn = plan_turn(server, clients, loop);
        int ready = wait_turn(server, turn);
        if (ready < 0 && errno != EINTR) {
            std::perror("lab-server: select");
            break;
        }
        if (ready < 0) {  // EINTR: the sets say nothing; plan again
            FD_ZERO(&turn.reading);
            FD_ZERO(&turn.writing);
        }
        if (turn.ready(stop_fd(), turn.reading)) break;  // SIGTERM or SIGINT
        dispatch(server, clients, loop, turn);
        resume_yielded_by_scan(clients);        // those that stopped at kRequestsPerTurn
        run_due_deadlines(clients, mono_ns());  // simulated I/O over, idle clients, drains
        run_backend_deadline(loop, mono_ns());
        erase_finished(clients);
    }
    clients.clear();  // closes every connection
}

}  // namespace lab
