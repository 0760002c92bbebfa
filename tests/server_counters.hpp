// A running test server's counter block, read from its stats file: what the server does,
// without asking it anything (its loop may be busy, a sequential server busy with a waiting
// client). Shared by the QUERY, WAIT/POST and --loops suites.
#pragma once

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "counters.hpp"
#include "server_process.hpp"

namespace labtest {

class Counters {
  public:
    explicit Counters(const ServerProcess& server) : region_(open(server)) {}
    std::uint64_t requests() const { return region_ ? lab::load(region_->block().requests) : 0; }
    std::uint64_t active() const {
        return region_ ? lab::load(region_->block().connections_active) : 0;
    }
    std::uint64_t accepted() const {
        return region_ ? lab::load(region_->block().connections_accepted) : 0;
    }
    const lab::StatsBlock* block() const { return region_ ? &region_->block() : nullptr; }
    // Loop i's own figures (select, poll, epoll; epoll --loops N: i < N).
    const lab::LoopSlot* loop(std::size_t i) const {
        return region_ && i < lab::kMaxLoops ? &region_->block().loops[i] : nullptr;
    }
    std::uint64_t loop_accepted(std::size_t i) const {
        return loop(i) ? lab::load(loop(i)->connections_accepted) : 0;
    }
    std::uint64_t loop_active(std::size_t i) const {
        return loop(i) ? lab::load(loop(i)->connections_active) : 0;
    }
    std::uint64_t loop_requests(std::size_t i) const {
        return loop(i) ? lab::load(loop(i)->requests) : 0;
    }
    // Waits until the server has begun `n` requests in all: execute() counts a request before
    // it runs it (a QUERY is then on its way to the database, a WAIT about to wait).
    bool wait_requests(std::uint64_t n, Millis timeout = std::chrono::seconds(10)) const {
        return eventually([&] { return requests() >= n; }, timeout);
    }

    // The loop that serves `c` (of the first `loops`): the one whose request count its PING
    // moved, nothing else talking to the server meanwhile. -1 if the PING was not answered.
    int loop_of(Client& c, std::size_t loops) const {
        std::vector<std::uint64_t> before;
        for (std::size_t i = 0; i < loops; ++i)
            before.push_back(loop_requests(i));
        if (c.request("PING") != "OK PONG") return -1;
        for (std::size_t i = 0; i < loops; ++i) {
            if (loop_requests(i) > before[i]) return static_cast<int>(i);
        }
        return -1;
    }
    // Two clients that one loop serves (of `loops`; any two when there is one): what a test
    // of "a loop's blocking call stalls its clients" needs with several loops. Fails the test
    // (and returns unconnected clients) if 16 clients do not give two on one loop.
    std::pair<Client, Client> two_clients_of_one_loop(std::uint16_t port, std::size_t loops) const {
        std::vector<std::vector<Client>> on(loops);
        for (int i = 0; i < 16; ++i) {
            Client c(port);
            int loop = loops == 1 ? 0 : loop_of(c, loops);
            if (loop < 0) break;
            auto& mine = on[static_cast<std::size_t>(loop)];
            mine.push_back(std::move(c));
            if (mine.size() == 2) return {std::move(mine[0]), std::move(mine[1])};
        }
        ADD_FAILURE() << "no two of 16 clients on one loop";
        return {};
    }

  private:
    static std::optional<lab::StatsRegion> open(const ServerProcess& server) {
        std::string error;
        auto region = lab::StatsRegion::open_readonly(server.stats_path(), error);
        EXPECT_TRUE(region.has_value()) << error;
        return region;
    }
    std::optional<lab::StatsRegion> region_;
};

}  // namespace labtest
