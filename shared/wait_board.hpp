// WAIT and POST in the blocking models (sequential, threads, fork, threadpool, prefork): tasks
// that wait on each other. WAIT key timeout_ms blocks its thread or process until another
// client's POST key value, which wakes every client waiting on that key at that moment and
// replies with how many it woke (a POST that finds nobody waiting wakes nobody and is not
// kept: WAIT hears only POSTs made while it waits).
//
// The board lives in shared memory made before any fork, so that every thread and process of
// the server sees it: kMaxWaiters slots behind one process-shared, robust mutex, and one
// process-shared condition variable on CLOCK_MONOTONIC that a POST broadcasts. A waiter wakes
// at least every kWaiterCheckMs to look at its client's socket (a client that hung up or shut
// down its side is gone: its slot is freed and its connection closes) and at the stop latch.
// A slot left by a process that was killed while it waited is taken back when the board is
// full. (The event loops do not block: they park the connection instead, event_waiters.hpp.)
#pragma once

#include <pthread.h>
#include <sys/types.h>

#include <cstdint>
#include <string>

#include "service.hpp"

namespace lab {

inline constexpr std::uint64_t kWaiterCheckMs = 50;

class WaitBoard {
  public:
    // Maps a new board into shared memory (MAP_SHARED | MAP_ANONYMOUS), inherited by every
    // process the server forks. Never unmapped: it lives as long as the server. Null on
    // failure.
    static WaitBoard* create();

    // WAIT: blocks until a POST to `key`, the timeout, the client leaving (its socket `fd`
    // hangs up) or the server stopping; counts the time as blocking_ns.peer. The reply: OK
    // value, ERR 408 (timeout), ERR 503 (kMaxWaiters already waiting); `gone` says the client
    // left or the server is stopping (no reply is sent then).
    Reply wait(const std::string& key, std::uint64_t timeout_ms, int fd, StatsBlock& stats,
               bool& gone);
    // POST: wakes every client waiting on `key` now, hands each `value`; returns how many.
    std::size_t post(const std::string& key, const std::string& value, StatsBlock& stats);

  private:
    struct Slot {
        pid_t pid;  // 0: free
        bool woken;
        std::uint8_t key_length;
        std::uint8_t value_length;
        char key[kMaxKeyBytes];
        char value[kMaxKeyBytes];
    };
    void lock(StatsBlock& stats);
    Slot* take_slot(const std::string& key);

    pthread_mutex_t mutex_;
    pthread_cond_t posted_;
    Slot slots_[kMaxWaiters];
};

}  // namespace lab
