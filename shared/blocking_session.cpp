// The blocking models' per-connection loop. See blocking_session.hpp.
#include "blocking_session.hpp"

#include <errno.h>
#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <memory>

#include "backend.hpp"
#include "connection_io.hpp"
#include "drain.hpp"
#include "trace.hpp"
#include "wait_board.hpp"

namespace lab {
namespace {
// loc-begin: blocking-session

enum class Sent { Done, PeerGone, Stalled, Stopped };

// Sends all n bytes, waiting (blocking_ns[write]) whenever the socket buffer is full. Gives
// up when the client makes no room for an idle timeout: a reader that never reads would
// otherwise hold this connection forever.
Sent send_all(int fd, const char* data, std::size_t n, Server& server) {
    while (n > 0) {
        ssize_t sent = send_some(fd, data, n, *server.stats);
        if (sent < 0) return Sent::PeerGone;
        if (sent == 0) {
            switch (
                wait_fd(fd, POLLOUT, server.idle_deadline_ns(), *server.stats, Blocking::Write)) {
                case WaitResult::Ready:
                    continue;
                case WaitResult::Timeout:
                    return Sent::Stalled;
                case WaitResult::Stopped:
                    return Sent::Stopped;
                case WaitResult::Error:
                    return Sent::PeerGone;
            }
        }
        data += sent;
        n -= static_cast<std::size_t>(sent);
    }
    return Sent::Done;
}

// Sends a reply; `close_after` says whether the codec wants the connection closed after it.
Sent send_reply(int fd, Codec& codec, const Reply& reply, Server& server, bool& close_after) {
    // The head and the body's first chunk go out in one send: one system call, one packet.
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
        result = send_all(fd, buffer.data(), buffer.size(), server);
        buffer.clear();
    } while (result == Sent::Done && offset < framing.body_bytes);
    return result;
}

enum class Received { Data, Closed, TimedOut, Stopped };

// Waits for and reads more request bytes into the codec.
Received receive(int fd, Codec& codec, std::uint64_t deadline, Server& server) {
    while (true) {
        ssize_t got = recv_some(fd, codec.input_space(), *server.stats);
        if (got > 0) {
            codec.commit(static_cast<std::size_t>(got));
            return Received::Data;
        }
        if (got == 0 || errno != EAGAIN) return Received::Closed;  // EOF, or a reset
        switch (wait_fd(fd, POLLIN, deadline, *server.stats, Blocking::Read)) {
            case WaitResult::Ready:
                break;
            case WaitResult::Timeout:
                return Received::TimedOut;
            case WaitResult::Stopped:
                return Received::Stopped;
            case WaitResult::Error:
                return Received::Closed;
        }
    }
}

// QUERY, WAIT and POST as a blocking model does them: in the serving thread, which waits for
// the database (backend.hpp) or for another client's POST (wait_board.hpp). `gone` says the
// client left while it waited (or the server is stopping): no reply then.
Reply run_deferred(const Response& response, int fd, Server& server, bool& gone) {
    const Request& request = response.request;
    Reply reply;
    gone = false;
    switch (response.then) {
        case Response::Then::Reply:
            return response.reply;
        case Response::Then::Query:
            reply = blocking_query(server, request.query_ms, request.rows);
            break;
        case Response::Then::Wait:
            reply = server.board->wait(request.text, request.timeout_ms, fd, *server.stats, gone);
            break;
        case Response::Then::Post:
            reply = ok_reply(
                std::to_string(server.board->post(request.text, request.value, *server.stats)));
            break;
    }
    complete_deferred(reply, server);
    return reply;
}

}  // namespace

void serve_connection(int fd, Server& server, const std::function<void()>& after_reply) {
    std::unique_ptr<Codec> codec = make_codec();
    trace::TaskScope task(trace::enabled() ? peer_port(fd) : 0);  // spans carry the client's port
    // "No complete request within --idle-timeout": the clock starts when the connection begins
    // waiting for a request and is not reset by a partial one (a trickling client times out).
    std::uint64_t deadline = server.idle_deadline_ns();
    while (true) {
        Decoded d = codec->next();
        if (d.kind == Decoded::Kind::NeedMore) {
            Received r = receive(fd, *codec, deadline, server);
            if (r == Received::Data) continue;
            if (r == Received::TimedOut) {
                count_error(server, false);
                Reply timeout = error_reply(ErrorCode::IdleTimeout, "idle timeout");
                bool close_after = true;
                if (send_reply(fd, *codec, timeout, server, close_after) == Sent::Done) {
                    close_gracefully(fd, *server.stats);
                    return;
                }
            }
            break;  // closed, stopped, or the 408 could not be sent
        }
        Reply reply;
        if (d.kind == Decoded::Kind::Error) {
            count_error(server, true);
            reply = std::move(d.error);
        } else {
            Response response = execute(d.request, server);
            if (response.io_wait_ms > 0 && !sleep_ms(response.io_wait_ms, *server.stats)) break;
            bool gone = false;
            reply = run_deferred(response, fd, server, gone);
            if (gone) break;
        }
        bool close_after = false;
        Sent sent = send_reply(fd, *codec, reply, server, close_after);
        if (after_reply) after_reply();
        if (sent != Sent::Done) break;
        if (close_after) {
            // QUIT, 413, or HTTP without keep-alive: drain before closing, so that the reply
            // is not reset away by request bytes the client sent after it.
            close_gracefully(fd, *server.stats);
            return;
        }
        deadline = server.idle_deadline_ns();
    }
    close(fd);
}

// loc-end: blocking-session
}  // namespace lab
