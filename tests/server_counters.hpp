// A running test server's counter block, read from its stats file: what the server does,
// without asking it anything (its loop may be busy, a sequential server busy with a waiting
// client). Shared by the QUERY, WAIT/POST and --loops suites.
#pragma once

#include <gtest/gtest.h>

#include <optional>
#include <string>

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
