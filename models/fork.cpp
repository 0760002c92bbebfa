// Process per client: accept a connection and fork a child process that serves it with
// simple blocking code. Costs a process per client (its own memory map and page tables, a
// fork, a reap); processes share nothing unless given shared memory and a shared lock.
#include <unistd.h>

#include <unordered_set>
#include <vector>

#include "acceptor.hpp"
#include "blocking_session.hpp"
#include "child_process.hpp"
#include "models.hpp"
#include "trace.hpp"

namespace lab {
namespace {

// Reaps every child that has exited, without blocking. The parent counted each child as an
// active connection from accept until now, and adds its wait4 rusage here, so a child that
// was killed leaks neither capacity nor figures.
void reap_children(Server& server, std::unordered_set<pid_t>& children) {
    reap_exited_children(*server.stats, [&](pid_t pid) {
        if (children.erase(pid) == 1) {
            add(server.stats->connections_active, static_cast<std::uint64_t>(-1));
        }
    });
}

}  // namespace

void serve_fork(Server& server) {
    StatsBlock& stats = *server.stats;
    std::unordered_set<pid_t> children;
    Acceptor acceptor(server, [&] { reap_children(server, children); });
    const pid_t parent = getpid();
    while (true) {
        int client = acceptor.next_client();  // blocks until a client connects (or a child exits)
        if (client < 0) break;                // the server is stopping
        if (children.size() >= server.settings.max_clients) {
            acceptor.refuse(client);  // ERR 503: one more process would pass --max-clients
            continue;
        }
        // Counted before the fork: the child may answer a STATS before the parent runs again.
        add(stats.connections_active, 1);
        SignalsHeld held;
        pid_t pid = fork();
        if (pid == 0) {
            // The child: serve this one client, then exit.
            if (!become_child(parent, held, "child process for one client", "child")) _exit(1);
            close(server.listen_fd);  // only the parent accepts
            acceptor.close_inherited();
            serve_connection(client, server);
            trace::write_child_part();  // the parent merges it into the trace at exit
            _exit(0);  // not exit(): the parent's clean-up (the stats file) is not ours to run
        }
        held.release();
        if (pid < 0) {
            add(stats.connections_active, static_cast<std::uint64_t>(-1));
            acceptor.refuse(client);  // no process to give: ERR 503
            continue;
        }
        close(client);  // the parent's copy; the child has its own
        children.insert(pid);
    }
    stop_children([&] { return std::vector<pid_t>(children.begin(), children.end()); },
                  [&] { reap_children(server, children); });
}

}  // namespace lab
