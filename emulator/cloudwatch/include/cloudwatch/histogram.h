#pragma once
// A cheap lock-free latency histogram for Prometheus (`_bucket`/`_sum`/`_count`): fixed bucket
// bounds in seconds, one relaxed atomic increment per observation. `HistogramFamily` holds one
// per label set, created on first use, at most `max_series` (further label sets share one
// series whose labels are all "other", so a client cannot grow memory without bound).

#include <array>
#include <atomic>
#include <cstdint>
#include <initializer_list>
#include <map>
#include <memory>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace kemu::cloudwatch {

using Labels = std::vector<std::pair<std::string, std::string>>;

// Upper bounds in seconds: 0.5 ms to 10 s.
inline constexpr std::array<double, 14> kLatencyBounds = {
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};

struct HistogramSnapshot {
    std::vector<std::pair<double, uint64_t>> buckets;  // (le, cumulative count), +Inf excluded
    uint64_t count = 0;
    double sum_s = 0;
};

class Histogram {
public:
    void observe_us(int64_t us);
    HistogramSnapshot snapshot() const;

private:
    std::array<std::atomic<uint64_t>, kLatencyBounds.size() + 1> counts_{};  // last: +Inf
    std::atomic<uint64_t> sum_us_{0};
};

class HistogramFamily {
public:
    // `label_names` are fixed: every series gives one value per name, in that order.
    explicit HistogramFamily(std::vector<std::string> label_names, size_t max_series = 512);
    // The histogram for these label values. The common case (a series seen before) takes a
    // shared lock and allocates nothing.
    Histogram& at(std::initializer_list<std::string_view> values);
    std::vector<std::pair<Labels, HistogramSnapshot>> snapshot() const;

private:
    std::vector<std::string> names_;
    size_t max_series_;
    mutable std::shared_mutex mu_;
    // Keyed by the values joined with \x1f.
    std::map<std::string, std::unique_ptr<Histogram>, std::less<>> series_;
};

}  // namespace kemu::cloudwatch
