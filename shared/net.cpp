// Socket, signal and waiting helpers. See net.hpp for each contract.
#include "net.hpp"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <fstream>
#include <sstream>

#include "blocking.hpp"
#include "clock.hpp"

namespace lab {
namespace {

int g_stop_pipe[2] = {-1, -1};
int g_child_pipe[2] = {-1, -1};
std::atomic<bool> g_stopping{false};
int g_spare_fd = -1;  // reserved for EMFILE: freed to accept and refuse one client

void on_stop_signal(int) {
    int saved = errno;  // a handler must not disturb the errno of the code it interrupted
    request_stop();
    errno = saved;
}

void on_child_signal(int) {
    int saved = errno;
    char byte = 'c';
    // The pipe is non-blocking: when it is full a wake-up is already pending.
    [[maybe_unused]] ssize_t n = write(g_child_pipe[1], &byte, 1);
    errno = saved;
}

void make_pipe(int (&fds)[2]) {
    if (pipe2(fds, O_NONBLOCK | O_CLOEXEC) != 0) {
        std::perror("lab-server: pipe");
        std::_Exit(1);
    }
}

}  // namespace

std::optional<Listener> listen_tcp(const std::string& host, std::uint16_t port, int backlog,
                                   std::string& error) {
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
        if (g_spare_fd < 0) g_spare_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
        return Listener{fd, text, real_port};
    }
    freeaddrinfo(found);
    error = "cannot listen on " + host + ":" + service + ": " + last_error;
    return std::nullopt;
}

void install_signal_handlers() {
    for (int* fds : {g_stop_pipe, g_child_pipe}) {
        if (fds[0] >= 0) close(fds[0]);
        if (fds[1] >= 0) close(fds[1]);
    }
    make_pipe(g_stop_pipe);
    // A stop that arrived before (in a child: between fork and here) must not be lost.
    if (g_stopping.load(std::memory_order_relaxed)) request_stop();
    make_pipe(g_child_pipe);
    struct sigaction sa {};
    sigemptyset(&sa.sa_mask);
    sa.sa_handler = on_stop_signal;
    // No SA_RESTART: a blocking call returns EINTR, and every wait also polls stop_fd().
    sigaction(SIGTERM, &sa, nullptr);
    sigaction(SIGINT, &sa, nullptr);
    sa.sa_handler = on_child_signal;
    sa.sa_flags = SA_NOCLDSTOP;
    sigaction(SIGCHLD, &sa, nullptr);
    sa.sa_handler = SIG_IGN;
    sa.sa_flags = 0;
    sigaction(SIGPIPE, &sa, nullptr);
}

int stop_fd() {
    return g_stop_pipe[0];
}
bool stop_requested() {
    return g_stopping.load(std::memory_order_relaxed);
}

void request_stop() {
    g_stopping.store(true, std::memory_order_relaxed);
    char byte = 's';
    // Never read back: the pipe stays readable, so every present and future wait sees it,
    // in this process and in forked children, which share the pipe.
    [[maybe_unused]] ssize_t n = write(g_stop_pipe[1], &byte, 1);
}

int child_event_fd() {
    return g_child_pipe[0];
}

void drain_child_events() {
    char buf[64];
    while (read(g_child_pipe[0], buf, sizeof buf) > 0) {
    }
}

std::uint16_t peer_port(int fd) {
    sockaddr_storage peer{};
    socklen_t len = sizeof peer;
    if (getpeername(fd, reinterpret_cast<sockaddr*>(&peer), &len) != 0) return 0;
    if (peer.ss_family == AF_INET6) return ntohs(reinterpret_cast<sockaddr_in6*>(&peer)->sin6_port);
    return ntohs(reinterpret_cast<sockaddr_in*>(&peer)->sin_port);
}

std::uint64_t raise_fd_limit() {
    rlimit limit{};
    if (getrlimit(RLIMIT_NOFILE, &limit) != 0) return 0;
    if (limit.rlim_cur < limit.rlim_max) {
        rlimit raised = limit;
        raised.rlim_cur = limit.rlim_max;
        // Fails only if the hard limit is above what the kernel allows (fs.nr_open): keep the
        // old soft limit then, and report it.
        if (setrlimit(RLIMIT_NOFILE, &raised) == 0) limit = raised;
    }
    return limit.rlim_cur;
}

bool set_nonblocking(int fd) {
    int flags = fcntl(fd, F_GETFL);
    return flags >= 0 && fcntl(fd, F_SETFL, flags | O_NONBLOCK) == 0;
}

bool set_blocking(int fd) {
    int flags = fcntl(fd, F_GETFL);
    return flags >= 0 && fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) == 0;
}

WaitResult wait_fd(int fd, short events, std::uint64_t deadline_ns, StatsBlock& stats,
                   Blocking kind) {
    BlockingTimer timer(stats, kind);
    while (true) {
        pollfd fds[2] = {{fd, events, 0}, {stop_fd(), POLLIN, 0}};
        int timeout_ms = -1;
        if (deadline_ns != 0) {
            std::uint64_t now = mono_ns();
            if (now >= deadline_ns) return WaitResult::Timeout;
            timeout_ms = static_cast<int>(std::min<std::uint64_t>(
                (deadline_ns - now + 999'999) / 1'000'000, 24ull * 3600 * 1000));
        }
        int n = poll(fds, 2, timeout_ms);
        if (n < 0) {
            if (errno == EINTR) continue;  // a signal; the stop latch tells us if it matters
            return WaitResult::Error;
        }
        if (fds[1].revents != 0) return WaitResult::Stopped;
        // Errors and hang-ups count as ready: the next read or write reports them.
        if (fds[0].revents != 0) return WaitResult::Ready;
    }
}

bool sleep_ms(std::uint64_t ms, StatsBlock& stats) {
    std::uint64_t deadline = mono_ns() + ms * 1'000'000;
    BlockingTimer timer(stats, Blocking::IoWait);
    while (true) {
        std::uint64_t now = mono_ns();
        if (now >= deadline) return true;
        pollfd stop{stop_fd(), POLLIN, 0};
        int n = poll(&stop, 1, static_cast<int>((deadline - now + 999'999) / 1'000'000));
        if (n > 0) return false;
    }
}

int accept_client(int listen_fd, StatsBlock& stats) {
    int fd = accept4(listen_fd, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd >= 0) {
        add(stats.connections_accepted, 1);
        // Replies go out as soon as they are written. With Nagle's algorithm on, a reply sent
        // in two pieces (a WORK line, then its body) would wait for the client's delayed ACK
        // of the first: about 40 ms added to every such request.
        int one = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        return fd;
    }
    if ((errno == EMFILE || errno == ENFILE) && g_spare_fd >= 0) {
        // Out of descriptors: the pending client would stay readable and the loop would spin.
        // Free the reserve, take the client, refuse it, and take the reserve back.
        close(g_spare_fd);
        fd = accept4(listen_fd, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd >= 0) {
            add(stats.connections_accepted, 1);
            add(stats.connections_rejected, 1);
            add(stats.errors, 1);
            send_and_shutdown(fd, "ERR 503 server out of file descriptors\n", stats);
            read_once_and_close(fd);
        }
        g_spare_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
    } else if (errno == EMFILE || errno == ENFILE) {
        // No reserve to free (another thread took the descriptor): the pending client keeps
        // the listening socket readable, so pause instead of spinning on it.
        usleep(10'000);
        g_spare_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
    }
    // EAGAIN: nothing pending; EINTR: a signal; ECONNABORTED: the client left first.
    return -1;
}

ssize_t send_some(int fd, const char* data, std::size_t n, StatsBlock& stats) {
    while (true) {
        ssize_t sent = send(fd, data, n, MSG_NOSIGNAL);  // EPIPE instead of SIGPIPE
        if (sent >= 0) {
            add(stats.bytes_out, static_cast<std::uint64_t>(sent));
            return sent;
        }
        if (errno == EINTR) continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK) return 0;
        return -1;  // EPIPE, ECONNRESET: the peer is gone
    }
}

ssize_t recv_some(int fd, std::span<char> into, StatsBlock& stats) {
    while (true) {
        ssize_t got = recv(fd, into.data(), into.size(), 0);
        if (got > 0) add(stats.bytes_in, static_cast<std::uint64_t>(got));
        if (got >= 0 || errno != EINTR) return got;
    }
}

void send_and_shutdown(int fd, const std::string& line, StatsBlock& stats) {
    send_some(fd, line.data(), line.size(), stats);  // a fresh socket has room for one line
    shutdown(fd, SHUT_WR);
}

void read_once_and_close(int fd) {
    char sink[4096];
    [[maybe_unused]] ssize_t n = recv(fd, sink, sizeof sink, MSG_DONTWAIT);
    close(fd);
}

void close_gracefully(int fd, StatsBlock& stats) {
    shutdown(fd, SHUT_WR);
    std::uint64_t deadline = mono_ns() + kDrainMs * 1'000'000;
    std::size_t drained = 0;
    char sink[4096];
    while (drained < kDrainBytes) {
        if (wait_fd(fd, POLLIN, deadline, stats, Blocking::Read) != WaitResult::Ready) break;
        ssize_t got = recv(fd, sink, sizeof sink, 0);
        if (got < 0 && errno == EINTR) continue;
        if (got <= 0 && !(got < 0 && errno == EAGAIN)) break;  // closed by the client, or failed
        if (got > 0) drained += static_cast<std::size_t>(got);
    }
    close(fd);
}

namespace {

// Asks the kernel (NETLINK_SOCK_DIAG) for its listening TCP sockets of one family and adds up
// the accept queues of those on `port`. Only LISTEN sockets are dumped, so the cost does not
// grow with the number of connections (parsing /proc/net/tcp does: 18 ms at 1,000).
// The NLMSG_* macros are C, with C casts in them.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wold-style-cast"
bool listen_queue_by_netlink(int family, std::uint16_t port, std::uint64_t& total) {
    int fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
    if (fd < 0) return false;
    struct {
        nlmsghdr header;
        inet_diag_req_v2 request;
    } message{};
    message.header.nlmsg_len = sizeof message;
    message.header.nlmsg_type = SOCK_DIAG_BY_FAMILY;
    message.header.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
    message.request.sdiag_family = static_cast<std::uint8_t>(family);
    message.request.sdiag_protocol = IPPROTO_TCP;
    message.request.idiag_states = 1u << 10;  // TCP_LISTEN
    if (send(fd, &message, sizeof message, 0) != static_cast<ssize_t>(sizeof message)) {
        close(fd);
        return false;
    }
    alignas(nlmsghdr) char buffer[16384];
    bool ok = false;
    for (int rounds = 0; rounds < 1000; ++rounds) {  // bounded: a dump ends with NLMSG_DONE
        ssize_t n = recv(fd, buffer, sizeof buffer, 0);
        if (n <= 0) break;
        auto* h = reinterpret_cast<nlmsghdr*>(buffer);
        auto left = static_cast<unsigned int>(n);
        bool done = false;
        for (; NLMSG_OK(h, left); h = NLMSG_NEXT(h, left)) {
            if (h->nlmsg_type == NLMSG_DONE) {
                done = ok = true;
                break;
            }
            if (h->nlmsg_type == NLMSG_ERROR) {
                done = true;
                break;
            }
            const auto* diag = static_cast<const inet_diag_msg*>(NLMSG_DATA(h));
            if (ntohs(diag->id.idiag_sport) == port) total += diag->idiag_rqueue;
        }
        if (done) break;
    }
    close(fd);
    return ok;
}

#pragma GCC diagnostic pop

// The same from /proc/net/tcp{,6}: slower, for kernels without sock_diag.
std::uint64_t listen_queue_by_proc(std::uint16_t port) {
    std::uint64_t total = 0;
    for (const char* path : {"/proc/net/tcp", "/proc/net/tcp6"}) {
        std::ifstream in(path);
        std::string line;
        std::getline(in, line);  // header
        while (std::getline(in, line)) {
            // sl local_address rem_address st tx_queue:rx_queue ...
            std::istringstream fields(line);
            std::string slot, local, remote, state, queues;
            fields >> slot >> local >> remote >> state >> queues;
            auto colon = local.rfind(':');
            if (state != "0A" || colon == std::string::npos) continue;  // 0A = LISTEN
            if (std::stoul(local.substr(colon + 1), nullptr, 16) != port) continue;
            auto q = queues.find(':');
            if (q != std::string::npos) total += std::stoull(queues.substr(q + 1), nullptr, 16);
        }
    }
    return total;
}

}  // namespace

std::uint64_t accept_queue_length(std::uint16_t port) {
    std::uint64_t total = 0;
    if (listen_queue_by_netlink(AF_INET, port, total) &&
        listen_queue_by_netlink(AF_INET6, port, total)) {
        return total;
    }
    return listen_queue_by_proc(port);
}

}  // namespace lab
