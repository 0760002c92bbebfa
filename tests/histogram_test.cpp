// Unit tests of the latency histogram (harness/histogram.hpp): percentiles against the exact
// percentiles of the sorted samples over several distributions, exact small values, clamping,
// merging, the buckets() round trip, the empty histogram, and the bucket-width bound itself.
#include "histogram.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <functional>
#include <limits>
#include <numeric>
#include <random>
#include <string>
#include <utility>
#include <vector>

namespace {

using lab::Histogram;
using Buckets = std::vector<std::pair<std::uint64_t, std::uint64_t>>;

constexpr std::size_t kSamples = 100'000;
// The percentiles checked, in thousandths so that the exact rank is integer arithmetic.
constexpr std::uint64_t kPermilles[] = {500, 900, 990, 999, 1000};

Histogram record_all(const std::vector<std::uint64_t>& values) {
    Histogram h;
    for (std::uint64_t v : values)
        h.record(v);
    return h;
}

// The exact value at percentile permille/10 of sorted: the ceil(permille/1000 * n)-th
// smallest, the definition histogram.hpp states, computed without floating point.
std::uint64_t exact_percentile(const std::vector<std::uint64_t>& sorted, std::uint64_t permille) {
    const std::uint64_t n = sorted.size();
    const std::uint64_t rank = std::max<std::uint64_t>(1, (permille * n + 999) / 1000);
    return sorted[static_cast<std::size_t>(rank - 1)];
}

// 100k values from draw (fixed seed), clamped into [0, kMaxValueNs] and rounded to ns.
std::vector<std::uint64_t> draw_samples(std::uint32_t seed,
                                        const std::function<double(std::mt19937_64&)>& draw) {
    std::mt19937_64 rng(seed);
    std::vector<std::uint64_t> values(kSamples);
    for (auto& v : values) {
        const double x = std::clamp(draw(rng), 0.0, static_cast<double>(Histogram::kMaxValueNs));
        v = static_cast<std::uint64_t>(std::llround(x));
    }
    return values;
}

struct Distribution {
    std::string name;
    std::vector<std::uint64_t> values;
};

std::vector<Distribution> distributions() {
    std::vector<Distribution> out;
    out.push_back({"uniform 0..10ms", draw_samples(1, [](std::mt19937_64& rng) {
                       return std::uniform_real_distribution<double>(0.0, 10e6)(rng);
                   })});
    out.push_back({"exponential mean 100us", draw_samples(2, [](std::mt19937_64& rng) {
                       return std::exponential_distribution<double>(1.0 / 100e3)(rng);
                   })});
    out.push_back({"lognormal median 200us, sigma 2 (tail to seconds)",
                   draw_samples(3, [](std::mt19937_64& rng) {
                       return std::lognormal_distribution<double>(std::log(200e3), 2.0)(rng);
                   })});
    out.push_back({"bimodal 90% ~50us, 10% ~5ms", draw_samples(4, [](std::mt19937_64& rng) {
                       if (std::bernoulli_distribution(0.9)(rng))
                           return std::normal_distribution<double>(50e3, 5e3)(rng);
                       return std::normal_distribution<double>(5e6, 500e3)(rng);
                   })});
    out.push_back({"small 0..1000ns", draw_samples(5, [](std::mt19937_64& rng) {
                       return std::uniform_real_distribution<double>(0.0, 1000.0)(rng);
                   })});
    return out;
}

// The non-empty buckets of a histogram holding just v.
Buckets buckets_of_one(std::uint64_t v) {
    Histogram h;
    h.record(v);
    return h.buckets();
}

// The bound histogram.hpp promises for a bucket holding v: v <= upper <= v * (1 + 1/128).
testing::AssertionResult UpperBoundFits(std::uint64_t v, std::uint64_t upper) {
    if (upper >= v && upper * 128 <= v * 129) return testing::AssertionSuccess();
    return testing::AssertionFailure() << "value " << v << " has bucket upper bound " << upper
                                       << " (allowed " << v << ".." << v + v / 128 << ")";
}

// ---------------------------------------------------------------------------------------
// 1. Percentiles against exact ones.

TEST(HistogramPercentile, WithinOnePercentAboveExactOverDistributions) {
    for (const auto& dist : distributions()) {
        SCOPED_TRACE(dist.name);
        const Histogram h = record_all(dist.values);
        std::vector<std::uint64_t> sorted = dist.values;
        std::sort(sorted.begin(), sorted.end());
        ASSERT_EQ(h.count(), kSamples);
        EXPECT_EQ(h.min(), sorted.front());
        EXPECT_EQ(h.max(), sorted.back());
        const long double sum = std::accumulate(sorted.begin(), sorted.end(), 0.0L);
        EXPECT_DOUBLE_EQ(h.mean(), static_cast<double>(sum / kSamples));
        for (std::uint64_t permille : kPermilles) {
            const double p = static_cast<double>(permille) / 10.0;
            const std::uint64_t exact = exact_percentile(sorted, permille);
            const std::uint64_t got = h.percentile(p);
            SCOPED_TRACE(testing::Message() << "p" << p << " exact " << exact);
            EXPECT_GE(got, exact);  // an upper bound of the bucket, never below
            EXPECT_LE(static_cast<double>(got - exact), static_cast<double>(exact) / 100.0);
        }
        EXPECT_EQ(h.percentile(100), h.max());
    }
}

TEST(HistogramPercentile, RankIsCeilOfPTimesCount) {
    Histogram h;
    for (std::uint64_t v = 1; v <= 100; ++v)
        h.record(v);
    EXPECT_EQ(h.percentile(50), 50u);
    EXPECT_EQ(h.percentile(50.5), 51u);  // rank ceil(50.5) = 51
    EXPECT_EQ(h.percentile(0.5), 1u);    // rank ceil(0.5) = 1
    EXPECT_EQ(h.percentile(1), 1u);
    EXPECT_EQ(h.percentile(99.5), 100u);
    EXPECT_EQ(h.percentile(100), 100u);
}

TEST(HistogramPercentile, NinetyNinePointNineOfAThousandIsRank999) {
    // 99.9 is not exactly representable: p/100*1000 is 999.0000000000001 in doubles, and a
    // plain ceil would pick rank 1000 (the 200).
    Histogram h;
    for (int i = 0; i < 999; ++i)
        h.record(1);
    h.record(200);
    EXPECT_EQ(h.percentile(99.9), 1u);
    EXPECT_EQ(h.percentile(99.95), 200u);
}

TEST(HistogramPercentile, OutOfRangeP) {
    Histogram h;
    for (std::uint64_t v : {7u, 300u, 90'000u})
        h.record(v);
    EXPECT_EQ(h.percentile(0), 7u);
    EXPECT_EQ(h.percentile(-5), 7u);
    EXPECT_EQ(h.percentile(std::numeric_limits<double>::quiet_NaN()), 7u);
    EXPECT_EQ(h.percentile(150), 90'000u);
}

TEST(HistogramPercentile, CappedAtExactMax) {
    // 1000 is in bucket [1000, 1003]: the upper bound would overstate the largest value.
    Histogram h;
    h.record(1000);
    EXPECT_EQ(h.percentile(50), 1000u);
    EXPECT_EQ(h.percentile(100), 1000u);
    EXPECT_EQ(h.buckets(), (Buckets{{1003, 1}}));
}

// ---------------------------------------------------------------------------------------
// 2. Buckets: small values, the width bound, clamping.

TEST(HistogramBuckets, SmallValuesAreExact) {
    Histogram h;
    for (std::uint64_t v = 0; v < 256; ++v) {
        for (std::uint64_t i = 0; i <= v % 3; ++i)
            h.record(v);
    }
    const Buckets b = h.buckets();
    ASSERT_EQ(b.size(), 256u);
    for (std::uint64_t v = 0; v < 256; ++v) {
        EXPECT_EQ(b[v].first, v);
        EXPECT_EQ(b[v].second, v % 3 + 1);
    }
    EXPECT_EQ(h.min(), 0u);
    EXPECT_EQ(h.max(), 255u);
    // Every rank lands on its exact value: count is 512, so rank r of p = 100*r/512.
    std::vector<std::uint64_t> sorted;
    for (const auto& [v, n] : b)
        sorted.insert(sorted.end(), n, v);
    for (std::size_t r = 1; r <= sorted.size(); ++r) {
        const double p = 100.0 * static_cast<double>(r) / static_cast<double>(sorted.size());
        EXPECT_EQ(h.percentile(p), sorted[r - 1]) << "rank " << r;
    }
}

TEST(HistogramBuckets, UpperBoundWithinOneIn128OfRandomValues) {
    // Log-uniform over the whole range, so that every power of two gets values.
    std::mt19937_64 rng(42);
    std::uniform_int_distribution<unsigned> bits(0, 40);
    for (int i = 0; i < 5000; ++i) {
        const unsigned b = bits(rng);
        const std::uint64_t v =
            b == 0 ? 0 : std::uniform_int_distribution<std::uint64_t>(0, (1ull << b) - 1)(rng);
        const Buckets one = buckets_of_one(v);
        ASSERT_EQ(one.size(), 1u);
        EXPECT_TRUE(UpperBoundFits(v, one[0].first));
    }
}

TEST(HistogramBuckets, UpperBoundWithinOneIn128AtPowersOfTwo) {
    for (unsigned b = 1; b < 40; ++b) {
        const std::uint64_t power = 1ull << b;
        for (std::uint64_t v : {power - 1, power, power + 1}) {
            EXPECT_TRUE(UpperBoundFits(v, buckets_of_one(v).at(0).first));
        }
    }
    EXPECT_TRUE(
        UpperBoundFits(Histogram::kMaxValueNs, buckets_of_one(Histogram::kMaxValueNs).at(0).first));
}

TEST(HistogramBuckets, EveryValueBelow2To17LandsInAFittingBucket) {
    // All of 0..2^17-1 once each: walking the sorted values and the buckets together gives
    // each value its bucket (a bucket of count n holds the next n values).
    constexpr std::uint64_t kLimit = 1u << 17;
    Histogram h;
    for (std::uint64_t v = 0; v < kLimit; ++v)
        h.record(v);
    std::uint64_t v = 0;
    std::uint64_t previous_upper = 0;
    for (const auto& [upper, n] : h.buckets()) {
        if (v > 0) {
            EXPECT_EQ(upper - previous_upper, n) << "buckets must tile the range";
        }
        for (std::uint64_t i = 0; i < n; ++i, ++v)
            ASSERT_TRUE(UpperBoundFits(v, upper));
        previous_upper = upper;
    }
    EXPECT_EQ(v, kLimit);
}

TEST(HistogramBuckets, LargeValuesAreClamped) {
    Histogram h;
    h.record(Histogram::kMaxValueNs + 1);
    h.record(std::numeric_limits<std::uint64_t>::max());
    h.record(Histogram::kMaxValueNs);
    EXPECT_EQ(h.count(), 3u);
    EXPECT_EQ(h.max(), Histogram::kMaxValueNs);
    EXPECT_EQ(h.min(), Histogram::kMaxValueNs);
    EXPECT_EQ(h.percentile(50), Histogram::kMaxValueNs);
    EXPECT_DOUBLE_EQ(h.mean(), static_cast<double>(Histogram::kMaxValueNs));
    EXPECT_EQ(h.buckets(), (Buckets{{Histogram::kMaxValueNs, 3}}));
}

// ---------------------------------------------------------------------------------------
// 3. Merging, the buckets() round trip, the empty histogram.

TEST(HistogramMerge, EqualsRecordingEverythingIntoOne) {
    const auto dists = distributions();
    Histogram merged;
    Histogram together;
    for (const auto& dist : dists) {
        merged.merge(record_all(dist.values));
        for (std::uint64_t v : dist.values)
            together.record(v);
    }
    EXPECT_EQ(merged.buckets(), together.buckets());
    EXPECT_EQ(merged.count(), together.count());
    EXPECT_EQ(merged.min(), together.min());
    EXPECT_EQ(merged.max(), together.max());
    EXPECT_DOUBLE_EQ(merged.mean(), together.mean());
    for (std::uint64_t permille : kPermilles) {
        const double p = static_cast<double>(permille) / 10.0;
        EXPECT_EQ(merged.percentile(p), together.percentile(p)) << "p" << p;
    }
}

TEST(HistogramMerge, WithEmptyEitherWay) {
    Histogram h;
    h.record(500);
    h.record(20);
    h.merge(Histogram{});
    EXPECT_EQ(h.count(), 2u);
    EXPECT_EQ(h.min(), 20u);  // not 0 from the empty one
    EXPECT_EQ(h.max(), 500u);

    Histogram empty;
    empty.merge(h);
    EXPECT_EQ(empty.buckets(), h.buckets());
    EXPECT_EQ(empty.min(), 20u);
    EXPECT_EQ(empty.max(), 500u);
    EXPECT_DOUBLE_EQ(empty.mean(), 260.0);
}

TEST(HistogramRoundTrip, FromBucketsGivesTheSameBuckets) {
    for (const auto& dist : distributions()) {
        SCOPED_TRACE(dist.name);
        const Histogram h = record_all(dist.values);
        const Buckets b = h.buckets();
        const Histogram rebuilt = Histogram::from_buckets(b);
        EXPECT_EQ(rebuilt.buckets(), b);
        EXPECT_EQ(rebuilt.count(), h.count());
        // min, max and mean become those of the bucket upper bounds.
        EXPECT_EQ(rebuilt.min(), b.front().first);
        EXPECT_EQ(rebuilt.max(), b.back().first);
        long double sum = 0;
        for (const auto& [upper, n] : b)
            sum += static_cast<long double>(upper) * n;
        EXPECT_DOUBLE_EQ(rebuilt.mean(), static_cast<double>(sum / h.count()));
        EXPECT_GE(rebuilt.mean(), h.mean());
        // Percentiles agree but for the cap at the exact max, which only h knows.
        for (std::uint64_t permille : kPermilles) {
            const double p = static_cast<double>(permille) / 10.0;
            EXPECT_EQ(h.percentile(p), std::min(rebuilt.percentile(p), h.max())) << "p" << p;
        }
        EXPECT_EQ(Histogram::from_buckets(rebuilt.buckets()).buckets(), b);
    }
}

TEST(HistogramRoundTrip, SkipsZeroCountsAndClampsBounds) {
    const Histogram h =
        Histogram::from_buckets({{5, 2}, {9, 0}, {std::numeric_limits<std::uint64_t>::max(), 1}});
    EXPECT_EQ(h.buckets(), (Buckets{{5, 2}, {Histogram::kMaxValueNs, 1}}));
    EXPECT_EQ(h.count(), 3u);
    EXPECT_EQ(h.max(), Histogram::kMaxValueNs);
}

TEST(HistogramEmpty, ReportsZeros) {
    const Histogram h;
    EXPECT_EQ(h.count(), 0u);
    EXPECT_EQ(h.min(), 0u);
    EXPECT_EQ(h.max(), 0u);
    EXPECT_EQ(h.mean(), 0.0);
    EXPECT_EQ(h.percentile(0), 0u);
    EXPECT_EQ(h.percentile(50), 0u);
    EXPECT_EQ(h.percentile(100), 0u);
    EXPECT_TRUE(h.buckets().empty());
    const Histogram rebuilt = Histogram::from_buckets({});
    EXPECT_EQ(rebuilt.count(), 0u);
    EXPECT_TRUE(rebuilt.buckets().empty());
}

}  // namespace
