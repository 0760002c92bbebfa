// Workloads: JSON files (harness/workloads/NAME.json) that say what the simulated clients
// send. An instructor copies one and edits it. The format is in harness/workloads/README.md.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace lab {

// One kind of request in the mix.
struct RequestSpec {
    enum class Kind { Ping, Echo, Work, Incr, Query, Wait, Post };
    Kind kind = Kind::Ping;
    std::uint64_t weight = 1;
    std::uint64_t echo_bytes = 0;   // ECHO: length of the text
    std::uint64_t cpu_us = 0;       // WORK
    std::uint64_t io_ms = 0;        // WORK
    std::uint64_t reply_bytes = 0;  // WORK
    std::uint64_t keys = 1;         // INCR, WAIT, POST: spread over this many keys, k0...
    std::uint64_t query_ms = 0;     // QUERY: time in the database
    std::uint64_t rows = 0;         // QUERY: rows in the reply
    std::uint64_t timeout_ms = 0;   // WAIT: how long the server waits for a POST
};

// How a slow client behaves: requests written a few bytes at a time with a pause between,
// replies read a few bytes at a time with a pause between. 0 bytes = not slow.
struct SlowClient {
    std::uint64_t write_chunk_bytes = 0;
    std::uint64_t write_pause_ns = 0;
    std::uint64_t read_chunk_bytes = 0;
    std::uint64_t read_pause_ns = 0;
    // Share of connections (0-100) that behave slowly; the others are normal.
    std::uint64_t share_pct = 100;
};

// Mostly idle connections (the c10k shape): a share of the connections (0-100, spread evenly
// over the slots as slow_client's share is) waits think_time_ns between a reply and its next
// request; the others use the workload's own think_time and form the active set.
struct IdleClients {
    std::uint64_t share_pct = 100;
    std::uint64_t think_time_ns = 0;  // more than 0
};

// Opening the connections in paced groups instead of all in one burst: `group` connects at
// the start, the next `group` every_ns later, and so on. Only the initial connects are paced;
// a reconnect (after requests_per_connection, or a failure's back-off) is not.
struct ConnectPace {
    std::uint64_t group = 1;
    std::uint64_t every_ns = 0;
};

struct Workload {
    std::string name;
    std::string description;
    std::string path;  // where it was read from
    std::vector<RequestSpec> mix;
    std::uint64_t think_time_ns = 0;
    std::uint64_t requests_per_connection = 0;  // 0 = keep the connection forever
    std::uint64_t request_timeout_ns = 10'000'000'000;
    std::optional<SlowClient> slow;
    std::optional<IdleClients> idle;
    std::optional<ConnectPace> pace;
};

// Limits a workload file may not pass.
inline constexpr std::uint64_t kMaxEchoBytes = 4000;  // an ECHO line must fit in 4096 bytes
inline constexpr std::uint64_t kMaxIncrKeys = 1024;   // also WAIT's and POST's keys
// QUERY and WAIT, copies of LABP/1's limits (shared/protocol.hpp), under names of their own
// (tests/harness_copies_test.cpp compares them): QUERY's time in the database and rows, and
// WAIT's timeout. A QUERY row is kQueryReplyRowBytes on the wire (engine.cpp checks them).
inline constexpr std::uint64_t kWorkloadMaxQueryMs = 10'000;
inline constexpr std::uint64_t kWorkloadMaxQueryRows = 1'000;
inline constexpr std::uint64_t kWorkloadMaxWaitMs = 60'000;
inline constexpr std::uint64_t kQueryReplyRowBytes = 100;
inline constexpr std::uint64_t kDefaultWaitMs = 1'000;
inline constexpr std::size_t kMaxMixEntries = 64;
inline constexpr std::uint64_t kMaxConnectGroup = 100'000;  // the harness's most connections
inline constexpr std::uint64_t kMaxConnectEveryNs = 60'000'000'000;  // a minute between groups

// When the last of `connections` paced connects is due, in ns after the start: the warm-up
// must be at least this long for every connection to be open when the window starts.
// 0 without pacing.
std::uint64_t pacing_ns(const std::optional<ConnectPace>& pace, std::uint64_t connections);

// Whether the workload has a request of this kind in its mix.
bool has_request(const Workload& workload, RequestSpec::Kind kind);

// "" if the workload's request timeout is longer than every QUERY's `ms` and every WAIT's
// `timeout_ms` (else each such request would time out in the harness first, and its real
// outcome would never be seen); otherwise what is wrong, naming the mix entry.
std::string check_request_timeout(const Workload& workload);

// Loads `name_or_path`: a path if it contains '/' or ends in .json, else
// <workload_dir>/<name>.json. On failure returns nullopt and a one-line message naming the
// file, the field and what is wrong.
std::optional<Workload> load_workload(const std::string& name_or_path,
                                      const std::string& workload_dir, std::string& error);

// The names of the workloads in a directory, sorted.
std::vector<std::string> list_workloads(const std::string& workload_dir);

}  // namespace lab
