// The listening socket. See listener.hpp.
#include "listener.hpp"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>

namespace lab {

std::optional<Listener> listen_tcp(const std::string& host, std::uint16_t port, int backlog,
                                   std::string& error, bool reuse_port) {
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
    addrinfo* found = nullptr;
    std::string service = std::to_string(port);
    if (int rc = getaddrinfo(host.c_str(), service.c_str(), &hints, &found); rc != 0) {
        error = "cannot resolve " + host + ": " + gai_strerror(rc);
        return std::nullopt;
    }
    std::string last_error = "no address";
    for (addrinfo* a = found; a != nullptr; a = a->ai_next) {
        int fd = socket(a->ai_family, a->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (fd < 0) {
            last_error = std::strerror(errno);
            continue;
        }
        int one = 1;
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        // Before bind: a socket joins a port's SO_REUSEPORT group only if every member set it.
        if (reuse_port && setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one) != 0) {
            last_error = std::strerror(errno);
            close(fd);
            continue;
        }
        if (bind(fd, a->ai_addr, a->ai_addrlen) != 0 || listen(fd, backlog) != 0) {
            last_error = std::strerror(errno);
            close(fd);
            continue;
        }
        sockaddr_storage bound{};
        socklen_t len = sizeof bound;
        getsockname(fd, reinterpret_cast<sockaddr*>(&bound), &len);
        char text[INET6_ADDRSTRLEN] = {};
        std::uint16_t real_port = 0;
        if (bound.ss_family == AF_INET6) {
            auto* in6 = reinterpret_cast<sockaddr_in6*>(&bound);
            inet_ntop(AF_INET6, &in6->sin6_addr, text, sizeof text);
            real_port = ntohs(in6->sin6_port);
        } else {
            auto* in4 = reinterpret_cast<sockaddr_in*>(&bound);
            inet_ntop(AF_INET, &in4->sin_addr, text, sizeof text);
            real_port = ntohs(in4->sin_port);
        }
        freeaddrinfo(found);
        return Listener{fd, text, real_port};
    }
    freeaddrinfo(found);
    error = "cannot listen on " + host + ":" + service + ": " + last_error;
    return std::nullopt;
}

bool set_blocking(int fd) {
    int flags = fcntl(fd, F_GETFL);
    return flags >= 0 && fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) == 0;
}

}  // namespace lab
