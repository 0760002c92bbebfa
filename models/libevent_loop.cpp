// libevent loop: one thread serves every client, as in the epoll loop, but the loop is a
// library's. The model never waits itself: it registers a callback for each thing it waits for
// (a client's socket readable or writable, a client's timer, the listening socket, the stop
// latch, the database pool's sockets) and hands the thread to libevent's event_base, which
// waits with the mechanism it picked (epoll here; --libevent-backend select|poll|epoll forces
// one) and calls back whatever is ready. This is how most event-driven code is written
// (memcached, tmux and Tor stand on libevent).
//
// The price is the programmer's. The program is cut into handlers, so what a blocking model
// keeps on its thread's stack between two reads (where the client is in its request, the reply
// still owed, the simulated I/O it waits out) lives in a per-connection object that the
// handlers share: here the EventConnection the hand-written loops use too, so that only the
// loop differs between them. And a debugger stopped in a handler shows event_base_loop calling
// on_readable, never the request the client is in: that is in the object, not on the stack.
//
// Each client has three events: readable and writable (EV_PERSIST: they stay until removed)
// and a timer, its alarm, for its one deadline (the end of WORK's simulated I/O, the idle
// timeout, a drain, a WAIT's timeout) or, after it yielded (kRequestsPerTurn), for the next
// turn at once. A connection that finishes is freed in the callback that finished it.
//
// Past FD_SETSIZE with the select backend: libevent's select.c grows its fd sets to the highest
// descriptor it watches, so libevent itself has no FD_SETSIZE wall; but Debian builds it with
// _FORTIFY_SOURCE, whose FD_SET() aborts the process for a descriptor at or above FD_SETSIZE
// ("bit out of range 0 - FD_SETSIZE on fd_set"). With that backend the loop therefore refuses
// such a client (ERR 503 descriptor over FD_SETSIZE) as the select model does, and keeps the
// database pool's sockets below it.
#include <event2/event.h>
#include <sys/select.h>
#include <sys/time.h>

#include <algorithm>
#include <cstdio>
#include <memory>
#include <unordered_map>
#include <utility>
#include <vector>

#include "blocking.hpp"
#include "clock.hpp"
#include "event_loop.hpp"
#include "models.hpp"
#include "signals.hpp"
#include "trace.hpp"

namespace lab {
namespace {

// Frees an event_new() event; libevent removes it from the loop first if it is pending.
struct EventFree {
    void operator()(event* e) const { event_free(e); }
};
using Event = std::unique_ptr<event, EventFree>;

struct Loop;

// loc-begin: callbacks
// One client, the way libevent code keeps it: the state between callbacks (the connection)
// and the events that call it back.
struct Client {
    Client(Loop& l, std::unique_ptr<EventConnection> c) : loop(l), connection(std::move(c)) {}

    Loop& loop;
    // Declared before the events, so destroyed after them: libevent forgets the descriptor
    // before the connection closes it.
    std::unique_ptr<EventConnection> connection;
    Event readable;              // EV_READ | EV_PERSIST
    Event writable;              // EV_WRITE | EV_PERSIST
    Event alarm;                 // a timer
    bool reading = false;        // readable is added
    bool writing = false;        // writable is added
    std::uint64_t alarm_ns = 0;  // when the alarm is set for (0: not set)
};
// loc-end: callbacks

struct Loop {
    explicit Loop(Server& s) : server(s), context(s) {}

    Server& server;
    event_base* base = nullptr;
    LoopContext context;  // drains, WAITs, the database pool (before the clients: it outlives them)
    AcceptCheck accept_check = nullptr;  // select backend: fits_in_fd_set
    bool stopping = false;
    // The readiness wait being timed (wait_begins): when it began (0: none), the CPU clock then.
    std::uint64_t wait_since_ns = 0;
    std::uint64_t wait_since_cpu_ns = 0;
    // The database pool (QUERY): an event per socket it wants watched, made for what it wants
    // (a change of interest is a new event), and a timer for its deadline.
    struct PoolSocket {
        Event event;
        short what = 0;  // EV_READ and/or EV_WRITE
    };
    std::unordered_map<int, PoolSocket> pool_sockets;
    Event pool_alarm;
    std::uint64_t pool_alarm_ns = 0;
    // By descriptor, as in the epoll loop: only as long as the most descriptors open at once.
    std::vector<std::unique_ptr<Client>> clients;
};

// ---------------------------------------------------------------------------------------
// Timing the wait. libevent 2.1 calls nothing of ours around its wait (2.2's evwatch would),
// so the loop runs libevent one turn at a time (EVLOOP_ONCE) and counts the time from the start
// of a turn to its first callback as blocking_ns.wait and as a trace's wait span: the
// select() or epoll_wait() the other loops time, plus libevent's bookkeeping around it.

void wait_begins(Loop& loop) {
    loop.wait_since_ns = mono_ns();
    if (trace::enabled()) loop.wait_since_cpu_ns = thread_cpu_ns();
}

// Called first in every callback; only the turn's first one finds a wait to end.
void wait_ends(Loop& loop) {
    if (loop.wait_since_ns == 0) return;
    std::uint64_t waited = mono_ns() - loop.wait_since_ns;
    add_blocking(*loop.server.stats, Blocking::Wait, waited);
    if (trace::enabled()) {
        trace::record(trace::Phase::Wait, loop.wait_since_ns, waited,
                      thread_cpu_ns() - loop.wait_since_cpu_ns);
    }
    loop.wait_since_ns = 0;
}

// A CLOCK_MONOTONIC deadline as the relative timeout event_add() takes, rounded up to the
// microsecond so that a timer never runs early by our clock. (libevent's own clock is
// CLOCK_MONOTONIC_COARSE, a tick of a few ms: an alarm may still come early, and then finds
// nothing due and is set again.)
timeval timeval_until(std::uint64_t deadline_ns) {
    timespec wait = time_until(deadline_ns);
    timeval tv{};
    tv.tv_sec = wait.tv_sec;
    tv.tv_usec = static_cast<suseconds_t>((wait.tv_nsec + 999) / 1000);
    if (tv.tv_usec == 1'000'000) {
        tv.tv_sec += 1;
        tv.tv_usec = 0;
    }
    return tv;
}

// ---------------------------------------------------------------------------------------
// A client's events, kept up to date with what its connection wants.

// loc-begin: callbacks
// Adds the event or takes it out; false if libevent could not (epoll_ctl: ENOMEM, ENOSPC).
bool watch(event* e, bool& added, bool want) {
    if (want == added) return true;
    if ((want ? event_add(e, nullptr) : event_del(e)) != 0) return false;
    added = want;
    return true;
}

// The alarm is never later than the connection's deadline but may be earlier, as in the epoll
// loop: every request moves the idle deadline later, and moving the timer each time would cost
// a heap operation per request. An alarm that comes early finds nothing due and is set again.
bool set_alarm(Client& client) {
    EventConnection& connection = *client.connection;
    // A connection that yielded gets the next turn: a timer due now runs after the next wait,
    // which does not block, beside the sockets that are ready by then.
    std::uint64_t due = connection.yielded() ? mono_ns() : connection.deadline_ns();
    if (due == 0 || (client.alarm_ns != 0 && client.alarm_ns <= due)) return true;
    timeval after = timeval_until(due);
    if (event_add(client.alarm.get(), &after) != 0) return false;
    client.alarm_ns = due;
    return true;
}

// After a callback called the connection: frees the client if it finished (its socket is
// closed; its events go), else brings its events up to date with what it wants now. A wish
// to read or write is added at once; reading is taken out only when libevent reports the
// socket to a connection that no longer wants it (on_readable), since a connection parked for
// simulated I/O usually hears nothing before it wants to read again: parking costs no
// epoll_ctl. Writing is taken out as soon as the output is sent, or a socket with room would
// be reported every turn.
void settle(Client& client) {
    Loop& loop = client.loop;
    EventConnection& connection = *client.connection;
    auto fd = static_cast<std::size_t>(connection.fd());
    if (connection.finished()) {
        loop.clients[fd].reset();
        return;
    }
    bool ok = (!connection.wants_read() || watch(client.readable.get(), client.reading, true)) &&
              watch(client.writable.get(), client.writing, connection.wants_write()) &&
              set_alarm(client);
    if (!ok) {
        // ENOMEM, or ENOSPC past fs.epoll.max_user_watches: this client cannot be watched, so
        // it is closed; the others go on.
        std::perror("lab-server: event_add");
        loop.clients[fd].reset();
    }
}
// loc-end: callbacks

// ---------------------------------------------------------------------------------------
// The database pool's sockets (QUERY): libevent events like the clients'.

void on_pool_socket(evutil_socket_t fd, short what, void* arg);
void on_pool_alarm(evutil_socket_t, short, void* arg);

// Brings the pool's events up to date with the sockets it wants watched now (a few at most),
// and its alarm with its deadline.
void sync_pool(Loop& loop) {
    AsyncBackend& backend = loop.context.backend;
    const auto& watches = backend.watches();
    std::erase_if(loop.pool_sockets, [&](const auto& entry) {
        return std::none_of(watches.begin(), watches.end(),
                            [&](const AsyncBackend::Watch& w) { return w.fd == entry.first; });
    });
    for (const AsyncBackend::Watch& w : watches) {
        short what = static_cast<short>((w.read ? EV_READ : 0) | (w.write ? EV_WRITE : 0));
        Loop::PoolSocket& socket = loop.pool_sockets[w.fd];
        if (socket.event != nullptr && socket.what == what) continue;
        // An event's kinds are fixed when it is made: another interest is another event.
        socket.event.reset();
        socket.event.reset(event_new(loop.base, w.fd, what | EV_PERSIST, on_pool_socket, &loop));
        if (socket.event == nullptr || event_add(socket.event.get(), nullptr) != 0) {
            std::perror("lab-server: event_add (database)");
            loop.pool_sockets.erase(w.fd);  // looked at again after the next callback
            continue;
        }
        socket.what = what;
    }
    std::uint64_t due = backend.deadline_ns();
    if (due != 0 && due != loop.pool_alarm_ns) {
        timeval after = timeval_until(due);
        if (event_add(loop.pool_alarm.get(), &after) == 0) loop.pool_alarm_ns = due;
    }
}

// What every callback does last: a turn for each connection that something other than its own
// events changed (a POST woke it, its query's answer came: it yielded, so settle sets its
// alarm for the next turn), then the pool's events, which any request may have changed.
void after_callback(Loop& loop) {
    std::vector<int> touched;
    touched.swap(loop.context.touched);
    for (int fd : touched) {
        auto index = static_cast<std::size_t>(fd);
        if (index < loop.clients.size() && loop.clients[index] != nullptr)
            settle(*loop.clients[index]);
    }
    sync_pool(loop);
}

void on_pool_socket(evutil_socket_t fd, short what, void* arg) {
    Loop& loop = *static_cast<Loop*>(arg);
    wait_ends(loop);
    // A hang-up or an error comes as both (libevent reports it to every kind watched).
    loop.context.backend.on_ready(fd, (what & EV_READ) != 0, (what & EV_WRITE) != 0);
    after_callback(loop);
}

void on_pool_alarm(evutil_socket_t, short, void* arg) {
    Loop& loop = *static_cast<Loop*>(arg);
    wait_ends(loop);
    loop.pool_alarm_ns = 0;
    std::uint64_t now = mono_ns();
    std::uint64_t due = loop.context.backend.deadline_ns();
    if (due != 0 && due <= now) loop.context.backend.on_deadline(now);
    after_callback(loop);
}

// ---------------------------------------------------------------------------------------
// The handlers: the model's whole serving code. Each calls the connection and settles it.

// loc-begin: callbacks
void on_readable(evutil_socket_t, short, void* arg) {
    Client& client = *static_cast<Client*>(arg);
    Loop& loop = client.loop;
    wait_ends(loop);
    if (client.connection->wants_read()) {
        client.connection->on_readable();
    } else {
        watch(client.readable.get(), client.reading, false);  // see settle
    }
    settle(client);
    after_callback(loop);
}

void on_writable(evutil_socket_t, short, void* arg) {
    Client& client = *static_cast<Client*>(arg);
    Loop& loop = client.loop;
    wait_ends(loop);
    if (client.connection->wants_write()) client.connection->on_writable();
    settle(client);
    after_callback(loop);
}

// The client's deadline (simulated I/O that ended, an idle client, a drain that is over), or
// its next turn after it yielded with requests still buffered.
void on_alarm(evutil_socket_t, short, void* arg) {
    Client& client = *static_cast<Client*>(arg);
    Loop& loop = client.loop;
    wait_ends(loop);
    client.alarm_ns = 0;
    EventConnection& connection = *client.connection;
    if (connection.yielded()) connection.resume();
    if (!connection.finished()) connection.on_deadline(mono_ns());  // nothing if not yet due
    settle(client);
    after_callback(loop);
}

// Makes a client of a freshly accepted connection: its three events, then settle adds those it
// wants. A client whose events cannot be made is closed.
void take_client(Loop& loop, std::unique_ptr<EventConnection> connection) {
    int fd = connection->fd();
    auto index = static_cast<std::size_t>(fd);
    if (index >= loop.clients.size()) loop.clients.resize(index + 1);
    auto client = std::make_unique<Client>(loop, std::move(connection));
    Client* arg = client.get();
    client->readable.reset(event_new(loop.base, fd, EV_READ | EV_PERSIST, on_readable, arg));
    client->writable.reset(event_new(loop.base, fd, EV_WRITE | EV_PERSIST, on_writable, arg));
    client->alarm.reset(evtimer_new(loop.base, on_alarm, arg));
    if (!client->readable || !client->writable || !client->alarm) {
        std::fprintf(stderr, "lab-server: event_new failed: client closed\n");
        return;
    }
    loop.clients[index] = std::move(client);
    settle(*arg);
}
// loc-end: callbacks

void on_listener(evutil_socket_t, short, void* arg) {
    Loop& loop = *static_cast<Loop*>(arg);
    wait_ends(loop);
    for (auto& connection : accept_clients(loop.server, loop.context, loop.accept_check))
        take_client(loop, std::move(connection));
    after_callback(loop);
}

void on_stop(evutil_socket_t, short, void* arg) {
    Loop& loop = *static_cast<Loop*>(arg);
    wait_ends(loop);
    loop.stopping = true;  // SIGTERM or SIGINT
    event_base_loopbreak(loop.base);
}

// ---------------------------------------------------------------------------------------
// The event base.

struct EventConfigFree {
    void operator()(event_config* c) const { event_config_free(c); }
};

// An event_base on the backend --libevent-backend names (every other one avoided), or on
// libevent's own choice; nullptr if libevent cannot make one. Environment variables such as
// EVENT_NOEPOLL are ignored: the command line alone chooses.
event_base* make_base(const std::string& backend) {
    std::unique_ptr<event_config, EventConfigFree> config(event_config_new());
    if (config == nullptr) return nullptr;
    event_config_set_flag(config.get(), EVENT_BASE_FLAG_IGNORE_ENV);
    if (!backend.empty()) {
        for (const std::string& other : libevent_backends()) {
            if (other != backend) event_config_avoid_method(config.get(), other.c_str());
        }
    }
    return event_base_new_with_config(config.get());
}

// Adds a persistent read event on fd (the listening socket, the stop latch); nullptr on failure.
Event watch_forever(Loop& loop, int fd, event_callback_fn callback) {
    Event e(event_new(loop.base, fd, EV_READ | EV_PERSIST, callback, &loop));
    if (e != nullptr && event_add(e.get(), nullptr) != 0) e.reset();
    return e;
}

void run(Loop& loop) {
    const bool select_backend = std::string(event_base_get_method(loop.base)) == "select";
    if (select_backend) {
        loop.accept_check = fits_in_fd_set;  // see the opening comment
        loop.context.backend.max_fd = FD_SETSIZE - 1;
    }
    publish_event_method(*loop.server.stats, event_base_get_method(loop.base));
    // A pool socket about to close leaves libevent first (the descriptor may be reused).
    loop.context.backend.on_close = [&loop](int fd) { loop.pool_sockets.erase(fd); };
    loop.pool_alarm.reset(evtimer_new(loop.base, on_pool_alarm, &loop));
    Event stop = watch_forever(loop, stop_fd(), on_stop);
    Event listener = watch_forever(loop, loop.server.listen_fd, on_listener);
    if (!loop.pool_alarm || !stop || !listener) {
        std::fprintf(stderr, "lab-server: libevent could not make the loop's own events\n");
        return;
    }
    while (!loop.stopping) {
        wait_begins(loop);
        // One turn: libevent waits, then calls back everything that is ready or due.
        if (event_base_loop(loop.base, EVLOOP_ONCE) < 0) {
            std::fprintf(stderr, "lab-server: event_base_loop failed\n");
            break;
        }
        wait_ends(loop);  // a turn that called nothing back
    }
}

// Frees every event while the base still lives (event_free needs it) and closes every connection.
void free_events(Loop& loop) {
    loop.clients.clear();
    loop.context.backend.on_close = nullptr;
    loop.pool_sockets.clear();
    loop.pool_alarm.reset();
}

}  // namespace

std::vector<std::string> libevent_backends() {
    std::vector<std::string> names;
    for (const char** method = event_get_supported_methods(); method && *method; ++method)
        names.emplace_back(*method);
    return names;
}

void serve_libevent(Server& server) {
    trace::name_thread("event loop");
    Loop loop(server);
    loop.base = make_base(server.settings.libevent_backend);
    if (loop.base == nullptr) {
        std::fprintf(stderr, "lab-server: libevent could not make an event base on %s\n",
                     server.settings.libevent_backend.empty()
                         ? "any backend"
                         : server.settings.libevent_backend.c_str());
        return;
    }
    run(loop);
    free_events(loop);
    event_base_free(loop.base);
}

}  // namespace lab
