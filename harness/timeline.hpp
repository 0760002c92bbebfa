// lab-harness timeline: the four classic pictures, measured. Three clients each send a few
// WORK requests to a fresh server started with --trace; the result is the server's trace
// plus the client side (when each request was sent and when its reply arrived, on a track
// per client), so time a request spent waiting in the listen backlog shows too.
#pragma once

#include <cstdint>
#include <string>

namespace lab {

struct TimelineSpec {
    std::string model;
    std::string scenario;  // cpu, io or mixed
    std::string server_bin;
    std::string out_path;
    std::uint64_t clients = 3;
    std::uint64_t requests_per_client = 3;
};

// The WORK line of a scenario, or "" for an unknown scenario.
std::string timeline_request(const std::string& scenario);

// Runs the scenario and writes the combined Chrome trace JSON to spec.out_path. Returns 0,
// or 2 with a one-line message in `error` (bad scenario, server would not start), or 1 when
// the server answered wrongly.
int run_timeline(const TimelineSpec& spec, std::string& error);

}  // namespace lab
