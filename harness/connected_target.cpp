// A connected target (run_target.hpp): a server started elsewhere (--connect). The harness
// starts nothing and stops nothing; the server figures are the difference of two STATS
// replies, asked for at the window's edges.
#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <functional>
#include <future>
#include <memory>

#include "clock.hpp"
#include "run_json.hpp"
#include "run_target.hpp"

namespace lab {
namespace {

using nlohmann::json;

// A busy sequential server answers STATS only after the harness's own connections close.
inline constexpr std::uint64_t kStatsTimeoutNs = 10'000'000'000;

// Sends STATS on a fresh connection and parses the reply's JSON. nullopt if the server could
// not be reached, did not answer within kStatsTimeoutNs, or answered something else.
std::optional<json> ask_stats(const std::string& host, std::uint16_t port) {
    addrinfo hints{};
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* found = nullptr;
    if (getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &found) != 0)
        return std::nullopt;
    int fd = socket(found->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    bool ok = fd >= 0 && connect(fd, found->ai_addr, found->ai_addrlen) == 0;
    freeaddrinfo(found);
    std::string line;
    if (ok) ok = send(fd, "STATS\nQUIT\n", 11, MSG_NOSIGNAL) == 11;
    std::uint64_t deadline = mono_ns() + kStatsTimeoutNs;
    while (ok && line.find('\n') == std::string::npos && mono_ns() < deadline) {
        pollfd p{fd, POLLIN, 0};
        if (poll(&p, 1, 100) <= 0) continue;
        char buffer[4096];
        ssize_t n = recv(fd, buffer, sizeof buffer, 0);
        if (n <= 0) break;
        line.append(buffer, static_cast<std::size_t>(n));
    }
    if (fd >= 0) close(fd);
    if (!line.starts_with("OK {")) return std::nullopt;
    json j = json::parse(line.substr(3, line.find('\n') - 3), nullptr, false);
    if (j.is_discarded()) return std::nullopt;
    return j;
}

// One STATS reply and when it arrived.
struct Answer {
    std::optional<json> stats;
    std::uint64_t at_ns = 0;
};

class ConnectedTarget : public RunTarget {
  public:
    explicit ConnectedTarget(const RunSpec& spec)
        : host_(*spec.connect_host), port_(spec.connect_port) {}

    const std::string& host() const override { return host_; }
    std::uint16_t port() const override { return port_; }

    // STATS is asked on threads of their own, so that a server slow to answer it (a busy
    // sequential one answers only when it gets to that connection) never stalls the engine.
    void window_start() override { before_ = std::async(std::launch::async, ask()); }
    void window_end() override {
        window_end_ns_ = mono_ns();
        after_ = std::async(std::launch::async, ask());
    }

    TargetReport finish(const EngineResult& r) override;

  private:
    std::function<Answer()> ask() const {
        return [host = host_, port = port_] { return Answer{ask_stats(host, port), mono_ns()}; };
    }

    std::string host_;
    std::uint16_t port_;
    std::future<Answer> before_;
    std::future<Answer> after_;
    std::uint64_t window_end_ns_ = 0;
};

TargetReport ConnectedTarget::finish(const EngineResult&) {
    TargetReport report;
    report.server = {{"figures_from", "STATS"}};
    if (!before_.valid() || !after_.valid()) {
        report.server["note"] =
            "the run was interrupted before its window opened: no server figures";
        return report;
    }
    Answer before = before_.get();
    Answer after = after_.get();
    // An answer that came after the window closed cannot be its start edge.
    if (before.stats && before.at_ns > window_end_ns_) {
        report.server["note"] =
            "STATS was answered only after the window ended (a busy server): no server figures";
        return report;
    }
    std::optional<StatsWindow> w;
    if (before.stats && after.stats) w = account_stats_window(*before.stats, *after.stats);
    if (!w) {
        report.server["note"] = "STATS could not be read at the start or end of the window";
        return report;
    }
    report.server.update(server_json(*w));
    // The event library's mechanism (libevent), or null: a loop written by hand, an older server.
    const json& stats = *after.stats;
    bool has_method =
        stats.is_object() && stats.contains("event_method") && stats["event_method"].is_string();
    report.server["event_method"] = has_method ? stats["event_method"] : json(nullptr);
    report.per_request = per_request(*w);
    return report;
}

}  // namespace

std::unique_ptr<RunTarget> connected_target(const RunSpec& spec) {
    return std::make_unique<ConnectedTarget>(spec);
}

}  // namespace lab
