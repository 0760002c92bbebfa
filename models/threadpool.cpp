// Thread pool: a fixed number of worker threads, made at start, serve the clients that the
// main thread accepts and puts in a queue. Costs N stacks however few the clients, and when
// more clients come than there are workers, they wait in the queue: a blocking of its own.
#include <unistd.h>

#include <condition_variable>
#include <deque>
#include <iostream>
#include <mutex>
#include <optional>
#include <string>

#include "acceptor.hpp"
#include "blocking.hpp"
#include "blocking_session.hpp"
#include "clock.hpp"
#include "connection_io.hpp"
#include "models.hpp"
#include "signals.hpp"
#include "thread_group.hpp"
#include "trace.hpp"

namespace lab {
namespace {

// A connection accepted by the main thread, waiting for a worker.
struct Waiting {
    int fd;
    std::uint64_t since_ns;  // CLOCK_MONOTONIC when it was queued
};

// The queue between the accepting thread and the workers. Its bound is --max-clients: the
// main thread admits a connection only while fewer than that are served or waiting (see
// serve_threadpool), so the queue never holds more. Every member is safe from any thread.
class ConnectionQueue {
  public:
    // Queues a connection and wakes one idle worker. Takes ownership of w.fd. The counter
    // block's queue gauge shows the wait while it lasts (queue_wait_begins/ends).
    void push(Waiting w, StatsBlock& stats) {
        {
            std::lock_guard lock(mutex_);
            waiting_.push_back(w);
            queue_wait_begins(stats, w.since_ns);
        }
        ready_.notify_one();
    }

    // The next connection, waiting for one if there is none (an idle worker: counted as
    // blocking_ns[accept], like any task waiting for a client); nullopt once closed.
    std::optional<Waiting> pop(StatsBlock& stats) {
        std::unique_lock lock(mutex_);
        if (waiting_.empty() && !closed_) {
            BlockingTimer idle(stats, Blocking::Accept);
            ready_.wait(lock, [this] { return closed_ || !waiting_.empty(); });
        }
        if (closed_) return std::nullopt;
        Waiting w = waiting_.front();
        waiting_.pop_front();
        queue_wait_ends(stats, w.since_ns, mono_ns());
        return w;
    }

    // Wakes every worker with nullopt from now on; returns the connections nobody took (the
    // caller closes them).
    std::deque<Waiting> close() {
        std::deque<Waiting> left;
        {
            std::lock_guard lock(mutex_);
            closed_ = true;
            left.swap(waiting_);
        }
        ready_.notify_all();
        return left;
    }

  private:
    std::mutex mutex_;
    std::condition_variable ready_;
    std::deque<Waiting> waiting_;  // guarded by mutex_
    bool closed_ = false;          // guarded by mutex_
};

// One worker: take the next connection, serve it to the end, repeat until the queue closes.
void work(Server& server, ConnectionQueue& queue) {
    StatsBlock& stats = *server.stats;
    while (std::optional<Waiting> next = queue.pop(stats)) {
        // The connection's wait for a worker (pop has added it to blocking_ns[queue]): no
        // thread sat in it, so it is an async span of its own in a trace, with the client's
        // port as its task.
        if (trace::enabled()) {
            std::uint64_t waited = mono_ns() - next->since_ns;
            trace::record_async_wait(trace::Phase::Queue, peer_port(next->fd), next->since_ns,
                                     waited);
        }
        serve_connection(next->fd, server);  // blocks this worker until the client is done
        add(stats.connections_active, static_cast<std::uint64_t>(-1));
    }
}

}  // namespace

void serve_threadpool(Server& server) {
    StatsBlock& stats = *server.stats;
    Acceptor acceptor(server);
    ConnectionQueue queue;
    ThreadGroup workers(stats, server.settings.thread_stack_kb);
    std::uint64_t started = 0;
    for (std::uint64_t i = 0; i < server.settings.workers; ++i) {
        std::string name = "worker ";
        name += std::to_string(i);
        if (workers.start([&server, &queue] { work(server, queue); }, name)) ++started;
    }
    if (started < server.settings.workers) {
        // Out of threads or memory: serve with those there are, and say so.
        std::cerr << "lab-server: threadpool started " << started << " of "
                  << server.settings.workers << " workers\n";
        if (started == 0) request_stop();
    }
    while (true) {
        int client = acceptor.next_client();  // blocks until a client connects
        if (client < 0) break;                // the server is stopping
        if (load(stats.connections_active) >= server.settings.max_clients) {
            acceptor.refuse(client);  // ERR 503: the workers and the queue hold --max-clients
            continue;
        }
        add(stats.connections_active, 1);  // served or waiting: both count against the limit
        queue.push({client, mono_ns()}, stats);
    }
    // Stopping: idle workers wake to a closed queue; busy ones see the stop latch in their
    // connection's next wait. Connections still queued were never served: close them.
    // (Once closed, no worker touches the queue gauge: this thread is its one writer.)
    std::uint64_t now = mono_ns();
    for (const Waiting& w : queue.close()) {
        queue_wait_ends(stats, w.since_ns, now);
        close(w.fd);
        add(stats.connections_active, static_cast<std::uint64_t>(-1));
    }
    workers.join_all();
}

}  // namespace lab
