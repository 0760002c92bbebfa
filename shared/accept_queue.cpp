// The listen backlog's length. See accept_queue.hpp.
#include "accept_queue.hpp"

#include <arpa/inet.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <string>

namespace lab {
namespace {

// Asks the kernel (NETLINK_SOCK_DIAG) for its listening TCP sockets of one family and adds up
// the accept queues of those on `port` (only the one whose inode is `inode`, unless that is 0).
// Only LISTEN sockets are dumped, so the cost does not grow with the number of connections (parsing
// /proc/net/tcp does: 18 ms at 1,000). The NLMSG_* macros are C, with C casts in them.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wold-style-cast"
bool listen_queue_by_netlink(int family, std::uint16_t port, std::uint64_t inode,
                             std::uint64_t& total) {
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
            if (ntohs(diag->id.idiag_sport) == port && (inode == 0 || diag->idiag_inode == inode))
                total += diag->idiag_rqueue;
        }
        if (done) break;
    }
    close(fd);
    return ok;
}

#pragma GCC diagnostic pop

// The same from /proc/net/tcp{,6}: slower, for kernels without sock_diag.
std::uint64_t listen_queue_by_proc(std::uint16_t port, std::uint64_t inode) {
    std::uint64_t total = 0;
    for (const char* path : {"/proc/net/tcp", "/proc/net/tcp6"}) {
        std::ifstream in(path);
        std::string line;
        std::getline(in, line);  // header
        while (std::getline(in, line)) {
            // sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid
            // timeout inode ...
            std::istringstream fields(line);
            std::string slot, local, remote, state, queues, timer, retransmits, uid, timeout;
            std::uint64_t socket_inode = 0;
            fields >> slot >> local >> remote >> state >> queues >> timer >> retransmits >> uid >>
                timeout >> socket_inode;
            auto colon = local.rfind(':');
            if (state != "0A" || colon == std::string::npos) continue;  // 0A = LISTEN
            if (std::stoul(local.substr(colon + 1), nullptr, 16) != port) continue;
            if (inode != 0 && socket_inode != inode) continue;
            auto q = queues.find(':');
            if (q != std::string::npos) total += std::stoull(queues.substr(q + 1), nullptr, 16);
        }
    }
    return total;
}

}  // namespace

std::uint64_t accept_queue_length(std::uint16_t port, std::uint64_t socket_inode) {
    std::uint64_t total = 0;
    if (listen_queue_by_netlink(AF_INET, port, socket_inode, total) &&
        listen_queue_by_netlink(AF_INET6, port, socket_inode, total)) {
        return total;
    }
    return listen_queue_by_proc(port, socket_inode);
}

std::uint64_t loop_connections_waiting(const StatsBlock& stats, std::size_t loop) {
    const LoopSlot& slot = stats.loops[loop];
    std::uint64_t inode = load(slot.listen_inode);
    if (inode != 0) return accept_queue_length(static_cast<std::uint16_t>(stats.port), inode);
    // The loop's count first: it takes a client in after the accepting thread handed it.
    std::uint64_t taken_in = load(slot.connections_accepted);
    return load(slot.connections_handed) - taken_in;
}

}  // namespace lab
