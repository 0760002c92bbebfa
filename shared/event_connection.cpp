// An event loop's per-connection state machine. See event_connection.hpp.
#include "event_connection.hpp"

#include <errno.h>

#include <algorithm>

#include "backend.hpp"
#include "clock.hpp"
#include "connection_io.hpp"
#include "refusal.hpp"
#include "trace.hpp"
#include "wait_board.hpp"

namespace lab {

// loc-begin: state-machine

EventConnection::EventConnection(int fd, Server& server, LoopContext& loop, bool refuse,
                                 EventSocket* socket)
    : fd_(fd),
      server_(server),
      loop_(loop),
      direct_(fd, *server.stats),
      socket_(socket != nullptr ? *socket : direct_),
      codec_(make_codec()) {
    if (trace::enabled()) task_ = peer_port(fd_);
    add(loop_.counters.connections_accepted, 1);
    if (refuse) {
        send_refusal(fd_, Refusal::MaxClients, *server_.stats);
        start_draining();
        return;
    }
    counted_ = true;  // its place in connections_active was taken when it was admitted
    add(loop_.counters.connections_active, 1);
    reset_idle_deadline();
}

EventConnection::~EventConnection() {
    finish();
}

bool EventConnection::wants_read() const {
    if (mode_ == Mode::Draining) return true;
    // A client waiting for a POST is watched for hanging up (its requests after the WAIT are
    // read into the codec, not decoded, until the WAIT is answered).
    if (mode_ == Mode::Parked && parked_for_ == Parked::Post) {
        return !input_closed_ && codec_->has_input_space();
    }
    // Stop reading requests while parked (replies go out in order), while output is large
    // (a client that does not read its replies), or while the codec is full.
    return mode_ == Mode::Serving && !input_closed_ && !close_after_flush_ &&
           out_.size() - out_sent_ < kOutputHighWater && codec_->has_input_space();
}

bool EventConnection::wants_write() const {
    return mode_ != Mode::Draining && mode_ != Mode::Finished &&
           (out_sent_ < out_.size() || body_left_ > 0);
}

void EventConnection::on_readable() {
    trace::TaskScope task(task_);
    if (mode_ == Mode::Draining) {
        if (socket_.drain(drain_)) finish();
        return;
    }
    bool watching = mode_ == Mode::Parked && parked_for_ == Parked::Post;
    if (mode_ != Mode::Serving && !watching) return;
    ssize_t got = 0;
    {
        trace::Span span(trace::Phase::Read);  // the recv itself: the loop never waits in it
        got = socket_.receive(codec_->input_space());
    }
    if (got > 0) {
        codec_->commit(static_cast<std::size_t>(got));
    } else if (got == 0) {
        input_closed_ = true;  // answer what was sent before the client shut down its side
    } else if (errno != EAGAIN) {
        finish();  // reset by the client
        return;
    }
    if (watching) {
        // A waiter whose client hung up (or shut down its side) is gone: no POST will reach it.
        if (input_closed_) {
            finish();
        } else {
            arm_wait_check();
        }
        return;
    }
    advance();
}

void EventConnection::on_writable() {
    trace::TaskScope task(task_);
    flush();
    if (mode_ == Mode::Serving) advance();
}

void EventConnection::on_deadline(std::uint64_t now_ns) {
    if (deadline_ns_ == 0 || now_ns < deadline_ns_) return;
    trace::TaskScope task(task_);
    switch (mode_) {
        case Mode::Parked:
            if (parked_for_ == Parked::Io) {  // the simulated I/O is over: the reply can go
                trace::record_async_wait(trace::Phase::IoWait, task_, parked_since_ns_,
                                         now_ns - parked_since_ns_);
                unpark(parked_reply_);
            } else if (parked_for_ == Parked::Post && now_ns < wait_deadline_ns_) {
                // A look at a waiter whose socket the loop no longer reads (arm_wait_check).
                if (socket_.peer_gone()) {
                    finish();
                } else {
                    arm_wait_check();
                }
            } else if (parked_for_ == Parked::Post) {  // no POST in time: 408, and go on
                if (!loop_.waiters.remove(waiting_key_, this)) {
                    // A POST on another loop took this waiter just now, and its value is on
                    // the way through this loop's inbox: the client gets that, not a 408.
                    deadline_ns_ = 0;
                    break;
                }
                trace::record_async_wait(trace::Phase::Peer, task_, parked_since_ns_,
                                         now_ns - parked_since_ns_);
                Reply timeout = wait_timeout_reply();
                complete_deferred(timeout, server_);
                unpark(timeout);
            }
            break;
        case Mode::Serving:
            if (wants_write()) {
                finish();  // no room made for a whole idle timeout: a reader that never reads
            } else {
                count_error(server_, false);
                queue(error_reply(ErrorCode::IdleTimeout, "idle timeout"));
                close_after_flush_ = true;
                flush();
            }
            break;
        case Mode::Draining:
            finish();
            break;
        case Mode::Finished:
            break;
    }
}

void EventConnection::park(Parked why, std::uint64_t deadline_ns) {
    mode_ = Mode::Parked;
    parked_for_ = why;
    parked_since_ns_ = mono_ns();
    deadline_ns_ = deadline_ns;
}

// The loop watches a waiter's socket to see its client leave, but only while its codec has
// room for the bytes the client sends after the WAIT (wants_read). Once it is full, the
// socket is looked at every kWaiterCheckMs instead, as the blocking models do (wait_board.hpp):
// a client that left must not be counted by the next POST.
void EventConnection::arm_wait_check() {
    deadline_ns_ = codec_->has_input_space()
                       ? wait_deadline_ns_
                       : std::min(wait_deadline_ns_, mono_ns() + kWaiterCheckMs * 1'000'000);
}

void EventConnection::unpark(const Reply& reply) {
    mode_ = Mode::Serving;
    queue(reply);
    reset_idle_deadline();
    flush();
    advance();
}

void EventConnection::on_query_done(Reply reply) {
    if (mode_ != Mode::Parked || parked_for_ != Parked::Query) return;
    trace::TaskScope task(task_);
    complete_deferred(reply, server_);
    // Only the reply here: decoding the client's next requests waits for its turn, so that a
    // chain of queries and posts never recurses through other connections.
    mode_ = Mode::Serving;
    queue(reply);
    reset_idle_deadline();
    flush();
    yielded_ = mode_ == Mode::Serving;
    loop_.touched.push_back(fd_);
}

void EventConnection::on_posted(const std::string& value) {
    if (mode_ != Mode::Parked || parked_for_ != Parked::Post) return;
    trace::TaskScope task(task_);
    trace::record_async_wait(trace::Phase::Peer, task_, parked_since_ns_,
                             mono_ns() - parked_since_ns_);
    mode_ = Mode::Serving;
    queue(ok_reply(value));
    reset_idle_deadline();
    flush();
    yielded_ = mode_ == Mode::Serving;
    loop_.touched.push_back(fd_);
}

// QUERY, WAIT and POST as an event loop does them. Returns false when the connection parked.
bool EventConnection::start_deferred(Response& response) {
    const Request& request = response.request;
    switch (response.then) {
        case Response::Then::Reply:
            return true;
        case Response::Then::Post:
            // Wakes the waiters now (each queues its reply and gets a turn of its own).
            response.reply =
                ok_reply(std::to_string(loop_.waiters.post(request.text, request.value)));
            break;
        case Response::Then::Query:
            if (server_.settings.db_blocking_in_loop) {
                // --db-blocking-in-loop: the classic mistake, made on purpose (lab 7). The
                // loop's only thread waits in libpq's blocking call for the database, and no
                // other client is read, accepted or answered meanwhile.
                response.reply = blocking_query(server_, request.query_ms, request.rows);
                break;
            }
            // Parked before the pool is asked, since it may answer inside submit(): a connect
            // that fails at once (no socket to connect to) fails every waiting query, this one
            // too, and on_query_done takes an answer only from a connection parked for it.
            park(Parked::Query, 0);  // the pool answers within its own bounded time
            if (auto now = loop_.backend.submit(this, request.query_ms, request.rows)) {
                mode_ = Mode::Serving;
                response.reply = std::move(*now);  // it could not be queued: 503 at once
                break;
            }
            return false;  // parked, or answered already (on_query_done queued the reply)
        case Response::Then::Wait:
            if (!loop_.waiters.add(request.text, this)) {
                response.reply = too_many_waiters_reply();
                break;
            }
            waiting_key_ = request.text;
            wait_deadline_ns_ = mono_ns() + request.timeout_ms * 1'000'000;
            park(Parked::Post, wait_deadline_ns_);
            arm_wait_check();
            return false;
    }
    complete_deferred(response.reply, server_);
    return true;
}

void EventConnection::resume() {
    trace::TaskScope task(task_);
    yielded_ = false;
    if (mode_ == Mode::Serving) advance();
}

void EventConnection::advance() {
    int budget = kRequestsPerTurn;
    while (mode_ == Mode::Serving) {
        bool starved = false;  // every complete request is answered or queued
        while (mode_ == Mode::Serving && !output_full()) {
            if (budget-- == 0) {
                yielded_ = true;  // the others' turn; the loop calls resume() next turn
                flush();
                return;
            }
            Decoded d = codec_->next();
            if (d.kind == Decoded::Kind::NeedMore) {
                starved = true;
                break;
            }
            add(loop_.counters.requests, 1);  // the server's own count is execute()'s
            if (d.kind == Decoded::Kind::Error) {
                count_error(server_, true);
                queue(d.error);
                continue;
            }
            // WORK's CPU time is spent right here, in the loop's only thread: every other
            // client waits for it. That is the event loop's price, and part of the lesson.
            Response response = execute(d.request, server_);
            if (!start_deferred(response)) break;  // parked until its answer or its POST
            if (response.io_wait_ms > 0 && server_.settings.blocking_io_in_loop) {
                // --blocking-io-in-loop: the classic mistake, made on purpose (lab 3). The
                // loop's only thread sleeps through this client's I/O, as a blocking model's
                // thread would, and no other client is read, accepted or answered meanwhile.
                // Counted and traced as io_wait on the loop's thread; a stop cuts it short.
                sleep_ms(response.io_wait_ms, *server_.stats);
            } else if (response.io_wait_ms > 0) {
                // Simulated I/O is a timer: park this connection, serve the others meanwhile.
                parked_reply_ = std::move(response.reply);
                park(Parked::Io, mono_ns() + response.io_wait_ms * 1'000'000);
                break;
            }
            queue(response.reply);
            reset_idle_deadline();
        }
        flush();
        if (mode_ != Mode::Serving) return;  // parked, draining or finished
        if (starved) {
            if (input_closed_ && !wants_write() && !close_after_flush_) {
                finish();  // the client is gone and everything it asked for is answered
            }
            return;
        }
        // Decoding stopped for output; if the socket took it all, decode on, else wait for
        // writability (on_writable comes back here).
        if (output_full()) return;
    }
}

bool EventConnection::output_full() const {
    // A pending WORK body must go out before the next reply's line is queued behind it.
    return close_after_flush_ || body_left_ > 0 || out_.size() - out_sent_ >= kOutputHighWater;
}

void EventConnection::queue(const Reply& reply) {
    Framing framing = codec_->encode(reply, out_);
    body_left_ = framing.body_bytes;
    body_offset_ = 0;
    if (framing.close_after) close_after_flush_ = true;
}

void EventConnection::flush() {
    while (mode_ == Mode::Serving || mode_ == Mode::Parked) {
        if (out_sent_ == out_.size()) {
            out_.clear();
            out_sent_ = 0;
            if (body_left_ == 0) break;
            // Stream the WORK body: generate one chunk at a time, never the whole reply.
            std::size_t n =
                static_cast<std::size_t>(std::min<std::uint64_t>(kBodyChunkBytes, body_left_));
            out_.resize(n);
            fill_pattern(out_.data(), n, body_offset_);
            body_offset_ += n;
            body_left_ -= n;
        }
        ssize_t sent = socket_.send(out_.data() + out_sent_, out_.size() - out_sent_);
        if (sent < 0) {
            finish();  // the client is gone; nobody else is affected
            return;
        }
        if (sent == 0) return;  // socket buffer full: wait for writability
        out_sent_ += static_cast<std::size_t>(sent);
        if (mode_ == Mode::Serving) reset_idle_deadline();  // progress: not a stalled reader
    }
    if (mode_ == Mode::Serving && close_after_flush_ && !wants_write()) {
        socket_.shutdown_write();
        start_draining();
    }
}

void EventConnection::give_back_place() {
    if (!counted_) return;
    add(server_.stats->connections_active, static_cast<std::uint64_t>(-1));
    add(loop_.counters.connections_active, static_cast<std::uint64_t>(-1));
    counted_ = false;
}

void EventConnection::start_draining() {
    give_back_place();
    if (!loop_.drains.take()) {
        socket_.read_once();
        finish();  // too many drains already: the short way, read once and close
        return;
    }
    drain_counted_ = true;
    mode_ = Mode::Draining;
    drain_ = start_drain(fd_);
    deadline_ns_ = drain_.deadline_ns;
}

void EventConnection::finish() {
    if (mode_ == Mode::Finished) return;
    if (mode_ == Mode::Parked && parked_for_ == Parked::Post)
        loop_.waiters.forget(waiting_key_, this);
    if (mode_ == Mode::Parked && parked_for_ == Parked::Query) loop_.backend.forget(this);
    mode_ = Mode::Finished;
    give_back_place();
    if (drain_counted_) loop_.drains.give_back();
    drain_counted_ = false;
    deadline_ns_ = 0;
    socket_.close();
}

void EventConnection::reset_idle_deadline() {
    deadline_ns_ = server_.idle_deadline_ns();
}

// loc-end: state-machine
}  // namespace lab
