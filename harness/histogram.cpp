// The log-linear histogram of histogram.hpp. A value keeps its top kSignificantBits bits:
// 0..255 have a bucket each; above that, every power of two [2^m, 2^(m+1)) is split into
// 128 buckets of width 2^(m-7), so a bucket is never wider than 1/128 of its values.
#include "histogram.hpp"

#include <algorithm>
#include <bit>
#include <cmath>

namespace lab {
namespace {

// Bits of a value that its bucket keeps: the leading one and 7 more.
constexpr unsigned kSignificantBits = 8;
// Values below this are their own bucket (exact).
constexpr std::uint64_t kExactLimit = std::uint64_t{1} << kSignificantBits;  // 256
// Buckets per power of two above kExactLimit.
constexpr std::uint64_t kBucketsPerOctave = kExactLimit / 2;  // 128
// Bit length of the largest value kept (kMaxValueNs = 2^40 - 1).
constexpr unsigned kValueBits = 40;
static_assert(Histogram::kMaxValueNs == (std::uint64_t{1} << kValueBits) - 1);
// 256 exact buckets, then 128 for each power of two from 2^8 up to 2^39.
constexpr std::size_t kBucketCount =
    static_cast<std::size_t>(kExactLimit + (kValueBits - kSignificantBits) * kBucketsPerOctave);

// The bucket holding value (value <= kMaxValueNs).
std::size_t bucket_index(std::uint64_t value) {
    if (value < kExactLimit) return static_cast<std::size_t>(value);
    const auto top_bit = static_cast<unsigned>(std::bit_width(value) - 1);  // >= 8
    const unsigned shift = top_bit - (kSignificantBits - 1);
    const std::uint64_t kept = value >> shift;  // in [128, 256): the leading one and 7 bits
    return static_cast<std::size_t>(kExactLimit + (top_bit - kSignificantBits) * kBucketsPerOctave +
                                    (kept - kBucketsPerOctave));
}

// The largest value that lands in bucket index (index < kBucketCount).
std::uint64_t bucket_upper_bound(std::size_t index) {
    if (index < kExactLimit) return index;
    const std::uint64_t above = index - kExactLimit;
    const auto top_bit = static_cast<unsigned>(above / kBucketsPerOctave) + kSignificantBits;
    const unsigned shift = top_bit - (kSignificantBits - 1);
    const std::uint64_t kept = above % kBucketsPerOctave + kBucketsPerOctave;
    return ((kept + 1) << shift) - 1;
}

}  // namespace

Histogram::Histogram() : counts_(kBucketCount, 0) {}

void Histogram::record(std::uint64_t value_ns) {
    const std::uint64_t value = std::min(value_ns, kMaxValueNs);  // clamped, as documented
    ++counts_[bucket_index(value)];
    if (count_ == 0 || value < min_) min_ = value;
    if (value > max_) max_ = value;
    ++count_;
    sum_ += static_cast<long double>(value);
}

void Histogram::merge(const Histogram& other) {
    if (other.count_ == 0) return;  // its min_ (0) must not become ours
    for (std::size_t i = 0; i < kBucketCount; ++i)
        counts_[i] += other.counts_[i];
    min_ = count_ == 0 ? other.min_ : std::min(min_, other.min_);
    max_ = std::max(max_, other.max_);
    count_ += other.count_;
    sum_ += other.sum_;
}

double Histogram::mean() const {
    if (count_ == 0) return 0.0;
    return static_cast<double>(sum_ / static_cast<long double>(count_));
}

std::uint64_t Histogram::percentile(double p) const {
    if (count_ == 0) return 0;
    if (!(p > 0.0)) return min();  // also NaN, which no rank can be computed from
    if (p >= 100.0) return max();
    const long double exact_rank =
        static_cast<long double>(p) / 100.0L * static_cast<long double>(count_);
    // p itself is a binary fraction (99.9 is 99.90000000000000568...): without this slack
    // ceil() would turn a rank of exactly 99900 into 99901.
    const long double slack = exact_rank * 1e-12L;
    auto rank = static_cast<std::uint64_t>(std::ceil(exact_rank - slack));
    rank = std::clamp<std::uint64_t>(rank, 1, count_);
    std::uint64_t seen = 0;
    for (std::size_t i = 0; i < kBucketCount; ++i) {
        seen += counts_[i];
        if (seen >= rank) return std::min(bucket_upper_bound(i), max_);
    }
    return max_;  // not reached: the counts add up to count_
}

std::vector<std::pair<std::uint64_t, std::uint64_t>> Histogram::buckets() const {
    std::vector<std::pair<std::uint64_t, std::uint64_t>> out;
    for (std::size_t i = 0; i < kBucketCount; ++i) {
        if (counts_[i] != 0) out.emplace_back(bucket_upper_bound(i), counts_[i]);
    }
    return out;
}

Histogram Histogram::from_buckets(const std::vector<std::pair<std::uint64_t, std::uint64_t>>& b) {
    // Every value is taken to be its bucket's upper bound, so min, max and mean are those
    // of the upper bounds, and buckets() gives back exactly b (in order, zeros dropped).
    Histogram h;
    for (const auto& [upper_ns, n] : b) {
        if (n == 0) continue;
        const std::uint64_t value = std::min(upper_ns, kMaxValueNs);
        h.counts_[bucket_index(value)] += n;
        if (h.count_ == 0 || value < h.min_) h.min_ = value;
        if (value > h.max_) h.max_ = value;
        h.count_ += n;
        h.sum_ += static_cast<long double>(value) * static_cast<long double>(n);
    }
    return h;
}

}  // namespace lab
