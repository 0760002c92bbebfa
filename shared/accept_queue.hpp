// The listen backlog's length, asked of the kernel: STATS's accept_queue, and the harness's
// sampler; and how many clients wait for one event loop. Nothing here exits the process; any
// thread.
#pragma once

#include <cstddef>
#include <cstdint>

#include "counters.hpp"

namespace lab {

// Connections waiting in the listen backlog of `port`: the accept queue (rx_queue) of its
// LISTEN socket, asked of the kernel with NETLINK_SOCK_DIAG (falling back to parsing
// /proc/net/tcp and /proc/net/tcp6, the same figure but slower). 0 if there is no such socket.
// Several sockets may listen on one port (SO_REUSEPORT: epoll --loops N), each with a queue of
// its own: the sum of them all, or with socket_inode (the socket's st_ino, as fstat gives it)
// that one socket's alone.
std::uint64_t accept_queue_length(std::uint16_t port, std::uint64_t socket_inode = 0);

// Clients waiting for event loop `loop` (its slot in the block) to take them in: in the accept
// queue of its own socket (LoopSlot::listen_inode), or, for a loop whose clients are handed to
// it (epoll --loops N --accept dispatch), in its inbox: handed but not yet taken in.
std::uint64_t loop_connections_waiting(const StatsBlock& stats, std::size_t loop);

}  // namespace lab
