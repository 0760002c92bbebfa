// The listening socket: bound, listening, non-blocking and close-on-exec, as every model
// starts from it; and the switch to blocking that prefork makes before its workers share it.
// Called by lab-server's main and by prefork. Nothing here exits the process.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace lab {

struct Listener {
    int fd = -1;
    std::string host;
    std::uint16_t port = 0;  // the real port, also when 0 was asked for
};

// Binds and listens (SO_REUSEADDR, non-blocking, close-on-exec). On failure returns nullopt
// and a one-line reason in `error`. The caller owns the descriptor. With reuse_port, also
// SO_REUSEPORT: further sockets made so (same user, same address) may bind the same port, and
// the kernel spreads new connections over their accept queues by a hash of each connection's
// addresses and ports (epoll --loops N: a socket per loop).
std::optional<Listener> listen_tcp(const std::string& host, std::uint16_t port, int backlog,
                                   std::string& error, bool reuse_port = false);

// Clears O_NONBLOCK; false if fcntl fails. On a listening socket shared by processes it
// changes the one open file description they all share (prefork does it once, before forking
// its workers).
bool set_blocking(int fd);

}  // namespace lab
