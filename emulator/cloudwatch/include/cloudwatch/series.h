#pragma once
// A metric series (namespace, metric name, dimensions) and a datapoint's statistics, as
// CloudWatch aggregates them: Sum, Minimum, Maximum, SampleCount, and Average = Sum/SampleCount.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "cloudwatch/metric_names.h"

namespace kemu::cloudwatch {

struct SeriesKey {
    std::string ns;                                               // AWS/Lambda
    std::string metric;                                           // Errors
    std::vector<std::pair<std::string, std::string>> dimensions;  // {FunctionName, dev-...}

    // One string naming the series (fields separated by \x1f), and back.
    std::string id() const;
    static std::optional<SeriesKey> from_id(std::string_view id);
    bool operator==(const SeriesKey&) const = default;
};

// One dimension's series, the usual shape: {ns, metric, {{dimension, value}}}.
SeriesKey series(std::string_view ns, std::string_view metric, std::string_view dimension,
                 std::string_view value);

struct Stats {
    double sum = 0;
    double min = 0;
    double max = 0;
    uint64_t count = 0;  // SampleCount

    // A datapoint of one sample.
    static Stats of(double v) { return {v, v, v, 1}; }
    // `n` samples summing to `sum`, each taken as the average (the engines keep sums, not each
    // sample).
    static Stats of_sum(double sum, uint64_t n);
    void merge(const Stats& o);
    double average() const { return count ? sum / static_cast<double>(count) : 0; }
    double get(Statistic s) const;
    bool operator==(const Stats&) const = default;
};

// One second's datapoint of one series.
struct Datapoint {
    SeriesKey key;
    Stats stats;
};

}  // namespace kemu::cloudwatch
