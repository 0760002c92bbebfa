// What the suites that open more clients than FD_SETSIZE share (behaviour_test.cpp's
// EventLoops, libevent_test.cpp): the count, room for it under RLIMIT_NOFILE, and a tally of
// the replies to one PING from each client.
#pragma once

#include <sys/resource.h>

#include <gtest/gtest.h>

#include <cstddef>
#include <map>
#include <string>
#include <vector>

#include "server_process.hpp"

namespace labtest {

// Connections these tests open: past FD_SETSIZE (1024) on the server's side.
inline constexpr std::size_t kManyClients = 1100;

// Raises this process's soft descriptor limit, which the servers it starts inherit, so that
// it and a server can each hold kManyClients connections. False if the hard limit is lower.
inline bool make_room_for_many_clients() {
    constexpr rlim_t kNeeded = 2 * kManyClients + 200;
    rlimit limit{};
    if (getrlimit(RLIMIT_NOFILE, &limit) != 0) return false;
    if (limit.rlim_cur >= kNeeded) return true;
    if (limit.rlim_max != RLIM_INFINITY && limit.rlim_max < kNeeded) return false;
    limit.rlim_cur = kNeeded;
    return setrlimit(RLIMIT_NOFILE, &limit) == 0;
}

// Connects each of `clients` to `port` (held open) and sends it one PING: how many got each
// reply ("<none>" for no reply). A client that cannot connect fails the test (check
// HasFatalFailure()).
inline std::map<std::string, int> ping_each(std::vector<Client>& clients, std::uint16_t port) {
    std::map<std::string, int> replies;
    for (std::size_t i = 0; i < clients.size(); ++i) {
        if (!clients[i].connect(port)) {
            ADD_FAILURE() << "client " << i << " could not connect";
            return replies;
        }
        ++replies[clients[i].request("PING").value_or("<none>")];
    }
    return replies;
}

// "'OK PONG' x 1008; 'ERR 503 ...' x 92; " for a failure message.
inline std::string describe(const std::map<std::string, int>& replies) {
    std::string seen;
    for (const auto& [reply, count] : replies)
        seen += "'" + reply + "' x " + std::to_string(count) + "; ";
    return seen;
}

}  // namespace labtest
