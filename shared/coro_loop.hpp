// The coroutines model's event loop: one thread, one epoll set (level-triggered, as the epoll
// model's), a queue of timers in time order, and coroutines (coro_task.hpp) instead of state
// machines. A client's coroutine is written like blocking code; where blocking code would
// wait, it awaits its Parking instead: readable, writable, sleep_until, or the answer of the
// loop's database pool (QUERY) or a POST (WAIT). The coroutine is suspended there, its frame
// keeping its state, and the loop resumes it when what it awaits has come (the socket is
// ready, the deadline passed, the answer arrived). Only the loop resumes coroutines, so they
// never run inside one another and never at the same time: one thread, cooperative.
//
// A turn: wait in epoll_pwait2 (until a socket is ready or the earliest timer or database
// deadline is due; without waiting when a coroutine is ready to go on); resume each coroutine
// whose socket epoll reported; resume those that answers woke or that yielded; run the due
// timers; free the frames of the coroutines that ended. A new client's coroutine starts when
// the accepting coroutine spawns it, and runs until it first awaits. What the connections share is
// the loops' LoopContext (loop_context.hpp): the drains' budget, the WAIT board, the database pool
// and the loop's own counters.
//
// Not thread-safe: everything here belongs to the loop's one thread.
#pragma once

#include <sys/epoll.h>

#include <coroutine>
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "coro_task.hpp"
#include "loop_context.hpp"
#include "parked_client.hpp"
#include "service.hpp"

namespace lab::coro {

class CoroLoop;

// What resumed a parked coroutine: its socket is ready (or hung up: the next recv or send
// says), its deadline passed, an answer came (its QUERY's reply, a POST's value), or its
// socket cannot be watched (epoll_ctl failed: ENOMEM, or ENOSPC past
// fs.epoll.max_user_watches; the reason is on stderr), so that it would wait for nothing: the
// coroutine must give up on that socket, as the other loops close a client they cannot watch.
enum class Woken { Ready, Deadline, Answer, Failed };

// One coroutine's place in the loop, kept for all its life (its frame holds it): the socket
// it waits on, its one timer, and what the database pool and the WAIT board call back
// (ParkedClient). Destroying it (the coroutine ended, or the loop destroys the suspended frame
// at stop) takes it off everything it was parked on.
class Parking final : public ParkedClient {
  public:
    // `fd`: the socket it waits on (-1: none). With owns_fd, it closes fd when destroyed.
    // `task`: the client's port, its task in a trace (0: none).
    Parking(CoroLoop& loop, int fd, bool owns_fd, std::uint16_t task);
    ~Parking();
    Parking(const Parking&) = delete;
    Parking& operator=(const Parking&) = delete;

    // The awaitable of every wait: suspends the awaiting coroutine until one of what it asks
    // for comes (socket events, a deadline, an answer), and yields what woke it.
    struct Until {
        Parking& parking;
        std::uint32_t events;       // EPOLLIN, EPOLLOUT, or 0: the socket is not waited on
        std::uint64_t deadline_ns;  // CLOCK_MONOTONIC; 0: none
        bool answer;                // an answer (on_query_done, on_posted) wakes it too
        bool await_ready() const noexcept { return answer && parking.reply_.has_value(); }
        void await_suspend(std::coroutine_handle<> coroutine) {
            parking.park(coroutine, events, deadline_ns, answer);
        }
        Woken await_resume() const noexcept {
            return answer && parking.reply_.has_value() ? Woken::Answer : parking.woken_;
        }
    };
    Until readable(std::uint64_t deadline_ns = 0) { return {*this, EPOLLIN, deadline_ns, false}; }
    Until writable(std::uint64_t deadline_ns = 0) { return {*this, EPOLLOUT, deadline_ns, false}; }
    Until sleep_until(std::uint64_t deadline_ns) { return {*this, 0, deadline_ns, false}; }
    // The answer of submit_query or add_waiter; with watch_socket also the socket readable (a
    // waiter's client that leaves), and the deadline.
    Until answer(bool watch_socket, std::uint64_t deadline_ns) {
        return {*this, watch_socket ? std::uint32_t{EPOLLIN} : 0u, deadline_ns, true};
    }
    // Gives the other coroutines a turn: resumed in the loop's next turn, without waiting.
    Until next_turn() { return {*this, 0, 0, false}; }

    // QUERY on the loop's database pool (AsyncBackend): the reply at once when it cannot be
    // queued (ERR 503), else nullopt: await answer(), then take_answer().
    std::optional<Reply> submit_query(std::uint64_t ms, std::uint64_t rows);
    // WAIT on key: false when kMaxWaiters already wait. A POST's value then comes as the
    // answer (OK value). remove_waiter takes it off again (its timeout). The loop's board is
    // its own (one loop, never shared: event_waiters.hpp), so only a POST on this loop takes a
    // waiter off, and that POST has already woken it with the answer.
    bool add_waiter(const std::string& key);
    void remove_waiter();
    // The answer that came (its QUERY's reply, or OK and the POST's value), once.
    Reply take_answer();

    int fd() const { return fd_; }
    std::uint16_t task() const override { return task_; }
    void on_query_done(Reply reply) override;
    void on_posted(const std::string& value) override;

  private:
    friend class CoroLoop;
    void park(std::coroutine_handle<> coroutine, std::uint32_t events, std::uint64_t deadline_ns,
              bool answer);
    // Takes it off the socket and the timer and returns its coroutine, to be resumed.
    std::coroutine_handle<> wake(Woken why);

    CoroLoop& loop_;
    int fd_;
    bool owns_fd_;
    std::uint16_t task_;
    std::coroutine_handle<> coroutine_;  // while parked
    std::uint32_t events_ = 0;           // while parked: what it waits for on fd_
    bool wants_answer_ = false;          // while parked
    std::uint64_t timer_ns_ = 0;         // while parked with a deadline: its timer's key
    Woken woken_ = Woken::Ready;
    std::optional<Reply> reply_;  // an answer that came and was not taken yet
    bool query_pending_ = false;  // the pool holds a query of ours
    std::string waiting_key_;     // on the WAIT board under this key ("" : not)
    bool waiting_ = false;
};

class CoroLoop {
  public:
    // Counts the frames of this thread's coroutines in server.stats from now on; watches the
    // stop latch and the loop's listening socket is the accepting coroutine's to watch.
    explicit CoroLoop(Server& server);
    // Destroys every coroutine still suspended (each closes its socket and forgets its waits),
    // then the epoll set.
    ~CoroLoop();
    CoroLoop(const CoroLoop&) = delete;
    CoroLoop& operator=(const CoroLoop&) = delete;

    // A new top-level coroutine (a client's, or the accepting one): started now, with `task`
    // as its trace task, until it first awaits; owned by the loop until it ends.
    void spawn(Task<> coroutine, std::uint16_t task);
    // Makes the epoll set, spawns `first` (the accepting coroutine: it needs the set for its
    // first await), then runs turns until the stop latch is set. It returns early, as every
    // loop's serve function does (one line on stderr says why; lab-server then exits as after
    // a stop), if the epoll set cannot be made or its wait fails; and when `first` ends,
    // which the accepting coroutine does only when its socket cannot be watched
    // (Woken::Failed: park's line on stderr says so).
    void run(Task<> first);

    Server& server;
    LoopContext context;  // drains, WAITs, the database pool, the loop's counters

  private:
    friend class Parking;
    struct Slot {
        Parking* parked = nullptr;     // the coroutine waiting on this socket now
        std::uint32_t registered = 0;  // what epoll watches it for (0: not in the set)
    };
    struct Ready {
        std::coroutine_handle<> coroutine;
        std::uint16_t task;
    };
    Slot& slot(int fd);
    bool set_registration(int fd, std::uint32_t events);
    void forget_socket(int fd, bool closing);  // before fd is closed or given up
    void schedule(std::coroutine_handle<> coroutine, std::uint16_t task);
    void resume(std::coroutine_handle<> coroutine, std::uint16_t task);
    void dispatch(const epoll_event& event);
    void resume_ready();
    void run_due_timers();
    int wait_for_events();

    int epoll_fd_ = -1;
    std::vector<Slot> slots_;                              // by descriptor
    std::set<std::pair<std::uint64_t, Parking*>> timers_;  // (when, who), earliest first
    std::vector<Ready> ready_;                             // to resume in this turn, unasked
    std::vector<Ready> resuming_;  // ready_'s of the turn, being resumed (kept: its capacity)
    std::unordered_map<int, std::uint32_t> backend_registered;  // the pool's sockets in the set
    std::vector<epoll_event> events_;
    std::vector<void*> ended_;  // top-level coroutines that ended this turn (frame addresses)
    std::unordered_map<void*, Task<>> tasks_;  // every top-level coroutine, by frame address:
                                               // destroyed first, while the rest still stands
};

}  // namespace lab::coro
