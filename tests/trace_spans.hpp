// The spans of a lab-server --trace file, by name: how long the longest one lasted on a
// thread (a complete event, ph "X": a thread sat in it) and as a parked wait (an async pair,
// ph "b" then "e": no thread sat in it, an event loop's connection waited). Shared by the
// suites that check where a model's waits show up in its trace.
#pragma once

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>

namespace labtest {

struct LongestSpan {
    double thread_us = 0;  // 0: no such span on any thread
    double parked_us = 0;  // 0: no such parked wait
};

// Reads and removes the trace at `path`; nullopt if it is missing or not JSON.
inline std::optional<std::map<std::string, LongestSpan>> longest_spans(const std::string& path) {
    std::ifstream in(path);
    if (!in) return std::nullopt;
    nlohmann::json doc = nlohmann::json::parse(in, nullptr, false);
    std::remove(path.c_str());
    if (doc.is_discarded() || !doc.contains("traceEvents")) return std::nullopt;
    std::map<std::string, LongestSpan> longest;
    std::map<std::pair<std::string, long long>, double> began;  // (name, id) -> ts of "b"
    for (const nlohmann::json& e : doc["traceEvents"]) {
        std::string name = e.value("name", "");
        std::string ph = e.value("ph", "");
        if (ph == "X") {
            longest[name].thread_us = std::max(longest[name].thread_us, e["dur"].get<double>());
            continue;
        }
        if (!e.contains("id2")) continue;
        std::pair<std::string, long long> key{name, e["id2"]["local"].get<long long>()};
        if (ph == "b") began[key] = e["ts"].get<double>();
        if (ph == "e" && began.count(key)) {
            longest[name].parked_us =
                std::max(longest[name].parked_us, e["ts"].get<double>() - began[key]);
            began.erase(key);
        }
    }
    return longest;
}

}  // namespace labtest
