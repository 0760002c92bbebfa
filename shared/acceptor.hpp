// The accept loop of the blocking models that accept in one thread (sequential, threads,
// fork, threadpool; prefork's workers accept on their own): wait for the next client, and
// meanwhile finish the refusals of clients over --max-clients, whose drains (drain.hpp) it
// keeps between accepts so that a refused client never holds up the loop.
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "drain.hpp"
#include "service.hpp"

namespace lab {

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

    // Refuses fd with ERR 503 (send_refusal) and takes ownership of it; the drain that keeps
    // the reply from being reset away goes on during later calls of next_client(), at most
    // kMaxDrains at once (past that: read once and close).
    void refuse(int fd);

    // In a forked child: closes the child's copies of the descriptors being drained, so that
    // the parent's close() really ends those connections.
    void close_inherited();

  private:
    void serve_drains(const std::vector<short>& revents);
    void expire_drains();

    Server& server_;
    std::function<void()> on_child_event_;
    std::vector<Drain> draining_;  // at most kMaxDrains
};

}  // namespace lab
