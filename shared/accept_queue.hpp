// The listen backlog's length, asked of the kernel: STATS's accept_queue, and the harness's
// sampler. Nothing here exits the process; any thread.
#pragma once

#include <cstdint>

namespace lab {

// Connections waiting in the listen backlog of `port`: the accept queue (rx_queue) of its
// LISTEN socket, asked of the kernel with NETLINK_SOCK_DIAG (falling back to parsing
// /proc/net/tcp and /proc/net/tcp6, the same figure but slower). 0 if there is no such socket.
std::uint64_t accept_queue_length(std::uint16_t port);

}  // namespace lab
