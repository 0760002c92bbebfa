// The per-connection code of the blocking models (sequential, threads, fork, threadpool,
// prefork): read a request, execute it, write the reply, repeat. The models differ only in
// who calls it: the main thread, a new thread, a child process, a pool's worker thread or
// worker process.
#pragma once

#include <functional>

#include "service.hpp"

namespace lab {

// Serves one client on fd until it quits, closes, times out, fails or the server stops,
// then closes fd (draining after a closing reply: drain.hpp). Blocks the calling thread
// throughout: reads wait for the client, WORK's simulated I/O is a real sleep, a QUERY waits
// in libpq's blocking call (backend.hpp), a WAIT for another client's POST (wait_board.hpp),
// writes wait for the client to make room. Every wait is a poll() on the socket and the stop latch,
// counted by kind in blocking_ns, so a stopping server can wake it. Must own fd; fd must be
// non-blocking. after_reply, if set, runs in the calling thread after each reply is sent
// (prefork's workers publish their own figures there).
void serve_connection(int fd, Server& server, const std::function<void()>& after_reply = {});

}  // namespace lab
