// Coroutines: one thread serves every client, each client a C++20 coroutine written like the
// blocking models' code (read a request, execute it, wait out its I/O, write the reply) that an
// epoll loop suspends at every wait and resumes when it can go on (shared/coro_loop.hpp).
// What it costs: a coroutine frame per client on the heap instead of a thread's stack, two
// while the client is idle (serve_client's and the awaited receive's), each as large as the
// compiler makes it: every local that lives across any await of the coroutine. STATS'
// `coroutines` gives the frames alive and their bytes (tests/coroutines_test.cpp keeps the
// bytes per idle client as a test property). And as in every event loop, one client's CPU work
// stalls every other client: scheduling is cooperative, the same as the state machines'.
//
// g++ 12's coroutines have real defects, so this file keeps to what it compiles correctly:
//   - no lambda coroutines: a lambda's captures live in the lambda object, not in the frame,
//     and dangle once the lambda is gone while the coroutine is suspended. Every coroutine is
//     a plain function whose parameters are references to what outlives it (the loop, the
//     client's Parking and codec in the caller's frame) or small values copied into its frame;
//   - co_await only as a whole statement or as the initializer of a named local (`Woken w =
//     co_await ...;`), never in a condition, a `?:`, `&&` or `||`, another call's argument or
//     a braced initializer, and never on a call that binds a reference to a temporary: g++
//     has destroyed the temporaries of such full-expressions at the wrong time across the
//     suspension (GCC bug 95599 was one), so every reference an awaited call takes is to a
//     named object (plain numbers are passed by value);
//   - no co_await inside a switch, a catch block or a GNU statement expression, and no
//     structured binding initialized by a co_await: each a construct g++'s coroutine lowering
//     has got wrong; the file uses if-chains and plain named locals instead;
//   - no exceptions across an await: a coroutine that throws ends the process
//     (shared/coro_task.hpp), as the server's code throws only std::bad_alloc.
// The suites run against this model in the asan preset too (address and undefined-behaviour
// sanitizers), which would see a frame freed twice or a local used after its end.
#include <sys/socket.h>

#include <cerrno>
#include <memory>
#include <optional>
#include <string>

#include "accept_client.hpp"
#include "backend.hpp"
#include "clock.hpp"
#include "connection_io.hpp"
#include "coro_loop.hpp"
#include "drain.hpp"
#include "event_connection.hpp"
#include "event_loop.hpp"
#include "refusal.hpp"
#include "trace.hpp"
#include "wait_board.hpp"

namespace lab {
namespace {

using coro::CoroLoop;
using coro::Parking;
using coro::Task;
using coro::Woken;

// The client's place among --max-clients (taken when accept admitted it) and in its loop's
// count: given back when the connection starts closing, or when its coroutine ends or is
// destroyed at stop, whichever comes first.
class ClientPlace {
  public:
    explicit ClientPlace(CoroLoop& loop) : loop_(loop) {
        add(loop_.context.counters.connections_accepted, 1);
        add(loop_.context.counters.connections_active, 1);
    }
    ~ClientPlace() { give_back(); }
    ClientPlace(const ClientPlace&) = delete;
    ClientPlace& operator=(const ClientPlace&) = delete;
    void give_back() {
        if (!held_) return;
        held_ = false;
        add(loop_.server.stats->connections_active, static_cast<std::uint64_t>(-1));
        add(loop_.context.counters.connections_active, static_cast<std::uint64_t>(-1));
    }

  private:
    CoroLoop& loop_;
    bool held_ = true;
};

// One of the loop's kMaxDrains places, given back however the draining coroutine ends.
class DrainPlace {
  public:
    explicit DrainPlace(DrainBudget& budget) : budget_(budget) {}
    ~DrainPlace() { budget_.give_back(); }
    DrainPlace(const DrainPlace&) = delete;
    DrainPlace& operator=(const DrainPlace&) = delete;

  private:
    DrainBudget& budget_;
};

// loc-begin: coroutine
enum class Sent { Done, PeerGone, Stalled };

// Sends all n bytes, awaiting room whenever the socket buffer is full. Gives up when the
// client makes no room for an idle timeout: a reader that never reads would otherwise hold
// its coroutine, and its memory, forever. PeerGone also when its socket cannot be watched.
Task<Sent> send_all(Parking& client, const char* data, std::size_t n, Server& server) {
    while (n > 0) {
        ssize_t sent = send_some(client.fd(), data, n, *server.stats);
        if (sent < 0) co_return Sent::PeerGone;
        if (sent == 0) {
            Woken woken = co_await client.writable(server.idle_deadline_ns());
            if (woken == Woken::Failed) co_return Sent::PeerGone;
            if (woken == Woken::Deadline) co_return Sent::Stalled;
            continue;
        }
        data += sent;
        n -= static_cast<std::size_t>(sent);
    }
    co_return Sent::Done;
}

// Sends a reply, the head and the body's first chunk in one send; `close_after` says whether
// the codec wants the connection closed after it.
Task<Sent> send_reply(Parking& client, Codec& codec, const Reply& reply, Server& server,
                      bool& close_after) {
    std::string buffer;
    Framing framing = codec.encode(reply, buffer);
    close_after = framing.close_after;
    std::uint64_t offset = 0;
    Sent result = Sent::Done;
    do {
        std::size_t n = static_cast<std::size_t>(
            std::min<std::uint64_t>(kBodyChunkBytes, framing.body_bytes - offset));
        std::size_t head = buffer.size();
        buffer.resize(head + n);
        fill_pattern(buffer.data() + head, n, offset);
        offset += n;
        result = co_await send_all(client, buffer.data(), buffer.size(), server);
        buffer.clear();
    } while (result == Sent::Done && offset < framing.body_bytes);
    co_return result;
}

enum class Received { Data, Closed, TimedOut };

// Awaits and reads more request bytes into the codec. Closed also when the socket cannot be
// watched (Woken::Failed): the client is then closed as one that left, without a reply.
Task<Received> receive(Parking& client, Codec& codec, std::uint64_t deadline, Server& server) {
    while (true) {
        ssize_t got = 0;
        int error = 0;
        {
            trace::Span span(trace::Phase::Read);  // the recv itself: the loop never waits in it
            got = recv_some(client.fd(), codec.input_space(), *server.stats);
            error = errno;
        }
        if (got > 0) {
            codec.commit(static_cast<std::size_t>(got));
            co_return Received::Data;
        }
        if (got == 0 || error != EAGAIN) co_return Received::Closed;  // EOF, or a reset
        Woken woken = co_await client.readable(deadline);
        if (woken == Woken::Failed) co_return Received::Closed;
        if (woken == Woken::Deadline) co_return Received::TimedOut;
    }
}

// Closes without destroying the last reply (drain.hpp): shuts down writing, then reads and
// discards until the client closes or kDrainMs pass, as one of the loop's kMaxDrains; past
// them, the short way. The caller's Parking closes the socket afterwards.
Task<> drain(Parking& client, CoroLoop& loop) {
    shutdown(client.fd(), SHUT_WR);
    if (!loop.context.drains.take()) {
        read_once(client.fd());
        co_return;
    }
    DrainPlace place(loop.context.drains);
    Drain d = start_drain(client.fd());
    while (!drain_some(d)) {
        Woken woken = co_await client.readable(d.deadline_ns);
        if (woken == Woken::Deadline || woken == Woken::Failed) break;
    }
}

// WAIT: on the loop's board until a POST brings a value (OK value) or the timeout passes
// (ERR 408); nullopt when the client left meanwhile, or when its socket cannot be watched (it
// is then closed as one that left). The client's socket is watched all the while, so that a
// client who left is not counted by the next POST: what it sends after the WAIT is read into
// the codec for later; once the codec is full, the socket is looked at every kWaiterCheckMs
// instead, as the blocking models do (wait_board.hpp).
Task<std::optional<Reply>> wait_for_post(const Request& request, Parking& client, Codec& codec,
                                         Server& server) {
    if (!client.add_waiter(request.text)) co_return too_many_waiters_reply();
    std::uint64_t since = mono_ns();
    std::uint64_t until = since + request.timeout_ms * 1'000'000;
    while (true) {
        bool watch = codec.has_input_space();
        std::uint64_t look =
            watch ? until : std::min(until, mono_ns() + kWaiterCheckMs * 1'000'000);
        Woken woken = co_await client.answer(watch, look);
        if (woken == Woken::Answer) break;
        if (woken == Woken::Failed) co_return std::nullopt;
        if (woken == Woken::Ready) {
            ssize_t got = recv_some(client.fd(), codec.input_space(), *server.stats);
            int error = errno;
            if (got > 0) codec.commit(static_cast<std::size_t>(got));
            if (got == 0 || (got < 0 && error != EAGAIN)) co_return std::nullopt;  // it left
            continue;
        }
        if (mono_ns() < until) {
            if (peer_hung_up(client.fd())) co_return std::nullopt;
            continue;
        }
        // Its time ran out, and it is still on the board: a POST that took it off would have
        // woken it with the answer, and only this loop's POSTs can (remove_waiter).
        client.remove_waiter();
        trace::record_async_wait(trace::Phase::Peer, client.task(), since, mono_ns() - since);
        co_return wait_timeout_reply();
    }
    trace::record_async_wait(trace::Phase::Peer, client.task(), since, mono_ns() - since);
    co_return client.take_answer();
}

// QUERY, WAIT and POST as this model does them: the coroutine awaits the database pool's
// answer or another client's POST where a blocking model's thread waits in a call. nullopt:
// the client left while it waited (no reply then).
Task<std::optional<Reply>> run_deferred(const Response& response, Parking& client, Codec& codec,
                                        CoroLoop& loop) {
    const Request& request = response.request;
    Server& server = loop.server;
    if (response.then == Response::Then::Reply) co_return response.reply;
    Reply reply;
    if (response.then == Response::Then::Post) {
        // Wakes the waiters now; each goes on in the loop's turn, not inside this one.
        reply = ok_reply(std::to_string(loop.context.waiters.post(request.text, request.value)));
    } else if (response.then == Response::Then::Query && server.settings.db_blocking_in_loop) {
        // --db-blocking-in-loop: the classic mistake, made on purpose (lab 7). The loop's only
        // thread waits in libpq's blocking call, and every client with it.
        reply = blocking_query(server, request.query_ms, request.rows);
    } else if (response.then == Response::Then::Query) {
        std::optional<Reply> now = client.submit_query(request.query_ms, request.rows);
        if (now) {
            reply = std::move(*now);  // it could not be queued: 503 at once
        } else {
            co_await client.answer(false, 0);  // the pool answers within its own bounded time
            reply = client.take_answer();
        }
    } else {  // Wait
        std::optional<Reply> posted = co_await wait_for_post(request, client, codec, server);
        if (!posted) co_return std::nullopt;
        reply = std::move(*posted);
    }
    complete_deferred(reply, server);
    co_return reply;
}

// One client, top to bottom, as shared/blocking_session.cpp serves it: read a request,
// execute it, wait out its simulated I/O, write the reply, repeat. Every wait is an await, so
// the loop serves the other clients meanwhile.
Task<> serve_client(CoroLoop& loop, int fd, std::uint16_t task) {
    Server& server = loop.server;
    Parking client(loop, fd, /*owns_fd=*/true, task);  // closes fd when the coroutine ends
    ClientPlace place(loop);
    std::unique_ptr<Codec> codec = make_codec();
    // "No complete request within --idle-timeout": the clock starts when the connection begins
    // waiting for a request and is not reset by a partial one (a trickling client times out).
    std::uint64_t deadline = server.idle_deadline_ns();
    int in_a_row = 0;  // requests served since the last read: a pipelining client yields
    while (true) {
        Decoded d = codec->next();
        if (d.kind == Decoded::Kind::NeedMore) {
            in_a_row = 0;
            Received r = co_await receive(client, *codec, deadline, server);
            if (r == Received::Data) continue;
            if (r == Received::TimedOut) {
                count_error(server, false);
                Reply timeout = error_reply(ErrorCode::IdleTimeout, "idle timeout");
                bool close_after = true;
                Sent sent = co_await send_reply(client, *codec, timeout, server, close_after);
                place.give_back();
                if (sent == Sent::Done) co_await drain(client, loop);
            }
            co_return;  // closed, timed out, or the 408 could not be sent
        }
        add(loop.context.counters.requests, 1);  // the server's own count is execute()'s
        Reply reply;
        if (d.kind == Decoded::Kind::Error) {
            count_error(server, true);
            reply = std::move(d.error);
        } else {
            // WORK's CPU time is spent right here, in the loop's only thread: every other
            // client waits for it. Cooperative scheduling: that is the lesson.
            Response response = execute(d.request, server);
            if (response.io_wait_ms > 0 && server.settings.blocking_io_in_loop) {
                // --blocking-io-in-loop: the classic mistake, made on purpose (lab 3): the
                // loop's only thread sleeps, and no other client is served meanwhile.
                if (!sleep_ms(response.io_wait_ms, *server.stats)) co_return;  // stopping
            } else if (response.io_wait_ms > 0) {
                // Simulated I/O: a timer; the other clients are served meanwhile.
                std::uint64_t since = mono_ns();
                co_await client.sleep_until(since + response.io_wait_ms * 1'000'000);
                trace::record_async_wait(trace::Phase::IoWait, task, since, mono_ns() - since);
            }
            std::optional<Reply> deferred = co_await run_deferred(response, client, *codec, loop);
            if (!deferred) co_return;  // the client left while it waited
            reply = std::move(*deferred);
        }
        bool close_after = false;
        Sent sent = co_await send_reply(client, *codec, reply, server, close_after);
        if (sent != Sent::Done) co_return;
        if (close_after) {
            // QUIT, 413, or HTTP without keep-alive: drain before closing, so that the reply
            // is not reset away by request bytes the client sent after it.
            place.give_back();
            co_await drain(client, loop);
            co_return;
        }
        deadline = server.idle_deadline_ns();
        if (++in_a_row == kRequestsPerTurn) {
            // Pipelined requests are all in the buffer, so no read waits: without this the
            // client would hold the loop's only thread while everyone else waits.
            in_a_row = 0;
            co_await client.next_turn();
        }
    }
}
// loc-end: coroutine

// A client over --max-clients: ERR 503, then a drain, then closed.
Task<> refuse_client(CoroLoop& loop, int fd, std::uint16_t task) {
    Parking client(loop, fd, /*owns_fd=*/true, task);
    add(loop.context.counters.connections_accepted, 1);
    send_refusal(fd, Refusal::MaxClients, *loop.server.stats);
    co_await drain(client, loop);
}

// Takes the new clients in, each a coroutine of its own: at most kMaxAcceptsPerTurn at each
// wake, the rest wait in the listen backlog for the next turn.
Task<> accept_clients(CoroLoop& loop) {
    Server& server = loop.server;
    Parking listener(loop, server.listen_fd, /*owns_fd=*/false, 0);
    while (true) {
        Woken woken = co_await listener.readable();
        // The listener cannot be watched (park said why): no client can come in, so this
        // coroutine ends, and with it the loop (CoroLoop::run).
        if (woken == Woken::Failed) co_return;
        for (int i = 0; i < kMaxAcceptsPerTurn; ++i) {
            int fd = accept_client(server.listen_fd, *server.stats);
            if (fd < 0) break;  // none pending (or one that failed harmlessly: accept_client)
            std::uint16_t task = trace::enabled() ? peer_port(fd) : 0;
            if (add_below(server.stats->connections_active, server.settings.max_clients)) {
                loop.spawn(serve_client(loop, fd, task), task);
            } else {
                loop.spawn(refuse_client(loop, fd, task), task);
            }
        }
    }
}

}  // namespace

void serve_coroutines(Server& server) {
    trace::name_thread("event loop");
    CoroLoop loop(server);
    // Until the stop latch is set, or until the loop fails (its line on stderr says why),
    // as every loop's serve function does.
    loop.run(accept_clients(loop));
    // The loop's end destroys every coroutine left, each closing its socket.
}

}  // namespace lab
