#include "duration.hpp"

#include <limits>

namespace lab {

std::optional<std::uint64_t> parse_duration_ns(const std::string& text) {
    constexpr std::uint64_t kMaxNs = 86'400ull * 1'000'000'000;  // a day
    std::size_t i = 0;
    std::uint64_t value = 0;
    while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
        if (value > 1'000'000'000) return std::nullopt;  // far past a day in any unit
        value = value * 10 + static_cast<std::uint64_t>(text[i] - '0');
        ++i;
    }
    if (i == 0) return std::nullopt;
    std::string unit = text.substr(i);
    std::uint64_t scale = 0;
    if (unit.empty() || unit == "s")
        scale = 1'000'000'000;
    else if (unit == "ms")
        scale = 1'000'000;
    else if (unit == "m")
        scale = 60'000'000'000;
    else
        return std::nullopt;
    if (value > kMaxNs / scale) return std::nullopt;
    return value * scale;
}

std::string format_duration(std::uint64_t ns) {
    if (ns % 60'000'000'000 == 0 && ns != 0) return std::to_string(ns / 60'000'000'000) + "m";
    if (ns % 1'000'000'000 == 0) return std::to_string(ns / 1'000'000'000) + "s";
    return std::to_string(ns / 1'000'000) + "ms";
}

}  // namespace lab
