// Refusing a client. See refusal.hpp.
#include "refusal.hpp"

#include <sys/socket.h>

#include <algorithm>
#include <string>
#include <string_view>

#include "connection_io.hpp"

namespace lab {

void send_refusal(int fd, Refusal why, StatsBlock& stats) {
    add(stats.connections_rejected, 1);
    add(stats.errors, 1);
    // What the client has sent so far, left in the socket for the drain to read: a client
    // that spoke first (curl sends its request at once) is answered in its own protocol.
    char first[kMaxLineBytes];
    ssize_t peeked = recv(fd, first, sizeof first, MSG_PEEK | MSG_DONTWAIT);
    std::string_view first_bytes(first, static_cast<std::size_t>(std::max<ssize_t>(peeked, 0)));
    std::string reply;
    encode_before_codec(refusal_reply(why), first_bytes, reply);
    send_some(fd, reply.data(), reply.size(), stats);
    shutdown(fd, SHUT_WR);
}

}  // namespace lab
