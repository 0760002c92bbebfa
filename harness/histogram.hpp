// A log-linear latency histogram in the style of HdrHistogram: values in nanoseconds, each
// recorded into a bucket whose width is at most 1/128 of its values (≤ 0.79% relative
// error), so percentiles are exact to within 1%. Fixed memory (no allocation per sample),
// mergeable by adding counts, and stored in results as [[upper_bound_ns, count], ...].
#pragma once

#include <cstdint>
#include <utility>
#include <vector>

namespace lab {

class Histogram {
  public:
    // Values up to kMaxValueNs (about 18 minutes) are kept; larger ones count as kMaxValueNs.
    static constexpr std::uint64_t kMaxValueNs = (std::uint64_t{1} << 40) - 1;

    Histogram();

    void record(std::uint64_t value_ns);
    // Adds every count of other into this one.
    void merge(const Histogram& other);

    std::uint64_t count() const { return count_; }
    std::uint64_t min() const { return count_ == 0 ? 0 : min_; }  // exact
    std::uint64_t max() const { return max_; }                    // exact
    double mean() const;                                          // exact (sum / count)
    // The value at percentile p (0 < p <= 100): the upper bound of the bucket that holds the
    // ceil(p/100 * count)-th smallest value, capped at max(). 0 for an empty histogram.
    std::uint64_t percentile(double p) const;

    // The non-empty buckets, in increasing order: (largest value the bucket holds, count).
    std::vector<std::pair<std::uint64_t, std::uint64_t>> buckets() const;
    // Rebuilds a histogram from buckets() output (min, max and mean become bucket-exact).
    static Histogram from_buckets(const std::vector<std::pair<std::uint64_t, std::uint64_t>>& b);

  private:
    std::vector<std::uint64_t> counts_;
    std::uint64_t count_ = 0;
    std::uint64_t min_ = 0;
    std::uint64_t max_ = 0;
    long double sum_ = 0;
};

}  // namespace lab
