// WAIT and POST in the event loops (select, poll, epoll, libevent, uring): nothing blocks. A WAIT
// parks its connection here (with its timeout as the connection's deadline); a POST, executed by
// the loop for another connection, hands the value to every connection parked on its key and
// replies with how many. The blocking models' version is wait_board.hpp.
//
// One loop keeps its waiters to itself, and nothing here takes a lock. Several loops (epoll
// --loops N) must find each other's waiters: a POST on loop A must wake a client parked on loop
// B, and say how many it woke in its reply. So their waiters are on one board that every loop
// shares (CrossLoopWaiters), behind a mutex: a POST takes every waiter of its key off it at
// once, and so counts them exactly; it resumes those of its own loop at once, and hands the
// value of each other one to that one's loop through the loop's inbox (loop_inbox.hpp), which
// wakes that loop, whose own thread then resumes it (deliver). What crosses between threads is
// a waiter's number, never its address: by the time the value arrives the waiter may have left,
// and its loop then finds no waiter of that number and drops the value.
#pragma once

#include <cstddef>
#include <cstdint>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "parked_client.hpp"

namespace lab {

class LoopInbox;

// The board of every loop's waiters when there are several. Any thread: every member takes
// the board's mutex for the few map operations it does, never for a client's work.
class CrossLoopWaiters {
  public:
    // inboxes[i]: loop i's inbox, for the values of POSTs made on other loops. Not owned.
    explicit CrossLoopWaiters(std::vector<LoopInbox*> inboxes);

    struct Waiter {
        std::size_t loop;      // the loop whose connection it is
        std::uint64_t number;  // its number on the board (never 0)
    };
    // Puts a waiter of loop `loop` on `key`: its number, or 0 when kMaxWaiters already wait
    // in the whole server.
    std::uint64_t add(const std::string& key, std::size_t loop);
    // Takes waiter `number` off `key`: false when it is no longer there (a POST took it).
    bool remove(const std::string& key, std::uint64_t number);
    // Takes every waiter off `key`, and returns them.
    std::vector<Waiter> take(const std::string& key);
    LoopInbox& inbox(std::size_t loop) const { return *inboxes_[loop]; }

  private:
    std::mutex lock_;
    std::unordered_map<std::string, std::vector<Waiter>> by_key_;  // guarded by lock_
    std::size_t count_ = 0;                                        // guarded by lock_
    std::uint64_t next_number_ = 1;                                // guarded by lock_
    const std::vector<LoopInbox*> inboxes_;
};

// One loop's waiters. Not thread-safe: belongs to the loop's one thread.
class EventWaiters {
  public:
    // With several loops: this is loop `loop`, whose waiters go on `board`. Call before the
    // first add.
    void share(CrossLoopWaiters& board, std::size_t loop);

    // Parks `client` on `key`; false when kMaxWaiters already wait (the client gets ERR 503).
    bool add(const std::string& key, ParkedClient* client);
    // Takes a parked client off (its timeout passed). False when a POST made on another loop
    // has taken it already: its value is on the way (deliver), and the client waits for it.
    bool remove(const std::string& key, ParkedClient* client);
    // Forgets a parked client that is going away (its client left), wherever the POST is.
    void forget(const std::string& key, ParkedClient* client);
    // Wakes every client parked on `key` (ParkedClient::on_posted; on another loop, through
    // that loop's inbox) and forgets them. Returns how many it woke.
    std::size_t post(const std::string& key, const std::string& value);
    // The value of a POST made on another loop for this loop's waiter `number` (from the
    // inbox): resumes the waiter, unless it has left meanwhile.
    void deliver(std::uint64_t number, const std::string& value);

  private:
    // One loop alone: its waiters by key.
    std::unordered_map<std::string, std::vector<ParkedClient*>> by_key_;
    std::size_t count_ = 0;
    // Several loops: the shared board, and this loop's waiters on it by number and by client.
    CrossLoopWaiters* board_ = nullptr;
    std::size_t loop_ = 0;
    std::unordered_map<std::uint64_t, ParkedClient*> by_number_;
    std::unordered_map<ParkedClient*, std::uint64_t> numbers_;
};

}  // namespace lab
