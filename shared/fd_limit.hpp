// The server's one resource limit: how many descriptors it may hold. Called once by
// lab-server's main, before listening. Nothing here exits the process.
#pragma once

#include <cstdint>

namespace lab {

// Raises this process's soft RLIMIT_NOFILE to its hard limit, so that a server can hold as
// many connections as the system lets it (the soft limit is often 1024; 10,000 clients need
// 10,000 descriptors). Returns the soft limit now in force: unchanged if it could not be
// raised, 0 if it could not be read. Past it, accept_client refuses clients with ERR 503.
std::uint64_t raise_fd_limit();

}  // namespace lab
