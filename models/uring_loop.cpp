// io_uring loop: one thread, and the kernel does the I/O. The readiness loops (select, poll,
// epoll) wait to be told that a socket is ready and then make the system call themselves; this
// loop submits the operations to a ring it shares with the kernel and is told when each is
// done. Many operations go in and many completions come out per io_uring_enter(), so a turn
// costs one system call however many clients it serves; but the kernel now owns the loop's
// buffers while an operation is in flight, and every close must wait for its operations.
//
// What is in flight (liburing 2.3, Linux 6.0 or later: shared/uring_probe.hpp):
//   - one multishot accept on the listening socket: each new client is a completion;
//   - one multishot receive per connection into a provided buffer ring, registered by hand
//     (liburing 2.3 has no io_uring_setup_buf_ring): the kernel takes a buffer of the ring for
//     each completion, and the loop copies the bytes out and gives the buffer back at once;
//   - at most one send per connection, so that replies stay in order; a short send is
//     submitted again for the rest;
//   - each connection's one deadline (the end of WORK's simulated I/O, its idle timeout, a
//     drain's end, a WAIT's timeout) as an IORING_OP_TIMEOUT at that time: WORK's simulated
//     I/O is an operation the kernel completes, like the others. As in epoll, a timer may come
//     early (every request moves the idle deadline later; moving the timer each time would cost
//     a submission per request) and is then set again;
//   - one-shot polls on the stop latch and on the database pool's sockets (QUERY). libpq does
//     its own reads and writes and wants readiness, and it does not promise to read until
//     EAGAIN, so each poll is level-triggered: armed again for what the pool wants after each
//     completion (a multishot poll reports only wake-ups, and a socket libpq left readable
//     would never be reported again). A few sockets and a few polls a query.
//
// The connections are EventConnections, as in every other loop: what a connection decides
// (decoding, parking for WORK's I/O, QUERY and WAIT, idle timeouts, drains) does not depend on
// how its bytes move. Under it, each connection's EventSocket (event_socket.hpp) is its Conn
// here: a receive takes bytes the kernel has already put in the Conn's input, a send copies
// bytes into the Conn's output, which the kernel sends from, and the loop gives a connection a
// turn when those buffers change, as a readiness loop does when its socket does. So a completion
// looks to the connection like readiness of buffers the loop owns, and one class serves every
// loop; a completion-shaped sibling class would have repeated all of its decisions for the sake
// of its two calls that move bytes.
//
// What io_uring asks of a server, and where it is handled here:
//   - the buffer ring running dry: a receive completes with -ENOBUFS and its multishot ends;
//     the connection's receive is submitted again at the end of the turn, once the turn's
//     completions have given their buffers back (settle);
//   - a completion without IORING_CQE_F_MORE: that multishot operation has ended (an error, the
//     end of the stream, a cancel, no buffers) and is submitted again if still wanted;
//   - a connection that ends with operations in flight: its receive and its timer are
//     cancelled, what it still had to send goes out (for at most kDrainMs), and only when no
//     operation of it is left does the loop close its socket (IORING_OP_CLOSE: closing earlier
//     would not even close it, since each operation holds a reference to the socket) and free
//     its buffers, never before the kernel is done with them;
//   - a client that sends without reading its replies: bytes received while its connection
//     does not want them wait in its Conn up to kHeldInputBytes; past that its receive is
//     cancelled, and TCP's flow control holds the client back as it does in the other loops;
//   - io-wq workers: operations the kernel cannot complete without blocking go to worker
//     threads of the server process (named iou-wrk-PID), which count in its thread and
//     context-switch figures; the harness counts them apart (results/SCHEMA.md:
//     server.peak_kernel_threads). A socket's operations complete from its own wake-ups, so
//     this loop makes none: the one it would (IORING_OP_SHUTDOWN always goes to a worker) is a
//     plain system call here (Conn::shut_down_writing).
#include <liburing.h>
#include <poll.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "accept_client.hpp"
#include "blocking.hpp"
#include "clock.hpp"
#include "connection_io.hpp"
#include "event_loop.hpp"
#include "models.hpp"
#include "signals.hpp"
#include "trace.hpp"

namespace lab {
namespace {

// Submissions queued before the loop must enter the kernel to make room (next_sqe). A turn
// usually queues far fewer, and all of them go in with the turn's one io_uring_enter.
inline constexpr unsigned kSubmissionEntries = 1024;
// Completions the kernel can post before the loop reaps them. Multishot operations post many
// per submission; past this the kernel keeps the rest in a list of its own (IORING_FEAT_NODROP,
// which the loop requires) and posts them as the loop makes room.
inline constexpr unsigned kCompletionEntries = 8 * kSubmissionEntries;
// Completions one turn handles at most: the rest wait for the next turn, so that a turn's work
// stays bounded (epoll's kMaxEventsPerTurn).
inline constexpr unsigned kCompletionsPerTurn = 256;
// The size of each buffer of the provided buffer ring. A receive completion fills one buffer at
// most, and a request line is at most 4096 bytes: one to a few completions a request. (The ring
// holds --recv-buffers of them: ServerSettings::recv_buffers.)
inline constexpr unsigned kRecvBufferBytes = 2048;
inline constexpr unsigned short kBufferGroup = 0;
// Bytes of one connection that the kernel may be sending plus those queued behind them: what a
// socket's send buffer is to a readiness loop. A connection's send() takes no more until the
// kernel has sent some.
inline constexpr std::size_t kSendBufferBytes = kOutputHighWater;
// Received bytes a connection may hold that it has not taken yet (it parked, or its output is
// full). Past this its receive is cancelled until it has taken them.
inline constexpr std::size_t kHeldInputBytes = std::size_t{64} * 1024;
// What may still arrive in the moment before that cancel takes effect is kept too; a
// connection holding more than this is closed (its client sends without end and reads nothing).
inline constexpr std::size_t kMaxHeldInputBytes = std::size_t{1} << 20;
// How long the loop waits at shutdown for the kernel to complete what it cancelled.
inline constexpr std::uint64_t kShutdownWaitNs = std::uint64_t{2'000'000'000};

// What a completion is for, in the low bits of its user_data. A connection's operations carry
// the address of its Conn above them (Conns are aligned to 16 bytes); a database socket's poll
// carries the socket and a generation (backend_tag).
enum class Op : std::uint64_t {
    Accept,   // the multishot accept
    Stop,     // the poll on the stop latch
    Backend,  // a poll on a database socket
    Receive,  // a connection's multishot receive
    Send,     // a connection's send
    Timeout,  // a connection's deadline
    Close,    // a connection's close: its last operation
    Ignored,  // cancels and timer updates: their results change nothing
};
inline constexpr std::uint64_t kOpMask = 0xF;

struct Loop;

// One client connection: its EventConnection, and the buffers and operations the kernel works
// on for it. Outlives its EventConnection until its last operation has completed.
struct alignas(16) Conn final : EventSocket {
    Conn(Loop& l, int socket) : loop(l), fd(socket) {}

    // EventSocket: what the connection calls (event_socket.hpp).
    ssize_t receive(std::span<char> into) override;
    ssize_t send(const char* data, std::size_t n) override;
    void shutdown_write() override;
    bool drain(Drain& d) override;
    void read_once() override;
    bool peer_gone() override;
    void close() override {}  // the loop closes it when its operations are done (begin_close)

    std::size_t held() const { return input.size() - input_taken; }
    std::size_t queued() const { return sending.size() - sending_done + waiting.size(); }
    bool readable() const { return held() > 0 || input_ended || input_error != 0; }
    bool writable() const { return send_failed || queued() < kSendBufferBytes; }
    std::uint64_t tag(Op op) const {
        return reinterpret_cast<std::uint64_t>(this) | std::uint64_t(op);
    }
    void discard_input();
    void start_send();
    void submit_send();
    void shut_down_writing();

    Loop& loop;
    const int fd;
    std::unique_ptr<EventConnection> client;  // null once the connection is over
    // Received: bytes the kernel delivered that the connection has not taken, and how the
    // stream ended (errno of a failed receive).
    std::string input;
    std::size_t input_taken = 0;
    bool input_ended = false;
    int input_error = 0;
    bool receive_armed = false;
    bool receive_cancelled = false;
    // Sending: `sending` belongs to the kernel while a send is in flight, and is not touched
    // then; `waiting` collects what the connection sends meanwhile.
    std::string sending;
    std::size_t sending_done = 0;
    std::string waiting;
    bool send_in_flight = false;
    bool send_cancelled = false;
    bool send_failed = false;
    bool shutdown_wanted = false;  // once everything taken has been sent
    // The timer: armed for alarm_ns, which is never later than the connection's deadline.
    // alarm_ts is read by the kernel when the submission goes in.
    bool timeout_armed = false;
    bool timeout_removed = false;
    std::uint64_t alarm_ns = 0;
    __kernel_timespec alarm_ts{};
    // Ending: what it still sends may go out until linger_ns; then the socket is closed.
    bool closing = false;
    std::uint64_t linger_ns = 0;
    bool close_submitted = false;
    bool in_ready = false;  // on the loop's list of connections to serve
};

// The provided buffer ring: kRecvBufferBytes buffers that the kernel fills, one a receive
// completion, and that the loop gives back once it has copied them out.
struct BufferRing {
    io_uring_buf_ring* ring = nullptr;  // shared with the kernel: `count` entries
    std::size_t ring_bytes = 0;
    std::unique_ptr<char[]> memory;  // the buffers themselves
    unsigned count = 0;
    int mask = 0;

    char* buffer(unsigned bid) { return memory.get() + std::size_t{bid} * kRecvBufferBytes; }
    void give_back(unsigned bid) {
        io_uring_buf_ring_add(ring, buffer(bid), kRecvBufferBytes, static_cast<unsigned short>(bid),
                              mask, 0);
        io_uring_buf_ring_advance(ring, 1);
    }
};

// A database socket's poll: armed for `mask`; `gen` tells its completion from that of a poll
// removed earlier on a socket that had the same descriptor.
struct BackendPoll {
    std::uint32_t gen = 0;
    unsigned mask = 0;
    bool armed = false;
};

struct Loop {
    explicit Loop(Server& s) : server(s), context(s) {}

    Server& server;
    io_uring ring{};
    bool ring_open = false;
    BufferRing buffers;
    LoopContext context;  // drains, WAITs, the database pool (before conns: it outlives them)
    // Every Conn, by address, until its close has completed.
    std::unordered_map<Conn*, std::unique_ptr<Conn>> conns;
    // The Conns whose connection is not over, by descriptor (LoopContext::touched names them so).
    std::vector<Conn*> by_fd;
    std::vector<Conn*> ready;     // to be served this turn, unasked by any completion
    std::vector<Conn*> finished;  // connections that ended this turn: their sockets close
    std::vector<Conn*> closed;    // closed this turn: freed at its end
    std::vector<int> accepted;    // clients the kernel accepted this turn: taken at its end
    std::unordered_map<int, BackendPoll> backend_polls;
    std::uint32_t next_gen = 1;
    bool accept_armed = false;
    bool stop_seen = false;
    bool stopping = false;  // shutting down: nothing more is sent, every operation is cancelled
};

std::uint64_t backend_tag(int fd, std::uint32_t gen) {
    return (std::uint64_t{gen} << 32) | (static_cast<std::uint64_t>(fd) << 4) |
           static_cast<std::uint64_t>(Op::Backend);
}

// A free submission entry. When the queue is full (a turn with very many operations), what is
// queued goes in at once to make room: an io_uring_enter more, never an operation lost. Dies if
// the ring refuses submissions for good, which only a broken ring does.
io_uring_sqe* next_sqe_or_die(Loop& loop) {
    for (int attempt = 0; attempt < 1000; ++attempt) {
        if (io_uring_sqe* sqe = io_uring_get_sqe(&loop.ring)) return sqe;
        int submitted = io_uring_submit(&loop.ring);
        if (submitted < 0 && submitted != -EINTR && submitted != -EAGAIN && submitted != -EBUSY) {
            errno = -submitted;
            std::perror("lab-server: io_uring_submit");
            std::abort();
        }
    }
    std::fputs("lab-server: io_uring submission queue stays full\n", stderr);
    std::abort();
}

// For an operation whose result changes nothing (a cancel, a timer moved or removed): it posts
// a completion only if it fails (IOSQE_CQE_SKIP_SUCCESS), so that a success does not end the
// turn's wait for nothing: each WORK moves its connection's timer, and at one connection that
// was an io_uring_enter more a request.
void submit_ignored(io_uring_sqe* sqe) {
    io_uring_sqe_set_data64(sqe, static_cast<std::uint64_t>(Op::Ignored));
    sqe->flags |= IOSQE_CQE_SKIP_SUCCESS;
}

__kernel_timespec kernel_time(std::uint64_t ns) {
    __kernel_timespec ts{};
    ts.tv_sec = static_cast<long long>(ns / 1'000'000'000);
    ts.tv_nsec = static_cast<long long>(ns % 1'000'000'000);
    return ts;
}

// ---------------------------------------------------------------------------------------
// A connection's socket, as the connection sees it

void Conn::discard_input() {
    input.clear();
    input_taken = 0;
}

ssize_t Conn::receive(std::span<char> into) {
    if (held() > 0) {
        std::size_t n = std::min(into.size(), held());
        std::memcpy(into.data(), input.data() + input_taken, n);
        input_taken += n;
        if (input_taken == input.size()) discard_input();
        add(loop.server.stats->bytes_in, n);
        return static_cast<ssize_t>(n);
    }
    if (input_error != 0) {
        errno = input_error;
        return -1;
    }
    if (input_ended) return 0;
    errno = EAGAIN;
    return -1;
}

ssize_t Conn::send(const char* data, std::size_t n) {
    if (send_failed) {
        errno = EPIPE;
        return -1;
    }
    if (queued() >= kSendBufferBytes) return 0;  // the loop calls on_writable once some is sent
    std::size_t take = std::min(n, kSendBufferBytes - queued());
    waiting.append(data, take);
    if (!send_in_flight) start_send();
    return static_cast<ssize_t>(take);
}

// Hands what waits to the kernel: `sending` is the kernel's until the send completes.
void Conn::start_send() {
    sending.swap(waiting);
    waiting.clear();
    sending_done = 0;
    submit_send();
}

void Conn::submit_send() {
    io_uring_sqe* sqe = next_sqe_or_die(loop);
    io_uring_prep_send(sqe, fd, sending.data() + sending_done, sending.size() - sending_done,
                       MSG_NOSIGNAL);
    io_uring_sqe_set_data64(sqe, tag(Op::Send));
    send_in_flight = true;
    send_cancelled = false;
}

void Conn::shutdown_write() {
    shutdown_wanted = true;
    if (!send_in_flight && waiting.empty()) shut_down_writing();
}

// A system call, not an IORING_OP_SHUTDOWN: the kernel always hands that operation to an io-wq
// worker thread (perf's io_uring:io_uring_queue_async_work tracepoint shows it), which would
// make a kernel thread in the server for each QUIT. No send is in flight here, so the FIN
// follows every byte sent.
void Conn::shut_down_writing() {
    shutdown_wanted = false;
    ::shutdown(fd, SHUT_WR);
}

bool Conn::drain(Drain& d) {
    d.drained += held();
    discard_input();
    return input_ended || input_error != 0 || d.drained >= kDrainBytes;
}

void Conn::read_once() {
    discard_input();
    // With no receive in flight, the bytes are still in the socket: read them as the readiness
    // loops do, so that the close does not turn into a reset.
    if (!receive_armed) lab::read_once(fd);
}

bool Conn::peer_gone() {
    // The socket tells the end of its stream for as long as it is open, whether the receive
    // has reported it yet or not.
    return input_ended || input_error != 0 || peer_hung_up(fd);
}

// ---------------------------------------------------------------------------------------
// Submitting a connection's operations

void arm_receive(Loop& loop, Conn& conn) {
    io_uring_sqe* sqe = next_sqe_or_die(loop);
    io_uring_prep_recv_multishot(sqe, conn.fd, nullptr, 0, 0);
    sqe->flags |= IOSQE_BUFFER_SELECT;
    sqe->buf_group = kBufferGroup;
    io_uring_sqe_set_data64(sqe, conn.tag(Op::Receive));
    conn.receive_armed = true;
    conn.receive_cancelled = false;
}

void cancel(Loop& loop, Conn& conn, Op op) {
    io_uring_sqe* sqe = next_sqe_or_die(loop);
    io_uring_prep_cancel64(sqe, conn.tag(op), 0);
    submit_ignored(sqe);
}

// Arms the connection's timer for `at`, or moves it earlier if it is armed for later.
void set_timer(Loop& loop, Conn& conn, std::uint64_t at) {
    if (conn.timeout_armed && (conn.alarm_ns <= at || conn.timeout_removed)) return;
    conn.alarm_ts = kernel_time(at);
    io_uring_sqe* sqe = next_sqe_or_die(loop);
    if (conn.timeout_armed) {
        // The update's own completion says nothing the timer's will not: if the timer fired
        // first (-ENOENT), its completion comes anyway and the timer is set again then.
        io_uring_prep_timeout_update(sqe, &conn.alarm_ts, conn.tag(Op::Timeout),
                                     IORING_TIMEOUT_ABS);
        submit_ignored(sqe);
    } else {
        io_uring_prep_timeout(sqe, &conn.alarm_ts, 0, IORING_TIMEOUT_ABS);  // CLOCK_MONOTONIC
        io_uring_sqe_set_data64(sqe, conn.tag(Op::Timeout));
        conn.timeout_armed = true;
    }
    conn.alarm_ns = at;
}

void mark_ready(Loop& loop, Conn& conn) {
    if (conn.in_ready) return;
    conn.in_ready = true;
    loop.ready.push_back(&conn);
}

// Whether the connection has something to do without waiting for the kernel: requests still
// buffered (it yielded), bytes it wants that have arrived, room for bytes it wants to send.
bool has_work(const Conn& conn) {
    const EventConnection& client = *conn.client;
    return client.yielded() || (client.wants_read() && conn.readable()) ||
           (client.wants_write() && conn.writable());
}

// After a connection was called or its buffers changed: brings its receive, its timer and the
// loop's lists up to date with what it wants now. A receive stays armed while there is room to
// hold what arrives, whether the connection wants bytes now or not (a parked connection usually
// gets none, and cancelling and arming again would cost two submissions a park).
void settle(Loop& loop, Conn& conn) {
    if (conn.client->finished()) {
        loop.finished.push_back(&conn);
        return;
    }
    bool room = conn.held() < kHeldInputBytes;
    if (!conn.receive_armed && room && !conn.input_ended && conn.input_error == 0) {
        arm_receive(loop, conn);  // new, or its multishot ended (-ENOBUFS, a cancel)
    } else if (conn.receive_armed && !room && !conn.receive_cancelled) {
        cancel(loop, conn, Op::Receive);
        conn.receive_cancelled = true;
    }
    if (has_work(conn)) mark_ready(loop, conn);
    if (std::uint64_t deadline = conn.client->deadline_ns(); deadline != 0) {
        set_timer(loop, conn, deadline);
    }
}

// ---------------------------------------------------------------------------------------
// A connection that is over: its operations end, then its socket closes, then it is freed

void progress_close(Loop& loop, Conn& conn) {
    if (conn.close_submitted) return;
    if (conn.receive_armed && !conn.receive_cancelled) {
        cancel(loop, conn, Op::Receive);
        conn.receive_cancelled = true;
    }
    if (loop.stopping) conn.waiting.clear();
    bool sending = conn.send_in_flight || !conn.waiting.empty();
    if (sending && !conn.send_cancelled) {
        // Its last replies go out, as they would from a closed socket's buffer, for a while: a
        // client that stopped reading holds the Conn no longer than a drain lasts.
        if (conn.linger_ns == 0) conn.linger_ns = mono_ns() + kDrainMs * 1'000'000;
        if (loop.stopping || mono_ns() >= conn.linger_ns) {
            conn.waiting.clear();
            if (conn.send_in_flight) cancel(loop, conn, Op::Send);
            conn.send_cancelled = true;
        } else {
            set_timer(loop, conn, conn.linger_ns);
        }
    }
    bool busy = conn.receive_armed || conn.send_in_flight || !conn.waiting.empty();
    if (!busy && conn.timeout_armed && !conn.timeout_removed) {
        io_uring_sqe* sqe = next_sqe_or_die(loop);
        io_uring_prep_timeout_remove(sqe, conn.tag(Op::Timeout), 0);
        submit_ignored(sqe);
        conn.timeout_removed = true;
    }
    if (busy || conn.timeout_armed) return;
    io_uring_sqe* sqe = next_sqe_or_die(loop);
    io_uring_prep_close(sqe, conn.fd);
    io_uring_sqe_set_data64(sqe, conn.tag(Op::Close));
    conn.close_submitted = true;
}

void begin_close(Loop& loop, Conn& conn) {
    conn.closing = true;
    conn.shutdown_wanted = false;  // the close ends its writing side as well
    progress_close(loop, conn);
}

// Ends the connections that finished this turn. Their sockets close once their operations are
// done; a new client may get the descriptor number of one of them only after that.
void forget_finished(Loop& loop) {
    for (Conn* conn : loop.finished) {
        if (conn->client == nullptr) continue;  // listed twice
        loop.by_fd[static_cast<std::size_t>(conn->fd)] = nullptr;
        conn->client.reset();
        begin_close(loop, *conn);
    }
    loop.finished.clear();
}

void free_closed(Loop& loop) {
    for (Conn* conn : loop.closed) {
        if (conn->in_ready) std::erase(loop.ready, conn);
        loop.conns.erase(conn);
    }
    loop.closed.clear();
}

// ---------------------------------------------------------------------------------------
// Completions

void take_client(Loop& loop, int fd) {
    // Its place under --max-clients, taken here as accept_clients takes it; the connection gives
    // it back when it ends.
    bool admitted =
        add_below(loop.server.stats->connections_active, loop.server.settings.max_clients);
    auto owned = std::make_unique<Conn>(loop, fd);
    Conn& conn = *owned;
    loop.conns.emplace(&conn, std::move(owned));
    std::size_t index = static_cast<std::size_t>(fd);
    if (index >= loop.by_fd.size()) loop.by_fd.resize(index + 1);
    loop.by_fd[index] = &conn;
    // Over --max-clients it is refused at once, with a send of its own on the socket: no
    // operation is in flight on it yet.
    conn.client = std::make_unique<EventConnection>(fd, loop.server, loop.context,
                                                    /*refuse=*/!admitted, &conn);
    settle(loop, conn);
}

// A client the kernel accepted waits for the end of the turn (take_accepted), as the
// readiness loops accept there: the connections that ended this turn have given back their
// places under --max-clients by then (a client that closes and connects again at once would
// otherwise be refused for the place its old connection still held).
void on_accept(Loop& loop, const io_uring_cqe& cqe) {
    if (!(cqe.flags & IORING_CQE_F_MORE)) loop.accept_armed = false;  // armed again this turn
    if (cqe.res >= 0) {
        adopt_client(cqe.res, *loop.server.stats);
        loop.accepted.push_back(cqe.res);
    } else if (cqe.res == -EMFILE || cqe.res == -ENFILE) {
        // Out of descriptors: the kernel cannot accept, and the client waits in the backlog.
        // accept_client's spare descriptor takes it and refuses it (or takes it, if one was
        // freed meanwhile).
        int fd = accept_client(loop.server.listen_fd, *loop.server.stats);
        if (fd >= 0) loop.accepted.push_back(fd);
    }
    // Other errors (ECONNABORTED: the client left first; ECANCELED at shutdown) cost nothing.
}

void take_accepted(Loop& loop) {
    for (int fd : loop.accepted)
        take_client(loop, fd);
    loop.accepted.clear();
}

void on_receive(Loop& loop, Conn& conn, const io_uring_cqe& cqe) {
    if (!(cqe.flags & IORING_CQE_F_MORE)) conn.receive_armed = false;
    if (cqe.flags & IORING_CQE_F_BUFFER) {
        unsigned bid = cqe.flags >> IORING_CQE_BUFFER_SHIFT;
        if (cqe.res > 0 && !conn.closing) {
            if (conn.input_taken > 0) {  // keep what is held at the front
                conn.input.erase(0, conn.input_taken);
                conn.input_taken = 0;
            }
            conn.input.append(loop.buffers.buffer(bid), static_cast<std::size_t>(cqe.res));
        }
        loop.buffers.give_back(bid);  // at once: every connection receives from the same ring
    }
    if (cqe.res == 0) {
        conn.input_ended = true;
    } else if (cqe.res < 0 && cqe.res != -ENOBUFS && cqe.res != -ECANCELED) {
        conn.input_error = -cqe.res;  // ECONNRESET and the like
    }
    if (conn.held() > kMaxHeldInputBytes) {
        conn.discard_input();
        conn.input_error = EMSGSIZE;  // a client that only sends: its connection ends
    }
    if (conn.client != nullptr) {
        settle(loop, conn);  // -ENOBUFS: the receive is armed again, after the turn gave back
    } else {
        progress_close(loop, conn);
    }
}

void on_send(Loop& loop, Conn& conn, const io_uring_cqe& cqe) {
    conn.send_in_flight = false;
    if (cqe.res <= 0) {  // EPIPE, ECONNRESET, ECANCELED: nothing more goes out
        conn.send_failed = true;
        conn.sending.clear();
        conn.waiting.clear();
    } else {
        add(loop.server.stats->bytes_out, static_cast<std::uint64_t>(cqe.res));
        conn.sending_done += static_cast<std::size_t>(cqe.res);
        if (conn.sending_done < conn.sending.size() && !conn.send_cancelled) {
            conn.submit_send();  // a short send: the socket took part, the rest goes now
        } else {
            conn.sending.clear();
            conn.sending_done = 0;
            if (!conn.waiting.empty() && !conn.send_cancelled) {
                conn.start_send();
            } else if (conn.shutdown_wanted) {
                conn.shut_down_writing();
            }
        }
    }
    if (conn.client != nullptr) {
        settle(loop, conn);
    } else {
        progress_close(loop, conn);
    }
}

// The connection's timer fired (-ETIME), or was removed (-ECANCELED). Its deadline may have
// moved later meanwhile: then on_deadline does nothing yet and settle sets the timer again.
void on_timeout(Loop& loop, Conn& conn) {
    conn.timeout_armed = false;
    conn.timeout_removed = false;
    conn.alarm_ns = 0;
    if (conn.client == nullptr) {
        progress_close(loop, conn);  // a linger that ended, or the timer's last completion
        return;
    }
    if (!conn.client->finished()) conn.client->on_deadline(mono_ns());
    settle(loop, conn);
}

void on_conn_completion(Loop& loop, Conn& conn, Op op, const io_uring_cqe& cqe) {
    switch (op) {
        case Op::Receive:
            on_receive(loop, conn, cqe);
            break;
        case Op::Send:
            on_send(loop, conn, cqe);
            break;
        case Op::Timeout:
            on_timeout(loop, conn);
            break;
        case Op::Close:
            loop.closed.push_back(&conn);  // its last operation: freed at the end of the turn
            break;
        default:
            break;
    }
}

// ---------------------------------------------------------------------------------------
// The database pool's sockets (QUERY)

void remove_backend_poll(Loop& loop, int fd, const BackendPoll& poll) {
    if (!poll.armed) return;
    io_uring_sqe* sqe = next_sqe_or_die(loop);
    io_uring_prep_poll_remove(sqe, backend_tag(fd, poll.gen));
    submit_ignored(sqe);
}

// Arms a poll on each of the pool's sockets for what the pool wants of it now, unless one is
// armed for at least that already (a poll for more than is wanted reports something the pool
// ignores, as epoll's wider registration does).
void sync_backend(Loop& loop) {
    const auto& watches = loop.context.backend.watches();
    for (auto it = loop.backend_polls.begin(); it != loop.backend_polls.end();) {
        bool kept = std::any_of(watches.begin(), watches.end(),
                                [&](const AsyncBackend::Watch& w) { return w.fd == it->first; });
        if (kept) {
            ++it;
            continue;
        }
        remove_backend_poll(loop, it->first, it->second);
        it = loop.backend_polls.erase(it);
    }
    for (const AsyncBackend::Watch& w : watches) {
        unsigned mask = (w.read ? POLLIN : 0u) | (w.write ? POLLOUT : 0u);
        BackendPoll& poll = loop.backend_polls[w.fd];
        if (poll.armed && (mask & ~poll.mask) == 0) continue;
        remove_backend_poll(loop, w.fd, poll);
        poll = BackendPoll{loop.next_gen++, mask, true};
        io_uring_sqe* sqe = next_sqe_or_die(loop);
        io_uring_prep_poll_add(sqe, w.fd, mask);
        io_uring_sqe_set_data64(sqe, backend_tag(w.fd, poll.gen));
    }
}

void on_backend_poll(Loop& loop, std::uint64_t data, int res) {
    int fd = static_cast<int>((data >> 4) & 0x0FFF'FFFF);
    auto gen = static_cast<std::uint32_t>(data >> 32);
    auto found = loop.backend_polls.find(fd);
    if (found == loop.backend_polls.end() || found->second.gen != gen) return;  // removed since
    found->second.armed = false;
    if (res < 0) return;  // ECANCELED
    auto events = static_cast<unsigned>(res);
    constexpr unsigned kEnded = POLLHUP | POLLERR;
    loop.context.backend.on_ready(fd, (events & (POLLIN | kEnded)) != 0,
                                  (events & (POLLOUT | kEnded)) != 0);
}

// The pool's part of the turn: its deadline if due, then a turn for each connection that its
// answers or a POST woke (they yielded: settle puts them on the ready list).
void run_backend(Loop& loop) {
    std::uint64_t due = loop.context.backend.deadline_ns();
    if (due != 0 && due <= mono_ns()) loop.context.backend.on_deadline(mono_ns());
    std::vector<int> touched;
    touched.swap(loop.context.touched);
    for (int fd : touched) {
        auto index = static_cast<std::size_t>(fd);
        if (index < loop.by_fd.size() && loop.by_fd[index] != nullptr) {
            settle(loop, *loop.by_fd[index]);
        }
    }
}

// ---------------------------------------------------------------------------------------
// The turn

void dispatch(Loop& loop, const io_uring_cqe& cqe) {
    std::uint64_t data = io_uring_cqe_get_data64(&cqe);
    auto op = static_cast<Op>(data & kOpMask);
    switch (op) {
        case Op::Accept:
            on_accept(loop, cqe);
            break;
        case Op::Stop:
            loop.stop_seen = true;  // SIGTERM or SIGINT
            break;
        case Op::Backend:
            if (!loop.stopping) on_backend_poll(loop, data, cqe.res);
            break;
        case Op::Ignored:
            break;
        default:
            on_conn_completion(loop, *reinterpret_cast<Conn*>(data & ~kOpMask), op, cqe);
            break;
    }
}

// Handles the completions the kernel has posted, at most kCompletionsPerTurn.
void reap(Loop& loop) {
    std::array<io_uring_cqe*, kCompletionsPerTurn> cqes{};
    unsigned n = io_uring_peek_batch_cqe(&loop.ring, cqes.data(), kCompletionsPerTurn);
    for (unsigned i = 0; i < n; ++i)
        dispatch(loop, *cqes[i]);
    io_uring_cq_advance(&loop.ring, n);
}

// The turn's one io_uring_enter: submits what the turn queued and, unless a connection has
// work already, waits for at least one completion (or the database pool's deadline).
void submit_and_wait(Loop& loop) {
    if (!loop.ready.empty()) {
        // No waiting: enter only if there is something to submit or the kernel has
        // completions to post (IORING_SQ_TASKRUN, IORING_SQ_CQ_OVERFLOW).
        unsigned kernel_flags = IO_URING_READ_ONCE(*loop.ring.sq.kflags);
        if (io_uring_sq_ready(&loop.ring) > 0 ||
            (kernel_flags & (IORING_SQ_TASKRUN | IORING_SQ_CQ_OVERFLOW)) != 0) {
            io_uring_submit_and_get_events(&loop.ring);
        }
        return;
    }
    io_uring_cqe* cqe = nullptr;
    std::uint64_t deadline = loop.context.backend.deadline_ns();
    BlockingTimer timer(*loop.server.stats, Blocking::Wait);
    if (deadline == 0) {
        io_uring_submit_and_wait(&loop.ring, 1);
        return;
    }
    timespec left = time_until(deadline);
    __kernel_timespec timeout{};
    timeout.tv_sec = left.tv_sec;
    timeout.tv_nsec = left.tv_nsec;
    io_uring_submit_and_wait_timeout(&loop.ring, &cqe, 1, &timeout, nullptr);  // -ETIME: due
}

// Gives each connection on the ready list its turn: those that yielded with requests still
// buffered, and those whose input or output buffers changed so that they can go on.
void serve_ready(Loop& loop) {
    std::vector<Conn*> now;
    now.swap(loop.ready);  // those that can go on again are served next turn
    for (Conn* conn : now) {
        conn->in_ready = false;
        if (conn->client == nullptr || conn->client->finished()) continue;
        EventConnection& client = *conn->client;
        if (client.yielded()) {
            client.resume();
        } else {
            if (client.wants_read() && conn->readable()) client.on_readable();
            if (!client.finished() && client.wants_write() && conn->writable()) {
                client.on_writable();
            }
        }
        settle(loop, *conn);
    }
}

void arm_accept(Loop& loop) {
    io_uring_sqe* sqe = next_sqe_or_die(loop);
    io_uring_prep_multishot_accept(sqe, loop.server.listen_fd, nullptr, nullptr,
                                   SOCK_NONBLOCK | SOCK_CLOEXEC);
    io_uring_sqe_set_data64(sqe, static_cast<std::uint64_t>(Op::Accept));
    loop.accept_armed = true;
}

void arm_stop(Loop& loop) {
    io_uring_sqe* sqe = next_sqe_or_die(loop);
    io_uring_prep_poll_add(sqe, stop_fd(), POLLIN);
    io_uring_sqe_set_data64(sqe, static_cast<std::uint64_t>(Op::Stop));
}

// ---------------------------------------------------------------------------------------
// Setting up and taking down

// The ring, with what the loop relies on: completions never dropped (IORING_FEAT_NODROP),
// timeouts passed to io_uring_enter (IORING_FEAT_EXT_ARG). Asked for, and done without where
// the kernel lacks them: one submitting thread, and completion work that the kernel runs only
// when the loop enters to wait or reap (IORING_SETUP_DEFER_TASKRUN, Linux 6.1; or else
// IORING_SETUP_COOP_TASKRUN, 5.19), instead of interrupting the loop for each completion: the
// loop picks up completions in batches, at its own time. Returns false with the reason in
// `error`.
bool open_ring(Loop& loop, std::string& error) {
    const unsigned kTries[] = {
        IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN | IORING_SETUP_TASKRUN_FLAG,
        IORING_SETUP_COOP_TASKRUN | IORING_SETUP_TASKRUN_FLAG,
        0,
    };
    int r = -EINVAL;
    io_uring_params params{};
    for (unsigned flags : kTries) {
        params = io_uring_params{};
        params.flags = IORING_SETUP_CQSIZE | IORING_SETUP_SUBMIT_ALL | flags;
        params.cq_entries = kCompletionEntries;
        r = io_uring_queue_init_params(kSubmissionEntries, &loop.ring, &params);
        if (r != -EINVAL) break;  // EINVAL: a flag this kernel does not know
    }
    if (r < 0) {
        error = std::string("io_uring_queue_init: ") + std::strerror(-r);
        return false;
    }
    loop.ring_open = true;
    if (!(params.features & IORING_FEAT_NODROP) || !(params.features & IORING_FEAT_EXT_ARG)) {
        error = "io_uring: this kernel lacks IORING_FEAT_NODROP or IORING_FEAT_EXT_ARG";
        return false;
    }
    return true;
}

// Registers the provided buffer ring by hand, as liburing 2.3 has no io_uring_setup_buf_ring:
// page-aligned memory for `count` entries that the kernel reads, registered as buffer group
// kBufferGroup, then every buffer added to it.
bool open_buffers(Loop& loop, unsigned count, std::string& error) {
    BufferRing& b = loop.buffers;
    b.count = count;
    b.mask = io_uring_buf_ring_mask(count);
    b.ring_bytes = sizeof(io_uring_buf) * count;
    void* ring =
        mmap(nullptr, b.ring_bytes, PROT_READ | PROT_WRITE, MAP_ANONYMOUS | MAP_PRIVATE, -1, 0);
    if (ring == MAP_FAILED) {
        error = std::string("mmap (buffer ring): ") + std::strerror(errno);
        return false;
    }
    b.ring = static_cast<io_uring_buf_ring*>(ring);
    b.memory = std::make_unique<char[]>(std::size_t{count} * kRecvBufferBytes);
    io_uring_buf_reg reg{};
    reg.ring_addr = reinterpret_cast<std::uint64_t>(ring);
    reg.ring_entries = count;
    reg.bgid = kBufferGroup;
    if (int r = io_uring_register_buf_ring(&loop.ring, &reg, 0); r < 0) {
        error = std::string("io_uring_register_buf_ring: ") + std::strerror(-r);
        return false;
    }
    io_uring_buf_ring_init(b.ring);
    for (unsigned bid = 0; bid < count; ++bid) {
        io_uring_buf_ring_add(b.ring, b.buffer(bid), kRecvBufferBytes,
                              static_cast<unsigned short>(bid), b.mask, static_cast<int>(bid));
    }
    io_uring_buf_ring_advance(b.ring, static_cast<int>(count));
    return true;
}

// Stops: every connection ends, every operation is cancelled, and the loop reaps completions
// until each Conn's close has completed (at most kShutdownWaitNs), so that no buffer is freed
// while the kernel may still use it. A Conn still open after that is left allocated, not freed.
void shut_down(Loop& loop) {
    loop.stopping = true;
    for (int fd : loop.accepted)
        ::close(fd);  // no operation of theirs was ever submitted
    loop.accepted.clear();
    for (Conn*& conn : loop.by_fd) {
        if (conn == nullptr) continue;
        Conn& c = *conn;
        conn = nullptr;
        c.client.reset();  // closes the connection: its socket waits for its operations
        begin_close(loop, c);
    }
    io_uring_sqe* sqe = next_sqe_or_die(loop);
    io_uring_prep_cancel64(sqe, 0, IORING_ASYNC_CANCEL_ANY);  // accept, polls, and the rest
    submit_ignored(sqe);
    std::uint64_t give_up = mono_ns() + kShutdownWaitNs;
    while (!loop.conns.empty() && mono_ns() < give_up) {
        io_uring_cqe* cqe = nullptr;
        __kernel_timespec tick = kernel_time(10'000'000);
        io_uring_submit_and_wait_timeout(&loop.ring, &cqe, 1, &tick, nullptr);
        reap(loop);
        free_closed(loop);
        for (int fd : loop.accepted)
            ::close(fd);
        loop.accepted.clear();
    }
    if (!loop.conns.empty()) {
        std::fprintf(stderr, "lab-server: %zu connections still had operations in flight\n",
                     loop.conns.size());
        for (auto& [address, conn] : loop.conns)
            conn.release();  // the kernel may still use their buffers: never freed
    }
}

void close_ring(Loop& loop) {
    if (loop.ring_open) io_uring_queue_exit(&loop.ring);  // unregisters the buffer ring too
    if (loop.buffers.ring != nullptr && loop.conns.empty()) {
        munmap(loop.buffers.ring, loop.buffers.ring_bytes);
    } else {
        loop.buffers.memory.release();  // left to the kernel, as the Conns above
    }
}

}  // namespace

void serve_uring(Server& server) {
    trace::name_thread("event loop");
    Loop loop(server);
    std::string error;
    if (!open_ring(loop, error) ||
        !open_buffers(loop, static_cast<unsigned>(server.settings.recv_buffers), error)) {
        std::fprintf(stderr, "lab-server: %s\n", error.c_str());
        close_ring(loop);
        return;
    }
    // Out of descriptors, the kernel's accept fails; accept_client's spare then refuses the
    // client (on_accept), so the spare is taken now, while descriptors are plentiful.
    reserve_spare_descriptor();
    // A pool socket about to close: its poll is removed (it would keep the socket open).
    loop.context.backend.on_close = [&loop](int fd) {
        auto found = loop.backend_polls.find(fd);
        if (found == loop.backend_polls.end()) return;
        remove_backend_poll(loop, fd, found->second);
        loop.backend_polls.erase(found);
    };
    arm_stop(loop);
    arm_accept(loop);
    while (!loop.stop_seen) {
        sync_backend(loop);
        submit_and_wait(loop);
        // Completions: new clients, bytes received, sends done, deadlines due, the database.
        reap(loop);
        if (loop.stop_seen) break;
        // Connections whose buffers changed, and those that yielded with requests buffered.
        serve_ready(loop);
        run_backend(loop);
        forget_finished(loop);
        free_closed(loop);
        take_accepted(loop);
        if (!loop.accept_armed) arm_accept(loop);  // its multishot ended
    }
    shut_down(loop);
    close_ring(loop);
}

}  // namespace lab
