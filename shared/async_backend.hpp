// QUERY in the event loops (select, poll, epoll, libevent, uring): libpq's asynchronous API, each
// connection's socket watched by the loop like a client's, so the loop never waits for the
// database.
//
// A pool of --db-pool connections, opened when first needed (PQconnectStartParams and
// PQconnectPoll: even connecting does not block), and a queue of the queries waiting for a free
// one, first come first served. A query is sent with PQsendQueryParams (and PQflush until it is
// out); when its socket is readable, PQconsumeInput takes what arrived, and once PQisBusy says
// the result is complete PQgetResult hands it over, and the query's connection is woken
// (ParkedClient::on_query_done). With all connections busy, queries wait in the queue: the
// pool is the server's new limit (Little's law: at most pool / query time queries a second).
//
// Failures end in ERR 503 backend unavailable within a bounded time: a connect that has not
// finished after kConnectTimeoutS, a query not answered kStatementTimeoutMs after it was sent
// (its connection is closed: the database ends the statement itself at that time too), a
// connection that breaks. After a failed connect no connect is tried for kRetryAfterMs, and
// while no connection is open or opening, queries are refused at once.
//
// Not thread-safe: belongs to the loop's one thread.
#pragma once

#include <libpq-fe.h>

#include <cstdint>
#include <deque>
#include <functional>
#include <limits>
#include <optional>
#include <vector>

#include "parked_client.hpp"
#include "service.hpp"

namespace lab {

// Queries one loop may hold waiting for a connection; more are refused with ERR 503.
inline constexpr std::size_t kMaxQueuedQueries = 4096;

class AsyncBackend {
  public:
    explicit AsyncBackend(Server& server);
    ~AsyncBackend();
    AsyncBackend(const AsyncBackend&) = delete;
    AsyncBackend& operator=(const AsyncBackend&) = delete;

    // Queues QUERY ms rows for `client`, whose on_query_done gets the reply later; or returns
    // the reply at once when the query cannot be queued (no database configured, none
    // reachable now, the queue full).
    std::optional<Reply> submit(ParkedClient* client, std::uint64_t ms, std::uint64_t rows);
    // Drops `client`'s queries (it is going away): their results are thrown away.
    void forget(ParkedClient* client);

    // A socket of the pool and what the loop must watch it for now.
    struct Watch {
        int fd;
        bool read;
        bool write;
    };
    // Every socket the pool wants watched now (rebuilt at each call).
    const std::vector<Watch>& watches();
    // Whether fd is one of the pool's sockets now.
    bool owns(int fd) const;
    // The loop found fd ready (a hang-up or an error counts as both).
    void on_ready(int fd, bool readable, bool writable);
    // The earliest moment on_deadline must run (CLOCK_MONOTONIC ns; 0: none).
    std::uint64_t deadline_ns() const;
    void on_deadline(std::uint64_t now_ns);
    // Called with a socket's descriptor right before the pool closes it (epoll takes it off
    // its own books; a closed socket leaves the epoll set by itself).
    std::function<void(int fd)> on_close;
    // The highest descriptor the loop can watch (select: FD_SETSIZE - 1). A connection whose
    // socket is higher is closed at once, as a failed connect.
    int max_fd = std::numeric_limits<int>::max();

  private:
    struct Job {
        ParkedClient* client;  // null once forgotten
        std::uint64_t ms;
        std::uint64_t rows;
        std::uint64_t queued_ns;
        std::uint64_t sent_ns = 0;
    };
    struct Link {
        enum class State { Down, Connecting, Idle, Busy };
        State state = State::Down;
        PGconn* conn = nullptr;
        int fd = -1;
        PostgresPollingStatusType polling = PGRES_POLLING_WRITING;  // while Connecting
        bool flushing = false;  // while Busy: the query is not all sent yet
        PGresult* result = nullptr;
        std::optional<Job> job;
        std::uint64_t deadline_ns = 0;
    };

    void pump();
    void start_connect(Link& link);
    void step_connect(Link& link);
    void send(Link& link, Job job);
    void step_busy(Link& link, bool readable, bool writable);
    void close_link(Link& link);
    void connect_failed(Link& link);
    void link_failed(Link& link);
    void finish(Job job, Reply reply);
    bool any_open() const;

    Server& server_;
    std::vector<Link> links_;
    std::deque<Job> queue_;
    std::uint64_t retry_at_ns_ = 0;
    std::vector<Watch> watches_;
};

}  // namespace lab
