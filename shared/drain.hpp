// Closing a connection without destroying its last reply. A plain close() with unread input
// sends a reset, which can discard the reply in flight, so after a closing reply (413, 408,
// 503, QUIT, an HTTP reply that closes) the server shuts down writing, then reads and
// discards what the client still sends until it closes, kDrainMs pass or kDrainBytes arrive,
// and only then closes. The one drain every model uses: a blocking model's serving thread
// waits in close_gracefully; the blocking accept loop (acceptor.hpp) and the event loops
// (event_connection.hpp) keep Drains and call drain_some when a socket is readable. Nothing
// here exits the process.
#pragma once

#include <cstddef>
#include <cstdint>

#include "counters.hpp"

namespace lab {

// How long a drain lasts at most, and how much it reads at most.
inline constexpr std::uint64_t kDrainMs = 2000;
inline constexpr std::size_t kDrainBytes = 1 << 20;
// How many connections one loop (the blocking accept loop, or one event loop) drains at once.
// Past it a closing connection takes the short way: read_once, then close.
inline constexpr std::size_t kMaxDrains = 64;

// A connection being drained. Its writing side is already shut down; it owns fd until done.
struct Drain {
    int fd = -1;
    std::uint64_t deadline_ns = 0;  // CLOCK_MONOTONIC: kDrainMs after the drain began
    std::size_t drained = 0;        // bytes read and discarded so far
};

// A drain of fd that begins now.
Drain start_drain(int fd);

// Reads once without blocking and discards what it read. True when the drain is over: the
// client closed its side (or the connection failed), or kDrainBytes have been read; false
// while it goes on (nothing more to read now). Does not close d.fd.
bool drain_some(Drain& d);

// How many drains a loop has going, against kMaxDrains. One per loop, used by its thread.
class DrainBudget {
  public:
    // Takes a place; false when kMaxDrains are already draining.
    bool take();
    // Gives back a place that take() gave.
    void give_back();

  private:
    std::size_t active_ = 0;
};

// The short way, when no drain can be afforded (kMaxDrains already, or an fd that select()
// cannot watch): one non-blocking read of what the client sent, discarded. read_once_and_close
// then closes fd.
void read_once(int fd);
void read_once_and_close(int fd);

// The blocking drain of a serving thread or process: shuts down writing, drains until
// drain_some says it is over, kDrainMs pass or the server stops (each wait counted as
// blocking_ns[read]), then closes fd. Blocks the caller meanwhile.
void close_gracefully(int fd, StatsBlock& stats);

}  // namespace lab
