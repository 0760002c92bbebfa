// What the server does for each request, the same in every model, and what every model knows
// about the server it runs in. Only the waiting is left to the model: WORK's simulated I/O
// (the blocking models sleep, an event loop sets a timer, or sleeps too with
// --blocking-io-in-loop), QUERY's database (a blocking libpq call, or the asynchronous API with
// the connection's socket in the loop), WAIT and POST (a condition variable in shared memory,
// or a parked connection that a POST resumes).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "counters.hpp"
#include "key_table.hpp"
#include "protocol.hpp"

namespace lab {

// How several event loops share the clients out (epoll --loops N, --accept): each its own
// listening socket on the same port (SO_REUSEPORT: the kernel picks one by a hash), or one
// accepting thread that hands them out in turn (loop_group.hpp).
enum class LoopAccept { ReusePort, Dispatch };

// What every model knows about the server it runs in.
struct ServerSettings {
    std::string model;
    std::string host = "127.0.0.1";
    std::uint16_t port = 0;  // the real listening port
    std::uint64_t max_clients = 0;
    std::uint64_t workers = 0;          // pool models: worker threads or processes
    std::uint64_t thread_stack_kb = 0;  // threads, threadpool: each serving thread's stack
                                        // (0: the system's default)
    std::uint64_t idle_timeout_s = 60;  // 0 = no idle timeout
    int backlog = 0;
    // Event loops only (--blocking-io-in-loop): WORK's simulated I/O sleeps in the loop's one
    // thread instead of setting a timer. The classic mistake, made on purpose (lab 3).
    bool blocking_io_in_loop = false;
    // QUERY's database (shared/backend.hpp): its libpq URI ("" when none: QUERY is then
    // ERR 503), the most connections the server opens to it (the blocking models' threads share
    // that many; each fork or prefork process has one; an event loop keeps that many open), and
    // --db-blocking-in-loop: an event loop makes its queries with the blocking API in its one
    // thread, the classic mistake made on purpose (lab 7).
    std::string db_uri;
    std::uint64_t db_pool = 8;
    bool db_blocking_in_loop = false;
    // epoll only: its event loops, each a thread of its own (--loops; 1: the one loop runs in
    // the main thread), and how they get their clients (--accept; nothing to choose with one).
    std::uint64_t loops = 1;
    LoopAccept accept = LoopAccept::ReusePort;
    // libevent only (--libevent-backend): the backend libevent must wait with ("epoll", "poll",
    // "select"); empty: libevent's own choice.
    std::string libevent_backend;
    // The completion loop only (uring, --recv-buffers): the buffers of its provided buffer ring,
    // which every connection's receives share (a power of two).
    std::uint64_t recv_buffers = 0;
    // Whether the INCR/GET table needs its lock: yes when several threads or processes serve
    // clients at once; no for a model with one task (sequential, and an event loop alone).
    Locking table_locking = Locking::Shared;
};

class WaitBoard;

struct Server {
    ServerSettings settings;
    int listen_fd = -1;
    StatsBlock* stats = nullptr;
    // WAIT and POST in the blocking models (wait_board.hpp): shared memory that every thread
    // and process of the server sees. Null in the event loops, which keep their own waiters.
    WaitBoard* board = nullptr;
    // epoll --loops N --accept reuseport: each loop's own listening socket, all bound to the
    // port with SO_REUSEPORT (the first is listen_fd). Empty otherwise.
    std::vector<int> loop_listen_fds;

    // CLOCK_MONOTONIC deadline for a connection that starts waiting now, or 0 for none.
    std::uint64_t idle_deadline_ns() const;
};

// The model's part of a reply: wait io_wait_ms of simulated I/O, then send `reply`; or, when
// `then` says so, do what the request asks in the model's own way and reply with the outcome
// (complete_deferred counts it): run the QUERY, wait for a POST, deliver the POST.
struct Response {
    enum class Then { Reply, Query, Wait, Post };
    Reply reply;
    std::uint64_t io_wait_ms = 0;
    Then then = Then::Reply;
    Request request;  // Query, Wait, Post: what was asked
};

// Executes one request in the calling thread. WORK's CPU time is spent here (the thread's
// own CPU clock, so preemption does not shorten it); its I/O is returned as io_wait_ms.
// Counts the request (and an error reply) in stats.
Response execute(const Request& request, Server& server);

// Counts the outcome of a deferred request (Response::then): an ERR reply is an error.
void complete_deferred(const Reply& reply, Server& server);

// Counts an ERR reply that did not come from execute() (decoder errors, 408; a refusal
// counts itself: send_refusal in refusal.hpp).
void count_error(Server& server, bool was_request);

// Spends cpu_us microseconds of the calling thread's CPU time.
void burn_cpu(std::uint64_t cpu_us);

// The STATS object as one line of JSON (see PROTOCOL.md). `self` is the main process's
// rusage: read directly in the main process, from the block in a forked child; `workers`
// sums the live worker processes' published slots (prefork).
std::string stats_json(const StatsBlock& stats);

// Publishes the calling (main) process's RUSAGE_SELF into the block, for STATS answered by
// a child process and for readers outside the server.
void publish_main_rusage(StatsBlock& stats);

}  // namespace lab
