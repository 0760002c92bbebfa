// One client of an event loop (select, poll, epoll, libevent, uring): the state a blocking model
// keeps on its thread's stack, kept here between callbacks instead. The loop tells the
// connection what happened (readable, writable, a deadline passed, its query answered, a POST
// for its WAIT); the connection says what it wants next (wants_read, wants_write, deadline_ns).
// Its bytes move through an EventSocket (event_socket.hpp): the socket's own system calls in the
// readiness loops and libevent, the completion loop's buffers in uring. It never blocks, unless
// the server runs with --blocking-io-in-loop (WORK's simulated I/O sleeps in the loop's thread)
// or --db-blocking-in-loop (QUERY waits for the database in it), on purpose.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "event_socket.hpp"
#include "loop_context.hpp"
#include "parked_client.hpp"
#include "service.hpp"

namespace lab {

// Output a connection may have queued before it stops decoding requests: a client that
// does not read its replies stops being read from, and costs at most this much memory.
inline constexpr std::size_t kOutputHighWater = std::size_t{64} * 1024;

// Requests one connection may have executed per turn of the loop. A client that pipelines
// hundreds of requests must not hold the loop's only thread while everyone else waits; it
// yields and goes on at the next turn.
inline constexpr int kRequestsPerTurn = 16;

// loc-begin: state-machine
// Not thread-safe: belongs to the loop thread.
class EventConnection final : public ParkedClient {
  public:
    // Takes ownership of the non-blocking fd. `loop` is what the loop's connections share
    // (loop_context.hpp). Unless refused, the client holds one of --max-clients' places in
    // connections_active, taken by whoever admitted it (accept_clients, or the accepting thread
    // of epoll --loops N --accept dispatch), and the connection gives it back when it ends.
    // With refuse=true the client is refused at once (ERR 503 over --max-clients:
    // send_refusal, made on fd directly) and the connection only drains.
    // `socket` moves the bytes (null: a DirectSocket of its own, the socket's system calls);
    // the loop owns a socket it passes, which must outlive the connection.
    EventConnection(int fd, Server& server, LoopContext& loop, bool refuse = false,
                    EventSocket* socket = nullptr);
    ~EventConnection();
    EventConnection(const EventConnection&) = delete;
    EventConnection& operator=(const EventConnection&) = delete;

    int fd() const { return fd_; }
    // What the connection wants the loop to watch its socket for now. Questions only: they
    // change nothing, so a loop may ask them as often as it likes.
    bool wants_read() const;
    bool wants_write() const;
    // The connection's one deadline (CLOCK_MONOTONIC ns; 0 = none): the end of a simulated
    // I/O wait, the idle timeout, a stalled reader's timeout, or the end of a drain.
    std::uint64_t deadline_ns() const { return deadline_ns_; }
    bool finished() const { return mode_ == Mode::Finished; }
    // True while the client is being served (not refused, not draining): it counts
    // towards --max-clients.
    bool counts_as_client() const { return counted_; }

    void on_readable();
    void on_writable();
    void on_deadline(std::uint64_t now_ns);
    // True when it stopped at kRequestsPerTurn with complete requests still buffered: the
    // loop must give it another turn without waiting for its socket (resume()).
    bool yielded() const { return yielded_; }
    void resume();

    // Its QUERY's answer (AsyncBackend), and the value of a POST to the key it WAITs on
    // (EventWaiters). Each queues the reply and asks the loop for a turn (LoopContext::touched).
    void on_query_done(Reply reply) override;
    void on_posted(const std::string& value) override;
    // The client's port: its task id in a trace.
    std::uint16_t task() const override { return task_; }

  private:
    enum class Mode { Serving, Parked, Draining, Finished };
    // What a parked connection waits for: the end of WORK's simulated I/O (a timer), its
    // QUERY's answer, or a POST (with its WAIT's timeout as the deadline).
    enum class Parked { Io, Query, Post };
    bool start_deferred(Response& response);  // false: parked, the reply comes later
    void park(Parked why, std::uint64_t deadline_ns);
    void arm_wait_check();  // while parked for a POST: the next look at the client
    void unpark(const Reply& reply);
    void advance();            // decode and execute buffered requests while output allows
    bool output_full() const;  // no more replies may be queued until output drains
    void queue(const Reply& reply);
    void flush();  // write what the socket takes now
    void start_draining();
    void finish();
    void give_back_place();  // the client no longer counts towards --max-clients
    void reset_idle_deadline();

    int fd_;
    Server& server_;
    LoopContext& loop_;
    DirectSocket direct_;  // unused when the loop passed a socket of its own
    EventSocket& socket_;
    std::unique_ptr<Codec> codec_;
    Mode mode_ = Mode::Serving;
    std::string out_;              // encoded bytes not yet sent
    std::size_t out_sent_ = 0;     // how much of out_ is already sent
    std::uint64_t body_left_ = 0;  // WORK body bytes still to generate
    std::uint64_t body_offset_ = 0;
    Reply parked_reply_;  // sent when the simulated I/O of a WORK ends
    Parked parked_for_ = Parked::Io;
    std::string waiting_key_;             // while parked for a POST
    std::uint64_t wait_deadline_ns_ = 0;  // while parked for a POST: its WAIT's timeout
    bool close_after_flush_ = false;
    bool input_closed_ = false;   // the client shut down its side; finish its requests
    bool drain_counted_ = false;  // holds a place in drains_
    bool yielded_ = false;
    bool counted_ = false;
    std::uint64_t deadline_ns_ = 0;
    Drain drain_;                        // while Draining
    std::uint16_t task_ = 0;             // the client's port, for --trace
    std::uint64_t parked_since_ns_ = 0;  // when the wait began, for --trace
};
// loc-end: state-machine

}  // namespace lab
