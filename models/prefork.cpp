// Prefork: a fixed number of worker processes, forked at start, each accepting on the shared
// listening socket and serving one client at a time with blocking code. Costs N processes
// however few the clients; clients beyond N wait in the listen backlog.
//
// How the accept is shared: each worker blocks in accept() on the one listening socket. The
// kernel queues those waiters as exclusive, so a new connection wakes exactly one of them. A
// readiness wait (poll, select, epoll without EPOLLEXCLUSIVE) on the shared socket in every
// worker would wake them all for each connection, and all but one would find nothing to
// accept: the thundering herd. A worker's blocking accept() is woken for the stop by a
// signal (EINTR) or, if the signal came just before the call, by the parent shutting the
// listening socket down (EINVAL).
#include <poll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <string>
#include <vector>

#include "accept_client.hpp"
#include "blocking.hpp"
#include "blocking_session.hpp"
#include "child_process.hpp"
#include "clock.hpp"
#include "listener.hpp"
#include "models.hpp"
#include "signals.hpp"
#include "trace.hpp"

namespace lab {
namespace {

// A worker that dies sooner than this after its start is replaced only this long after its
// start, so a worker that dies at once costs one fork a second, not a tight loop.
inline constexpr std::uint64_t kMinRestartIntervalMs = 1000;
inline constexpr std::uint64_t kAcceptRetryMs = 10;  // after an unexpected accept() failure

// The parent's record of one worker; worker i publishes into stats.workers[i].
struct Worker {
    pid_t pid = 0;  // 0: not running (not started yet, or dead and waiting for restart_at_ns)
    std::uint64_t started_ns = 0;
    std::uint64_t restart_at_ns = 0;
};

// A worker's own figures are kept current while it serves one long connection: after a
// reply, at most once per kOwnRusagePeriodMs, since a getrusage costs about 0.7 µs of CPU
// (measured here) against 15 to 50 µs for a whole request. A reader's figures then lag by at
// most that period's CPU time per worker; the worker publishes again before it waits for its
// next client.
inline constexpr std::uint64_t kOwnRusagePeriodMs = 1;

// A worker process: accept a client, serve it to the end, repeat, until the server stops.
// Publishes its own rusage into its slot before every wait for a client, and after its
// replies (at most once a millisecond).
[[noreturn]] void run_worker(Server& server, WorkerSlot& slot) {
    StatsBlock& stats = *server.stats;
    std::uint64_t published_ns = 0;
    auto publish_after_reply = [&slot, &published_ns] {
        std::uint64_t now = mono_ns();
        if (now - published_ns < kOwnRusagePeriodMs * 1'000'000) return;
        published_ns = now;
        store_rusage(slot.usage, read_rusage(RUSAGE_SELF));
    };
    while (!stop_requested()) {
        store_rusage(slot.usage, read_rusage(RUSAGE_SELF));
        int client;
        int error;
        {
            BlockingTimer timer(stats, Blocking::Accept);
            client = accept_client(server.listen_fd, stats);  // blocks: the socket is blocking
            error = errno;
        }
        if (client < 0) {
            if (error == EINVAL) break;  // the parent shut the listening socket down: stopping
            if (error != EINTR && error != ECONNABORTED) usleep(kAcceptRetryMs * 1000);
            continue;  // EINTR: a signal; the loop's test says whether it was the stop
        }
        // In this order, so that a worker killed between the lines leaks a count (visible)
        // rather than making the parent's repair take away one that was never added.
        add(stats.connections_active, 1);
        slot.connections_active.store(1, std::memory_order_relaxed);
        serve_connection(client, server, publish_after_reply);  // until the client is done
        slot.connections_active.store(0, std::memory_order_relaxed);
        add(stats.connections_active, static_cast<std::uint64_t>(-1));
    }
    store_rusage(slot.usage, read_rusage(RUSAGE_SELF));
    trace::write_child_part();  // the parent merges it into the trace at exit
    _exit(0);  // not exit(): the parent's clean-up (the stats file) is not ours to run
}

// Forks worker i. On failure the worker is retried kMinRestartIntervalMs later.
void start_worker(Server& server, std::vector<Worker>& workers, std::size_t i) {
    Worker& w = workers[i];
    WorkerSlot& slot = server.stats->workers[i];
    std::string name = "worker ";
    name += std::to_string(i);
    const pid_t parent = getpid();
    SignalsHeld held;
    pid_t pid = fork();
    if (pid == 0) {
        std::string process_name = "prefork ";
        process_name += name;
        if (!become_child(parent, held, process_name, name)) _exit(1);
        run_worker(server, slot);
    }
    held.release();
    w.started_ns = mono_ns();
    if (pid < 0) {
        std::perror("lab-server: prefork: fork");
        w.restart_at_ns = w.started_ns + kMinRestartIntervalMs * 1'000'000;
        return;
    }
    w.pid = pid;
    slot.pid.store(pid, std::memory_order_relaxed);
}

// Reaps every worker that has exited, without blocking: its wait4 rusage goes into
// stats.children and its slot is cleared (in that order: a reader in between counts it
// twice for a moment, never not at all); a worker that died mid-connection gives its
// connections_active back. Schedules its replacement.
void reap_workers(Server& server, std::vector<Worker>& workers) {
    StatsBlock& stats = *server.stats;
    reap_exited_children(stats, [&](pid_t pid) {
        auto dead = std::find_if(workers.begin(), workers.end(),
                                 [pid](const Worker& w) { return w.pid == pid; });
        if (dead == workers.end()) return;
        WorkerSlot& slot = stats.workers[static_cast<std::size_t>(dead - workers.begin())];
        slot.pid.store(0, std::memory_order_relaxed);
        if (slot.connections_active.exchange(0, std::memory_order_relaxed) != 0) {
            add(stats.connections_active, static_cast<std::uint64_t>(-1));
        }
        store_rusage(slot.usage, Rusage{});
        dead->pid = 0;
        dead->restart_at_ns = dead->started_ns + kMinRestartIntervalMs * 1'000'000;
    });
}

// Waits until the server stops or a worker exits, or until the next replacement is due.
// Returns false once the server is stopping.
bool wait_for_event(const std::vector<Worker>& workers) {
    int timeout_ms = -1;  // nothing due: wait for a signal
    std::uint64_t now = mono_ns();
    for (const Worker& w : workers) {
        if (w.pid != 0) continue;
        std::uint64_t left = w.restart_at_ns > now ? w.restart_at_ns - now : 0;
        int ms = static_cast<int>((left + 999'999) / 1'000'000);
        if (timeout_ms < 0 || ms < timeout_ms) timeout_ms = ms;
    }
    pollfd fds[2] = {{stop_fd(), POLLIN, 0}, {child_event_fd(), POLLIN, 0}};
    int n = poll(fds, 2, timeout_ms);  // EINTR (SIGCHLD) just goes round again
    return !(n > 0 && fds[0].revents != 0);
}

}  // namespace

void serve_prefork(Server& server) {
    // One blocking socket for every worker: the O_NONBLOCK flag belongs to the open file
    // description that the workers share, so it is cleared once, here, before any fork.
    if (!set_blocking(server.listen_fd)) {
        std::perror("lab-server: prefork: the listening socket");
        return;
    }
    trace::name_thread("main: supervises the workers");
    publish_main_rusage(*server.stats);  // the first worker may answer STATS at once
    std::vector<Worker> workers(server.settings.workers);
    for (std::size_t i = 0; i < workers.size(); ++i)
        start_worker(server, workers, i);
    while (true) {
        // Kept current for STATS, which a worker answers from the block.
        publish_main_rusage(*server.stats);
        if (!wait_for_event(workers)) break;
        drain_child_events();
        reap_workers(server, workers);
        if (stop_requested()) break;  // workers that a Ctrl-C to the group ended first
        std::uint64_t now = mono_ns();
        for (std::size_t i = 0; i < workers.size(); ++i) {
            if (workers[i].pid == 0 && workers[i].restart_at_ns <= now)
                start_worker(server, workers, i);
        }
    }
    // Wake every worker blocked in accept() (EINVAL), whether or not its SIGTERM has come yet.
    shutdown(server.listen_fd, SHUT_RD);
    auto alive = [&] {
        std::vector<pid_t> pids;
        for (const Worker& w : workers)
            if (w.pid != 0) pids.push_back(w.pid);
        return pids;
    };
    stop_children(alive, [&] { reap_workers(server, workers); });
}

}  // namespace lab
