// Sequential: one client at a time. Accept a connection, serve it until it closes, accept
// the next. Costs nothing extra, but while one client is served every other one waits.
#include "acceptor.hpp"
#include "blocking_session.hpp"
#include "models.hpp"

namespace lab {

void serve_sequential(Server& server) {
    Acceptor acceptor(server);
    while (true) {
        int client = acceptor.next_client();  // blocks until a client connects
        if (client < 0) return;               // the server is stopping
        add(server.stats->connections_active, 1);
        // Blocks until this client is done. Meanwhile nobody else is accepted: new clients
        // queue in the listen backlog (STATS accept_queue shows them). That is the lesson.
        serve_connection(client, server);
        add(server.stats->connections_active, static_cast<std::uint64_t>(-1));
    }
}

}  // namespace lab
