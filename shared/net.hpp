// Socket, signal and waiting helpers shared by every model. Functions that can fail return
// a value the caller must look at; none of them exits the process.
#pragma once

#include <sys/types.h>
#include <cstdint>
#include <optional>
#include <span>
#include <string>

#include "counters.hpp"

namespace lab {

// How long a closing connection is drained after its last reply (see close_gracefully).
inline constexpr std::uint64_t kDrainMs = 2000;
inline constexpr std::size_t kDrainBytes = 1 << 20;

struct Listener {
    int fd = -1;
    std::string host;
    std::uint16_t port = 0;  // the real port, also when 0 was asked for
};

// Binds and listens (SO_REUSEADDR, non-blocking, close-on-exec). On failure returns nullopt
// and a one-line reason in `error`.
std::optional<Listener> listen_tcp(const std::string& host, std::uint16_t port, int backlog,
                                   std::string& error);

// The stop latch: SIGTERM and SIGINT make stop_fd() readable for good, so every poll() that
// includes it wakes, now or later. SIGPIPE is ignored (writes return EPIPE instead).
// SIGCHLD makes child_event_fd() readable until drain_child_events() is called. Call before
// any thread starts. A forked child calls it again to get a latch of its own: the inherited
// one is shared with the parent, and a signal to one child must not stop the whole server.
void install_signal_handlers();
int stop_fd();
bool stop_requested();
void request_stop();  // what the signal handler does; also for tests and fatal paths
int child_event_fd();
void drain_child_events();

// Raises this process's soft RLIMIT_NOFILE to its hard limit, so that a server can hold as
// many connections as the system lets it (the soft limit is often 1024; 10,000 clients need
// 10,000 descriptors). Returns the soft limit now in force: unchanged if it could not be
// raised. Past it, accept_client refuses clients with ERR 503.
std::uint64_t raise_fd_limit();

bool set_nonblocking(int fd);
// Clears O_NONBLOCK. On a listening socket shared by processes it changes the one open file
// description they all share (prefork does it once, before forking its workers).
bool set_blocking(int fd);

// The client's port on a connected socket (0 if unknown): the id of its task in a trace,
// which the client side also knows, so both sides' spans can be matched.
std::uint16_t peer_port(int fd);

enum class WaitResult { Ready, Timeout, Stopped, Error };

// Waits until fd has `events` (POLLIN/POLLOUT), the deadline (CLOCK_MONOTONIC ns; 0 = none)
// passes, or the server is stopping. The time is added to blocking_ns[kind].
WaitResult wait_fd(int fd, short events, std::uint64_t deadline_ns, StatsBlock& stats,
                   Blocking kind);

// Sleeps for ms milliseconds unless the server stops first (then returns false).
// Counted as blocking_ns[io_wait]: this is the blocking models' simulated I/O.
bool sleep_ms(std::uint64_t ms, StatsBlock& stats);

// Accepts one pending connection from a non-blocking listening socket: returns the new
// non-blocking fd, or -1 when none is pending or the attempt failed harmlessly (EAGAIN,
// EINTR, ECONNABORTED). On EMFILE/ENFILE it frees a reserved descriptor, accepts the
// client, tells it ERR 503 and closes it, so the backlog drains instead of the loop
// spinning on a connection it can never take. Counts accepted/rejected in stats.
// On a blocking listening socket (prefork's workers) it waits for a client instead; then -1
// also comes when a signal interrupts the wait (EINTR) or the socket was shut down (EINVAL).
int accept_client(int listen_fd, StatsBlock& stats);

// Sends what it can of data without blocking; returns bytes sent (0 when the socket buffer
// is full) or -1 when the peer is gone. Counts bytes_out.
ssize_t send_some(int fd, const char* data, std::size_t n, StatsBlock& stats);
// Receives without blocking: bytes read, 0 at end of stream, -1 when nothing is there yet
// (errno EAGAIN) or the connection failed (other errno). Counts bytes_in.
ssize_t recv_some(int fd, std::span<char> into, StatsBlock& stats);

// Sends a short line with one non-blocking attempt (for refusals), then shuts down writing.
void send_and_shutdown(int fd, const std::string& line, StatsBlock& stats);

// The short way to close when no drain can be afforded (too many already, or an fd that
// select() cannot watch): one non-blocking read of what the client sent, then close.
void read_once_and_close(int fd);

// Closes a connection after its last reply without destroying that reply: a plain close()
// with unread input sends a reset, which can discard the reply in flight. Shuts down
// writing, reads and discards what the client still sends until it closes, kDrainMs pass,
// kDrainBytes arrive or the server stops, then closes. Blocks the caller meanwhile.
void close_gracefully(int fd, StatsBlock& stats);

// Connections waiting in the listen backlog of `port`: the accept queue (rx_queue) of its
// LISTEN socket, asked of the kernel with NETLINK_SOCK_DIAG (falling back to parsing
// /proc/net/tcp and /proc/net/tcp6, the same figure but slower). 0 if there is no such socket.
std::uint64_t accept_queue_length(std::uint16_t port);

}  // namespace lab
