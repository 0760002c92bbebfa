// Thread per client: accept a connection and hand it to a new thread that serves it with
// simple blocking code. Costs a thread (a stack, a kernel task) per client and a context
// switch every time one waits; threads sharing the INCR table need a lock.
#include "acceptor.hpp"
#include "blocking_session.hpp"
#include "models.hpp"
#include "thread_group.hpp"

namespace lab {

void serve_threads(Server& server) {
    StatsBlock& stats = *server.stats;
    Acceptor acceptor(server);
    ThreadGroup threads(stats, server.settings.thread_stack_kb);
    while (true) {
        int client = acceptor.next_client();  // blocks until a client connects
        if (client < 0) break;                // the server is stopping
        if (load(stats.connections_active) >= server.settings.max_clients) {
            acceptor.refuse(client);  // ERR 503: one more thread would pass --max-clients
            continue;
        }
        add(stats.connections_active, 1);
        bool started = threads.start([client, &server] {
            serve_connection(client, server);  // blocks this thread only
            add(server.stats->connections_active, static_cast<std::uint64_t>(-1));
        });
        if (!started) {
            add(stats.connections_active, static_cast<std::uint64_t>(-1));
            acceptor.refuse(client);  // the system has no thread to give: ERR 503 as well
        }
    }
    threads.join_all();  // each thread sees the stop latch and returns
}

}  // namespace lab
