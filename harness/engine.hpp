// The harness's client engine: one thread, epoll, many non-blocking connections. It plays
// the clients of a workload against a server in a closed loop (each connection sends its
// next request when the reply arrives) or an open loop (requests on a fixed schedule, their
// latency counted from the schedule, as wrk2 does), checks every reply, and records latency.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "histogram.hpp"
#include "workload.hpp"

namespace lab {

struct EngineConfig {
    std::string host = "127.0.0.1";
    std::uint16_t port = 0;
    Workload workload;  // with the command line's overrides applied
    std::uint64_t connections = 1;
    std::uint64_t warmup_ns = 0;    // requests before the window are not recorded
    std::uint64_t duration_ns = 0;  // the measurement window
    double rate_rps = 0;            // > 0: open loop at this total rate
    std::uint64_t connect_timeout_ns = 2'000'000'000;
    std::uint64_t seed = 1;
    // Send the workload as HTTP/1.1 GET requests (keep-alive) instead of LABP/1, and read
    // HTTP replies: the same workload compares one to one with wrk.
    bool http = false;
};

// Errors by kind. Some are the model's design (refused over --max-clients, timeouts on a
// sequential server), some mean the server is wrong (wrong_reply).
// Two kinds are answers after which the server keeps the connection, and so does the
// engine: a QUERY the database could not answer, a WAIT that no POST ended in time.
struct ErrorCounts {
    std::uint64_t refused = 0;              // connect refused, or ERR 503 (but the two below)
    std::uint64_t reset = 0;                // connection reset or closed mid-request
    std::uint64_t timeout = 0;              // no reply (or no connect) in time
    std::uint64_t wrong_reply = 0;          // a reply that is not what the protocol says
    std::uint64_t server_err = 0;           // another ERR reply
    std::uint64_t backend_unavailable = 0;  // QUERY: ERR 503 backend unavailable
    std::uint64_t wait_timeout = 0;         // WAIT: ERR 408 no POST before the timeout
    std::uint64_t total() const {
        return refused + reset + timeout + wrong_reply + server_err + backend_unavailable +
               wait_timeout;
    }
};

struct EngineResult {
    Histogram latency;              // from the intended send time (open loop: the schedule)
    Histogram latency_uncorrected;  // from the actual send (open loop only)
    Histogram connect;              // connect() until established
    std::uint64_t requests = 0;     // replies received and recorded in the window
    // Requests intended in the window but not answered by its end (sent and waiting, or in
    // the open loop due and not yet sent). Recorded in the latency histograms with their
    // age at the end (a lower bound), not in `requests`.
    std::uint64_t unfinished = 0;
    ErrorCounts errors;  // counted in the window
    std::vector<std::uint64_t> per_connection_requests;
    // Of errors.timeout, the connects that were not established within connect_timeout_ns
    // (the rest are requests unanswered within the request timeout). A full listen backlog
    // drops connects silently: this is how it shows.
    std::uint64_t connect_timeouts = 0;
    // Connections established (connected, with or without a request in flight) when the
    // window started and when it ended.
    std::uint64_t connected_at_window_start = 0;
    std::uint64_t connected_at_window_end = 0;
    // When every connection slot had been established at least once, in ns after the
    // engine started (paced connects spread this out); nullopt if some never was.
    std::optional<std::uint64_t> all_connected_ns;
    // The workload's idle_clients: how many connections are idle ones, and how many of
    // `requests` they made.
    std::uint64_t idle_connections = 0;
    std::uint64_t idle_requests = 0;
    std::uint64_t harness_cpu_ns = 0;  // this process's CPU time over the window
    std::uint64_t window_ns = 0;
    std::uint64_t window_start_mono_ns = 0;
    std::string first_wrong_reply;  // what was wrong the first time, for the error message
};

struct Progress {
    double elapsed_s = 0;  // since the window started (negative in warm-up)
    std::uint64_t requests = 0;
    std::uint64_t errors = 0;
};

// Hooks the engine calls from its thread: when the measurement window starts and ends (to
// read server counters at the same moments), and about once a second with progress.
struct EngineHooks {
    std::function<void()> window_start;
    std::function<void()> window_end;
    std::function<void(const Progress&)> progress;
};

// Runs one measurement. Returns when warm-up and the window are over, or early (with what
// it has) once `interrupted` becomes true.
EngineResult run_engine(const EngineConfig& config, const EngineHooks& hooks,
                        const std::atomic<bool>& interrupted);

// Jain's fairness index of the counts: 1 when all are equal, 1/n when one has everything.
double jain_fairness(const std::vector<std::uint64_t>& counts);

}  // namespace lab
