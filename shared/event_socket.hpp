// How an event loop's connection (event_connection.hpp) moves its bytes. The connection decides
// what to read, what to send and when to close; an EventSocket does it. The readiness loops
// (select, poll, epoll) give every connection a DirectSocket: each call is the system call on
// the socket, made at once, because the loop has just been told that the socket is ready.
// The completion loop (uring, models/uring_loop.cpp) gives each connection a socket of its own
// kind, whose calls move bytes between the connection and buffers that the kernel fills and
// sends from: to the connection, a completion looks like readiness of those buffers, so one
// class of connection serves every loop. Not thread-safe: belongs to the loop's thread.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <span>

#include "counters.hpp"
#include "drain.hpp"

namespace lab {

class EventSocket {
  public:
    virtual ~EventSocket() = default;
    // Bytes received: how many were copied into `into`, 0 at end of stream, -1 when nothing
    // is there yet (errno EAGAIN) or the connection failed (another errno). Counts bytes_in.
    virtual ssize_t receive(std::span<char> into) = 0;
    // Takes what it can of data now: bytes taken (0 when no more fits now: wait until the
    // loop says the socket is writable again), or -1 when the peer is gone.
    virtual ssize_t send(const char* data, std::size_t n) = 0;
    // Shuts down writing once every byte taken so far has gone out.
    virtual void shutdown_write() = 0;
    // One step of a drain (drain.hpp, drain_some's contract): reads what is there and drops
    // it; true when the drain is over.
    virtual bool drain(Drain& d) = 0;
    // The short way when no drain can be afforded (drain.hpp, read_once).
    virtual void read_once() = 0;
    // Whether the peer has hung up or shut down its side, whatever unread bytes wait.
    virtual bool peer_gone() = 0;
    // The connection is over: the socket is closed (when, is the socket's business: a
    // completion loop first waits for the operations the kernel still has in flight).
    virtual void close() = 0;
};

// The readiness loops' socket: each call is one system call on fd, at once.
class DirectSocket final : public EventSocket {
  public:
    DirectSocket(int fd, StatsBlock& stats) : fd_(fd), stats_(stats) {}
    ssize_t receive(std::span<char> into) override;
    ssize_t send(const char* data, std::size_t n) override;
    void shutdown_write() override;
    bool drain(Drain& d) override;
    void read_once() override;
    bool peer_gone() override;
    void close() override;

  private:
    int fd_;
    StatsBlock& stats_;
};

}  // namespace lab
