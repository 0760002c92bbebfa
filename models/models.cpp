// The list of models. Add a model here and in its own file; nothing else needs to change.
#include "models.hpp"

namespace lab {

inline constexpr std::uint64_t kDefaultMaxClients = 1024;

const std::vector<Model>& models() {
    static const std::vector<Model> list = {
        {"sequential", "one client at a time; the others wait in the listen backlog",
         serve_sequential, 0, 0, Locking::SingleTask},
        {"threads", "one thread per client, blocking I/O", serve_threads, kDefaultMaxClients, 0,
         Locking::Shared},
        {"fork", "one child process per client, blocking I/O", serve_fork, kDefaultMaxClients, 0,
         Locking::Shared},
        {"select", "one thread, non-blocking sockets and a select() loop", serve_select,
         select_max_clients(), select_max_clients(), Locking::SingleTask},
        {"poll",
         "one thread, a poll() loop: no FD_SETSIZE limit, but each turn looks at every client",
         serve_poll, kDefaultMaxClients, 0, Locking::SingleTask},
        {"epoll", "one thread, an epoll loop: each turn looks only at the ready clients",
         serve_epoll, kDefaultMaxClients, 0, Locking::SingleTask},
    };
    return list;
}

const Model* find_model(const std::string& name) {
    for (const Model& m : models()) {
        if (m.name == name) return &m;
    }
    return nullptr;
}

}  // namespace lab
