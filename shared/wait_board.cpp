// WAIT and POST for the blocking models. See wait_board.hpp.
#include "wait_board.hpp"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <new>

#include "blocking.hpp"
#include "clock.hpp"
#include "signals.hpp"

namespace lab {
namespace {

timespec monotonic_at(std::uint64_t ns) {
    return {static_cast<time_t>(ns / 1'000'000'000), static_cast<long>(ns % 1'000'000'000)};
}

// Whether the client on fd has hung up or shut down its side (without reading what it sent).
bool client_gone(int fd) {
    pollfd p{fd, POLLRDHUP, 0};
    return poll(&p, 1, 0) > 0 && (p.revents & (POLLRDHUP | POLLHUP | POLLERR | POLLNVAL)) != 0;
}

bool alive(pid_t pid) {
    return kill(pid, 0) == 0 || errno != ESRCH;
}

}  // namespace

WaitBoard* WaitBoard::create() {
    void* memory =
        mmap(nullptr, sizeof(WaitBoard), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (memory == MAP_FAILED) return nullptr;
    auto* board = new (memory) WaitBoard;  // the mapping is zero-filled: every slot free
    pthread_mutexattr_t mutex_attr;
    pthread_mutexattr_init(&mutex_attr);
    pthread_mutexattr_setpshared(&mutex_attr, PTHREAD_PROCESS_SHARED);
    pthread_mutexattr_setrobust(&mutex_attr, PTHREAD_MUTEX_ROBUST);
    pthread_mutex_init(&board->mutex_, &mutex_attr);
    pthread_mutexattr_destroy(&mutex_attr);
    pthread_condattr_t cond_attr;
    pthread_condattr_init(&cond_attr);
    pthread_condattr_setpshared(&cond_attr, PTHREAD_PROCESS_SHARED);
    pthread_condattr_setclock(&cond_attr, CLOCK_MONOTONIC);
    pthread_cond_init(&board->posted_, &cond_attr);
    pthread_condattr_destroy(&cond_attr);
    return board;
}

void WaitBoard::lock(StatsBlock& stats) {
    int rc = pthread_mutex_trylock(&mutex_);
    if (rc == EBUSY) {
        BlockingTimer timer(stats, Blocking::Lock);
        rc = pthread_mutex_lock(&mutex_);
    }
    // A holder died: the slots are still consistent (each is written whole under the lock, and
    // a dead waiter's slot is taken back when the board is full).
    if (rc == EOWNERDEAD) pthread_mutex_consistent(&mutex_);
}

WaitBoard::Slot* WaitBoard::take_slot(const std::string& key) {
    Slot* free = nullptr;
    for (Slot& slot : slots_) {
        if (slot.pid == 0) {
            free = &slot;
            break;
        }
    }
    if (free == nullptr) {  // full: take back the slots of processes killed while waiting
        for (Slot& slot : slots_) {
            if (slot.pid != getpid() && !alive(slot.pid)) slot.pid = 0;
            if (slot.pid == 0 && free == nullptr) free = &slot;
        }
    }
    if (free == nullptr) return nullptr;
    free->pid = getpid();
    free->woken = false;
    free->key_length = static_cast<std::uint8_t>(key.size());
    std::memcpy(free->key, key.data(), key.size());
    free->value_length = 0;
    return free;
}

Reply WaitBoard::wait(const std::string& key, std::uint64_t timeout_ms, int fd, StatsBlock& stats,
                      bool& gone) {
    gone = false;
    std::uint64_t deadline = mono_ns() + timeout_ms * 1'000'000;
    lock(stats);
    Slot* slot = take_slot(key);
    if (slot == nullptr) {
        pthread_mutex_unlock(&mutex_);
        return too_many_waiters_reply();
    }
    Reply reply = wait_timeout_reply();
    {
        BlockingTimer timer(stats, Blocking::Peer);
        while (true) {
            if (slot->woken) {
                reply = ok_reply(std::string(slot->value, slot->value_length));
                break;
            }
            std::uint64_t now = mono_ns();
            if (now >= deadline) break;
            if (stop_requested() || client_gone(fd)) {
                gone = true;
                break;
            }
            timespec until = monotonic_at(std::min(deadline, now + kWaiterCheckMs * 1'000'000));
            if (pthread_cond_timedwait(&posted_, &mutex_, &until) == EOWNERDEAD) {
                pthread_mutex_consistent(&mutex_);
            }
        }
    }
    slot->pid = 0;
    pthread_mutex_unlock(&mutex_);
    return reply;
}

std::size_t WaitBoard::post(const std::string& key, const std::string& value, StatsBlock& stats) {
    std::size_t woken = 0;
    lock(stats);
    for (Slot& slot : slots_) {
        if (slot.pid == 0 || slot.woken || slot.key_length != key.size() ||
            std::memcmp(slot.key, key.data(), key.size()) != 0) {
            continue;
        }
        slot.woken = true;
        slot.value_length = static_cast<std::uint8_t>(value.size());
        std::memcpy(slot.value, value.data(), value.size());
        ++woken;
    }
    pthread_mutex_unlock(&mutex_);
    if (woken > 0) pthread_cond_broadcast(&posted_);
    return woken;
}

}  // namespace lab
