// The list of models. Add a model here and in its own file; nothing else needs to change.
#include "models.hpp"

#include <sched.h>

#include <algorithm>

namespace lab {

inline constexpr std::uint64_t kDefaultMaxClients = 1024;
inline constexpr std::uint64_t kMinDefaultWorkers = 8;
inline constexpr std::uint64_t kDefaultWorkersPerCore = 4;

const std::vector<Model>& models() {
    // name, summary, serve, default and maximum --max-clients (0: none), INCR table locking,
    // --workers, --thread-stack-kb, an event loop (--blocking-io-in-loop).
    static const std::vector<Model> list = {
        {"sequential", "one client at a time; the others wait in the listen backlog",
         serve_sequential, 0, 0, Locking::SingleTask, false, false, false},
        {"threads", "one thread per client, blocking I/O", serve_threads, kDefaultMaxClients, 0,
         Locking::Shared, false, true, false},
        {"fork", "one child process per client, blocking I/O", serve_fork, kDefaultMaxClients, 0,
         Locking::Shared, false, false, false},
        {"select", "one thread, non-blocking sockets and a select() loop", serve_select,
         select_max_clients(), select_max_clients(), Locking::SingleTask, false, false, true},
        {"poll",
         "one thread, a poll() loop: no FD_SETSIZE limit, but each turn looks at every client",
         serve_poll, kDefaultMaxClients, 0, Locking::SingleTask, false, false, true},
        {"epoll", "one thread, an epoll loop: each turn looks only at the ready clients",
         serve_epoll, kDefaultMaxClients, 0, Locking::SingleTask, false, false, true},
        {"threadpool", "a fixed pool of worker threads fed from a queue, blocking I/O",
         serve_threadpool, kDefaultMaxClients, 0, Locking::Shared, true, true, false},
        {"prefork", "a fixed set of worker processes forked at start, each accepting, blocking I/O",
         serve_prefork, 0, 0, Locking::Shared, true, false, false},
    };
    return list;
}

const Model* find_model(const std::string& name) {
    for (const Model& m : models()) {
        if (m.name == name) return &m;
    }
    return nullptr;
}

std::string model_names_where(bool Model::*has) {
    std::string names;
    for (const Model& m : models()) {
        if (!(m.*has)) continue;
        if (!names.empty()) names += ", ";
        names += m.name;
    }
    return names;
}

std::uint64_t default_workers() {
    cpu_set_t allowed;
    CPU_ZERO(&allowed);
    std::uint64_t cores = 1;
    if (sched_getaffinity(0, sizeof allowed, &allowed) == 0) {
        cores = static_cast<std::uint64_t>(std::max(1, CPU_COUNT(&allowed)));
    }
    return std::min<std::uint64_t>(std::max(kMinDefaultWorkers, kDefaultWorkersPerCore * cores),
                                   kMaxWorkers);
}

}  // namespace lab
