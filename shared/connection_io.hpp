// What a client connection's code calls to move bytes and to wait: non-blocking send and
// receive that count bytes_in and bytes_out, and the blocking models' waits (for a socket,
// or the simulated I/O's sleep), each cut short by the stop latch. Used by the blocking
// session, the event connection and the refusals. Safe from any thread: each call touches
// only the descriptor it is given and the counter block's atomics. Nothing here exits.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <span>

#include "counters.hpp"

namespace lab {

// Sends what it can of data without blocking; returns bytes sent (0 when the socket buffer
// is full) or -1 when the peer is gone. Counts bytes_out.
ssize_t send_some(int fd, const char* data, std::size_t n, StatsBlock& stats);
// Receives without blocking: bytes read, 0 at end of stream, -1 when nothing is there yet
// (errno EAGAIN) or the connection failed (other errno). Counts bytes_in.
ssize_t recv_some(int fd, std::span<char> into, StatsBlock& stats);

enum class WaitResult { Ready, Timeout, Stopped, Error };

// Waits until fd has `events` (POLLIN/POLLOUT), the deadline (CLOCK_MONOTONIC ns; 0 = none)
// passes, or the server is stopping. The time is added to blocking_ns[kind].
WaitResult wait_fd(int fd, short events, std::uint64_t deadline_ns, StatsBlock& stats,
                   Blocking kind);

// Sleeps for ms milliseconds unless the server stops first (then returns false). Counted as
// blocking_ns[io_wait]: this is the blocking models' simulated I/O (and an event loop's with
// --blocking-io-in-loop).
bool sleep_ms(std::uint64_t ms, StatsBlock& stats);

// Whether the peer on fd has hung up or shut down its side, whatever unread bytes wait (one
// poll() for POLLRDHUP, without waiting).
bool peer_hung_up(int fd);

// The client's port on a connected socket (0 if unknown): the id of its task in a trace,
// which the client side also knows, so both sides' spans can be matched.
std::uint16_t peer_port(int fd);

}  // namespace lab
