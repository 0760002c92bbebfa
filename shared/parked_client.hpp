// A client parked with one of an event loop's shared services until they answer: the database
// pool (async_backend.hpp: its QUERY's reply) and the board of WAITs (event_waiters.hpp: the
// value a POST brings). Two kinds of client park there: an EventConnection (the loops that
// call a state machine back: select, poll, epoll, libevent) and a coroutine's Parking (the
// coroutines model, coro_loop.hpp). The services keep the address, never own it: a client
// that goes away first must tell them (AsyncBackend::forget, EventWaiters::forget).
// Not thread-safe: called only in the thread of the loop the client belongs to.
#pragma once

#include <cstdint>
#include <string>

#include "protocol.hpp"

namespace lab {

class ParkedClient {
  public:
    // Its QUERY's answer (AsyncBackend), and the value of a POST to the key it WAITs on
    // (EventWaiters). Neither may run the client's next requests at once: each queues what it
    // got and asks its loop for a turn, so that a chain of answers never recurses.
    virtual void on_query_done(Reply reply) = 0;
    virtual void on_posted(const std::string& value) = 0;
    // The client's port: its task id in a trace (0 without --trace).
    virtual std::uint16_t task() const = 0;

  protected:
    ParkedClient() = default;
    ~ParkedClient() = default;  // never deleted through this interface
    ParkedClient(const ParkedClient&) = default;
    ParkedClient& operator=(const ParkedClient&) = default;
};

}  // namespace lab
