// The accept loop of the blocking models (sequential, threads, fork): wait for the next
// client, and meanwhile finish the refusals of clients over --max-clients without letting
// a refused client hold up the loop.
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "service.hpp"

namespace lab {

// At most this many refused connections are drained at once; past it a refusal writes its
// line, shuts down, reads once without blocking and closes.
inline constexpr std::size_t kMaxDraining = 64;

// Not thread-safe: one Acceptor per listening loop, used by the thread that runs the loop.
class Acceptor {
  public:
    // on_child_event, if set, runs whenever SIGCHLD arrives (the fork model reaps there).
    explicit Acceptor(Server& server, std::function<void()> on_child_event = {});
    ~Acceptor();
    Acceptor(const Acceptor&) = delete;
    Acceptor& operator=(const Acceptor&) = delete;

    // Blocks (blocking_ns[accept]) until a client connects; returns its non-blocking fd, or
    // -1 once the server is stopping.
    int next_client();

    // Refuses fd with ERR 503 and takes ownership of it; the drain that keeps the reply from
    // being reset away goes on during later calls of next_client().
    void refuse(int fd);

    // In a forked child: closes the child's copies of the descriptors being drained, so that
    // the parent's close() really ends those connections.
    void close_inherited();

  private:
    struct Draining {
        int fd;
        std::uint64_t deadline_ns;
        std::size_t drained;
    };
    void serve_drains(const std::vector<short>& revents);
    void expire_drains();

    Server& server_;
    std::function<void()> on_child_event_;
    std::vector<Draining> draining_;
};

}  // namespace lab
