// The per-connection code of the blocking models (sequential, threads, fork): read a
// request, execute it, write the reply, repeat. The models differ only in who calls it.
#pragma once

#include "service.hpp"

namespace lab {

// Serves one client on fd until it quits, closes, times out, fails or the server stops,
// then closes fd. Blocks the calling thread throughout: reads wait for the client, WORK's
// simulated I/O is a real sleep, writes wait for the client to make room. Every wait is a
// poll() on the socket and the stop latch, counted by kind in blocking_ns, so a stopping
// server can wake it. Must own fd; fd must be non-blocking.
void serve_connection(int fd, Server& server);

}  // namespace lab
