// The readiness loops' socket. See event_socket.hpp.
#include "event_socket.hpp"

#include <sys/socket.h>
#include <unistd.h>

#include "connection_io.hpp"

namespace lab {

ssize_t DirectSocket::receive(std::span<char> into) {
    return recv_some(fd_, into, stats_);
}

ssize_t DirectSocket::send(const char* data, std::size_t n) {
    return send_some(fd_, data, n, stats_);
}

void DirectSocket::shutdown_write() {
    shutdown(fd_, SHUT_WR);
}

bool DirectSocket::drain(Drain& d) {
    return drain_some(d);
}

void DirectSocket::read_once() {
    lab::read_once(fd_);
}

bool DirectSocket::peer_gone() {
    return peer_hung_up(fd_);
}

void DirectSocket::close() {
    ::close(fd_);
}

}  // namespace lab
