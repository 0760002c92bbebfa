// What other threads hand one event loop of several (epoll --loops N, loop_group.hpp): the
// clients the accepting thread admitted (--accept dispatch), and the values of POSTs made on
// another loop for this loop's waiters (event_waiters.hpp). A list behind a lock, and an
// eventfd that is readable while the list holds something, so that the loop watches it beside
// its sockets and wakes for it like for any other event. Any thread may hand; only the loop's
// own thread takes.
//
// Bounded without a limit of its own: a client is handed only after it took one of
// --max-clients' places, and a value only for a waiter that was on the board (at most
// kMaxWaiters in the whole server).
#pragma once

#include <cstdint>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "counters.hpp"

namespace lab {

class LoopInbox {
  public:
    // Makes the eventfd; valid() is false if it could not be made (out of descriptors).
    explicit LoopInbox(StatsBlock& stats);
    // Closes the clients never taken (the server is stopping), giving back their places.
    ~LoopInbox();
    LoopInbox(const LoopInbox&) = delete;
    LoopInbox& operator=(const LoopInbox&) = delete;

    bool valid() const { return event_fd_ >= 0; }
    // Readable while something waits to be taken. For the loop's readiness wait.
    int fd() const { return event_fd_; }

    // Any thread. A client's descriptor, whose place in connections_active the caller has
    // taken: the inbox owns it until the loop takes it.
    void hand_client(int fd);
    // Any thread. The value of a POST for the waiter `waiter` (EventWaiters' number for it).
    void hand_post(std::uint64_t waiter, std::string value);

    struct Mail {
        std::vector<int> clients;
        std::vector<std::pair<std::uint64_t, std::string>> posts;
    };
    // The loop's thread: everything handed so far, in the order handed; the eventfd is quiet
    // again until the next hand.
    Mail take();

  private:
    void wake();  // makes the eventfd readable

    StatsBlock& stats_;
    int event_fd_ = -1;
    std::mutex lock_;
    Mail mail_;  // guarded by lock_
};

}  // namespace lab
