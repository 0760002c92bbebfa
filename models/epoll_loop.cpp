// Epoll loop: the poll loop, with the watched sockets kept in the kernel between turns. Each
// socket is registered once and changed only when what it waits for changes; epoll_wait()
// returns only the ready ones, and deadlines wait in a queue in time order, so a turn costs
// time in proportion to the ready and due connections, not to all of them.
// The database connections' sockets (QUERY: shared/async_backend.hpp) are in the same epoll
// set, registered when the pool's interest in them changes (sync_backend_watches,
// shared/event_loop.hpp).
//
// Level-triggered, like select() and poll(): epoll reports a socket for as long as it is
// readable or writable. A connection stops early by design (it reads one buffer per turn and
// yields after kRequestsPerTurn requests, and it stops reading while its output is full), so
// a socket must be reported again while bytes wait in it. Edge-triggered epoll reports only a
// change, so every connection would have to read until EAGAIN or keep its own "may still be
// readable" list; level-triggered keeps EventConnection exactly as select and poll use it.
//
// --loops N runs N of these loops, one thread each, and shares the clients out between them
// (shared/loop_group.hpp): by the kernel, each loop with a listening socket of its own
// (SO_REUSEPORT), or by an accepting thread that hands each loop its clients in turn. One loop
// of several watches one more descriptor, its inbox: clients handed to it, and the values of
// POSTs made on other loops for its waiters. With one loop (the default) there is no inbox.
#include <sys/epoll.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstdio>
#include <memory>
#include <set>
#include <span>
#include <unordered_map>
#include <utility>
#include <vector>

#include "blocking.hpp"
#include "clock.hpp"
#include "event_loop.hpp"
#include "event_waiters.hpp"
#include "loop_group.hpp"
#include "loop_inbox.hpp"
#include "models.hpp"
#include "signals.hpp"
#include "trace.hpp"

namespace lab {
namespace {

// One connection and what the loop keeps about it.
struct Slot {
    std::unique_ptr<EventConnection> client;  // null: no connection on this descriptor
    std::uint32_t registered = 0;  // the events epoll watches for it (0: not in the epoll set)
    std::uint64_t alarm_ns = 0;    // when the loop looks at its deadline next (0: never)
    bool in_yielded = false;       // on the loop's list of clients to resume
};

struct Loop {
    Loop(Server& s, const LoopSetup& setup)
        : server(s), inbox(setup.inbox), context(s, setup.index) {
        context.listen_fd = setup.listen_fd;
        if (setup.waiters != nullptr) context.waiters.share(*setup.waiters, setup.index);
    }
    Slot& slot(int fd) { return slots[static_cast<std::size_t>(fd)]; }

    Server& server;
    LoopInbox* inbox;  // with several loops: clients and POSTs handed over (null: one loop)
    int epoll_fd = -1;
    LoopContext context;  // drains, WAITs, the database pool (before slots: it outlives them)
    // The pool's sockets in the epoll set, and what each is watched for.
    std::unordered_map<int, std::uint32_t> backend_registered;
    // By descriptor: the kernel hands out the lowest free number, so this is only as long as
    // the most descriptors open at once.
    std::vector<Slot> slots;
    std::set<std::pair<std::uint64_t, int>> alarms;  // (when, descriptor), earliest first
    std::vector<int> yielded;                        // to be resumed next turn, unasked
    std::vector<int> finished;                       // ended this turn: forgotten at its end
    std::array<epoll_event, kMaxEventsPerTurn> events;
};

std::uint32_t wanted_events(EventConnection& client) {
    return (client.wants_read() ? EPOLLIN : 0u) | (client.wants_write() ? EPOLLOUT : 0u);
}

// Forgets a connection: its alarm, then the connection itself, which closes the socket (and
// closing removes it from the epoll set).
void forget(Loop& loop, int fd) {
    Slot& slot = loop.slot(fd);
    if (slot.alarm_ns != 0) loop.alarms.erase({slot.alarm_ns, fd});
    slot = Slot{};
}

// Tells epoll what to watch for on fd, if that changed: one system call, only then.
bool set_registration(Loop& loop, int fd, std::uint32_t events) {
    Slot& slot = loop.slot(fd);
    if (events == slot.registered) return true;
    // A socket that waits for nothing leaves the set: epoll reports a hang-up or an error
    // even to a registration that asks for no events, and would report it every turn.
    int op = slot.registered == 0 ? EPOLL_CTL_ADD : events == 0 ? EPOLL_CTL_DEL : EPOLL_CTL_MOD;
    epoll_event event{};
    event.events = events;
    event.data.fd = fd;
    if (epoll_ctl(loop.epoll_fd, op, fd, &event) != 0) return false;
    slot.registered = events;
    return true;
}

// An alarm is never later than its connection's deadline, but may be earlier: every request
// moves the idle deadline later, and moving the alarm each time would cost a queue operation
// per request. An alarm that comes early finds nothing due and is set again (settle).
void set_alarm(Loop& loop, int fd) {
    Slot& slot = loop.slot(fd);
    std::uint64_t deadline = slot.client->deadline_ns();
    if (deadline == 0 || (slot.alarm_ns != 0 && slot.alarm_ns <= deadline)) return;
    if (slot.alarm_ns != 0) loop.alarms.erase({slot.alarm_ns, fd});
    loop.alarms.emplace(deadline, fd);
    slot.alarm_ns = deadline;
}

// After the loop called a connection: brings its registration, its alarm and the loop's lists
// up to date with what it wants now. The registration is widened at once (a connection that
// wants to write must hear of room) but narrowed only when `narrow`, i.e. when epoll reported
// something the connection no longer wanted: a connection parked for simulated I/O usually
// hears nothing before it wants to read again, so parking costs no system call.
void settle(Loop& loop, int fd, bool narrow) {
    Slot& slot = loop.slot(fd);
    if (slot.client->finished()) {
        loop.finished.push_back(fd);  // its socket is closed, and so out of the epoll set
        return;
    }
    std::uint32_t wanted = wanted_events(*slot.client);
    if (!set_registration(loop, fd, narrow ? wanted : slot.registered | wanted)) {
        // ENOMEM, or ENOSPC past fs.epoll.max_user_watches: this client cannot be watched,
        // so it is closed; the others go on.
        std::perror("lab-server: epoll_ctl");
        forget(loop, fd);
        return;
    }
    if (slot.client->yielded() && !slot.in_yielded) {
        slot.in_yielded = true;
        loop.yielded.push_back(fd);
    }
    set_alarm(loop, fd);
}

// Waits until a socket is ready, the earliest alarm is due, or (without waiting) a client
// yielded: the loop's only wait. epoll_pwait2() is epoll_wait() with a timeout in
// nanoseconds instead of milliseconds.
int wait_for_events(Loop& loop) {
    timespec timeout{};
    timespec* timeout_ptr = nullptr;  // no alarm: wait for a socket only
    std::uint64_t earliest = loop.context.backend.deadline_ns();
    if (!loop.alarms.empty() && (earliest == 0 || loop.alarms.begin()->first < earliest)) {
        earliest = loop.alarms.begin()->first;
    }
    if (!loop.yielded.empty()) {
        timeout_ptr = &timeout;  // zero: look, do not wait
    } else if (earliest != 0) {
        timeout = time_until(earliest);
        timeout_ptr = &timeout;
    }
    BlockingTimer timer(*loop.server.stats, Blocking::Wait);
    return epoll_pwait2(loop.epoll_fd, loop.events.data(), kMaxEventsPerTurn, timeout_ptr, nullptr);
}

// Serves one client socket that epoll found ready. A hang-up or an error counts as readable
// and writable, as select() has it: the next recv() or send() finds out which it was.
void serve_ready(Loop& loop, const epoll_event& event) {
    int fd = event.data.fd;
    // A socket of the database pool that closed earlier in this turn has no client.
    if (static_cast<std::size_t>(fd) >= loop.slots.size() || loop.slot(fd).client == nullptr)
        return;
    EventConnection& client = *loop.slot(fd).client;
    std::uint32_t wanted = wanted_events(client);
    constexpr std::uint32_t kEnded = EPOLLHUP | EPOLLERR;
    if ((wanted & EPOLLIN) && (event.events & (EPOLLIN | kEnded))) client.on_readable();
    if ((wanted & EPOLLOUT) && (event.events & (EPOLLOUT | kEnded)) && !client.finished()) {
        client.on_writable();
    }
    settle(loop, fd, (event.events & (EPOLLIN | EPOLLOUT) & ~wanted) != 0 || wanted == 0);
}

// Gives every client on the loop's list of those that yielded with requests still buffered
// another turn: only those, not a pass over every connection (select's and poll's
// resume_yielded_by_scan).
void resume_yielded_from_list(Loop& loop) {
    std::vector<int> now;
    now.swap(loop.yielded);  // those that yield again go on the list for the next turn
    for (int fd : now) {
        Slot& slot = loop.slot(fd);
        slot.in_yielded = false;
        if (slot.client == nullptr || !slot.client->yielded()) continue;  // ended meanwhile
        slot.client->resume();
        settle(loop, fd, false);
    }
}

// Runs the connections whose alarm is due: only those, however many connections there are.
void run_due_alarms(Loop& loop) {
    std::uint64_t now = mono_ns();
    std::vector<int> due;
    while (!loop.alarms.empty() && loop.alarms.begin()->first <= now) {
        int fd = loop.alarms.begin()->second;
        loop.alarms.erase(loop.alarms.begin());
        loop.slot(fd).alarm_ns = 0;
        due.push_back(fd);
    }
    for (int fd : due) {
        loop.slot(fd).client->on_deadline(now);  // nothing yet if the deadline moved later
        settle(loop, fd, false);
    }
}

// The pool's part of the turn: its deadline if due, then a turn for each connection that its
// answers or a POST woke (they yielded: settle puts them on the list of those to resume).
void run_backend(Loop& loop) {
    std::uint64_t due = loop.context.backend.deadline_ns();
    if (due != 0 && due <= mono_ns()) loop.context.backend.on_deadline(mono_ns());
    std::vector<int> touched;
    touched.swap(loop.context.touched);
    for (int fd : touched) {
        if (static_cast<std::size_t>(fd) < loop.slots.size() && loop.slot(fd).client != nullptr) {
            settle(loop, fd, false);
        }
    }
}

void forget_finished(Loop& loop) {
    for (int fd : loop.finished) {
        if (loop.slot(fd).client != nullptr) forget(loop, fd);
    }
    loop.finished.clear();
}

// Registers new clients with epoll. Called at the end of a turn, after the finished
// connections are forgotten: a new client may get the descriptor number of one that ended
// this turn.
void take_new_clients(Loop& loop, std::vector<std::unique_ptr<EventConnection>> clients) {
    for (auto& client : clients) {
        int fd = client->fd();
        std::size_t index = static_cast<std::size_t>(fd);
        if (index >= loop.slots.size()) loop.slots.resize(index + 1);
        loop.slot(fd).client = std::move(client);
        settle(loop, fd, false);
    }
}

// One loop of several: what other threads handed it. The values of POSTs made on other loops
// resume their waiters now (each asks for a turn: run_backend settles it); the clients are
// taken in at the end of the turn, with those the loop accepted itself.
std::vector<int> open_inbox(Loop& loop) {
    LoopInbox::Mail mail = loop.inbox->take();
    for (const auto& [waiter, value] : mail.posts)
        loop.context.waiters.deliver(waiter, value);
    return mail.clients;
}

// One loop, in the thread that runs it: until the stop latch is set.
void run_loop(Server& server, const LoopSetup& setup) {
    Loop loop(server, setup);
    // A pool socket about to close leaves the epoll set by itself; only the books change.
    loop.context.backend.on_close = [&loop](int fd) { loop.backend_registered.erase(fd); };
    loop.epoll_fd = epoll_create1(EPOLL_CLOEXEC);
    if (loop.epoll_fd < 0) {
        std::perror("lab-server: epoll_create1");
        return;
    }
    for (int fd : {stop_fd(), setup.listen_fd, loop.inbox ? loop.inbox->fd() : -1}) {
        if (fd < 0) continue;  // no socket of its own (dispatch), or no inbox (one loop)
        epoll_event event{};
        event.events = EPOLLIN;
        event.data.fd = fd;
        if (epoll_ctl(loop.epoll_fd, EPOLL_CTL_ADD, fd, &event) != 0) {
            std::perror("lab-server: epoll_ctl");
            close(loop.epoll_fd);
            return;
        }
    }
    while (true) {
        sync_backend_watches(loop.epoll_fd, loop.context.backend, loop.backend_registered);
        int ready = wait_for_events(loop);
        if (ready < 0 && errno != EINTR) {
            std::perror("lab-server: epoll_pwait2");
            break;
        }

        // Dispatch: serve each socket that epoll found ready, and only those.
        bool stopping = false;
        bool clients_waiting = false;
        bool mail = false;
        std::span<const epoll_event> fired(loop.events.data(),
                                           static_cast<std::size_t>(ready > 0 ? ready : 0));
        for (const epoll_event& event : fired) {
            if (event.data.fd == stop_fd()) {
                stopping = true;  // SIGTERM or SIGINT
            } else if (event.data.fd == setup.listen_fd) {
                clients_waiting = true;  // accepted at the end of the turn
            } else if (loop.inbox != nullptr && event.data.fd == loop.inbox->fd()) {
                mail = true;  // opened below, unless stopping: then the inbox closes it
            } else if (loop.backend_registered.count(event.data.fd) != 0) {
                constexpr std::uint32_t kEnded = EPOLLHUP | EPOLLERR;
                loop.context.backend.on_ready(event.data.fd,
                                              (event.events & (EPOLLIN | kEnded)) != 0,
                                              (event.events & (EPOLLOUT | kEnded)) != 0);
            } else {
                serve_ready(loop, event);
            }
        }
        if (stopping) break;
        std::vector<int> handed = mail ? open_inbox(loop) : std::vector<int>{};

        // Give another turn to clients that yielded with requests still buffered.
        resume_yielded_from_list(loop);
        // Run due timers: simulated I/O that has ended, idle clients, drains that are over.
        run_due_alarms(loop);
        run_backend(loop);
        forget_finished(loop);
        if (clients_waiting) take_new_clients(loop, accept_clients(server, loop.context));
        if (!handed.empty()) take_new_clients(loop, adopt_clients(handed, server, loop.context));
    }
    loop.slots.clear();  // closes every connection
    close(loop.epoll_fd);
}

}  // namespace

void serve_epoll(Server& server) {
    run_loops(server, run_loop);  // one loop in this thread, or --loops N (loop_group.hpp)
}

}  // namespace lab
