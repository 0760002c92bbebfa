// Taking one client from the listening socket, for every model's accept: sequential, threads,
// fork and threadpool through their accept loop (acceptor.hpp), the event loops through
// accept_clients (event_loop.hpp), prefork's workers directly. Out of descriptors it still
// takes the pending client (the spare-descriptor trick) and refuses it, so that a full
// process drains its backlog instead of spinning. Nothing here exits the process.
#pragma once

#include "counters.hpp"

namespace lab {

// Accepts one pending connection: returns the new fd (non-blocking, close-on-exec,
// TCP_NODELAY; the caller owns it), or -1 when none is pending or the attempt failed
// harmlessly (EAGAIN, EINTR, ECONNABORTED). Counts connections_accepted.
// On EMFILE/ENFILE it frees a descriptor it keeps in reserve (taken on the first call),
// accepts the client, refuses it (ERR 503, send_refusal) and closes it, then takes the
// reserve back; -1 then too.
// On a blocking listening socket (prefork's workers) it waits for a client instead; then -1
// also comes when a signal interrupts the wait (EINTR) or the socket was shut down (EINVAL),
// with errno telling which. Any thread: the reserve is the process's, behind a lock that an
// ordinary accept does not take (epoll --loops N accepts in every loop's thread).
int accept_client(int listen_fd, StatsBlock& stats);

// What accept_client does with a client that the kernel accepted for the server (io_uring's
// accept, models/uring_loop.cpp): counts connections_accepted and sets TCP_NODELAY.
void adopt_client(int fd, StatsBlock& stats);

// Takes the descriptor that accept_client keeps in reserve for EMFILE now, if it is not held.
// accept_client takes it on its first call; a loop whose accepts the kernel makes (uring) calls
// this at start, while descriptors are plentiful, and accept_client only when the kernel's
// accept fails with EMFILE or ENFILE.
void reserve_spare_descriptor();

}  // namespace lab
