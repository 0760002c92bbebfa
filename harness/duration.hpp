// Durations on the command line and in workload files: "N", "Nms", "Ns" or "Nm" (a bare
// number is seconds). Parsed into nanoseconds.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace lab {

// nullopt for anything else: a sign, a fraction, an unknown unit, an overflow, or a value
// over a day.
std::optional<std::uint64_t> parse_duration_ns(const std::string& text);
std::string format_duration(std::uint64_t ns);

}  // namespace lab
