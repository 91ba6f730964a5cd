#include "cloudwatch/series.h"

#include <algorithm>

namespace kemu::cloudwatch {
namespace {

constexpr char kSep = '\x1f';

}  // namespace

std::string SeriesKey::id() const {
    std::string out = ns;
    out += kSep;
    out += metric;
    for (const auto& [name, value] : dimensions) {
        out += kSep;
        out += name;
        out += '=';
        out += value;
    }
    return out;
}

std::optional<SeriesKey> SeriesKey::from_id(std::string_view id) {
    std::vector<std::string_view> parts;
    size_t start = 0;
    while (true) {
        auto p = id.find(kSep, start);
        parts.push_back(id.substr(start, p == std::string_view::npos ? p : p - start));
        if (p == std::string_view::npos) break;
        start = p + 1;
    }
    if (parts.size() < 2) return std::nullopt;
    SeriesKey k{std::string(parts[0]), std::string(parts[1]), {}};
    for (size_t i = 2; i < parts.size(); ++i) {
        auto eq = parts[i].find('=');
        if (eq == std::string_view::npos) return std::nullopt;
        k.dimensions.emplace_back(std::string(parts[i].substr(0, eq)),
                                  std::string(parts[i].substr(eq + 1)));
    }
    return k;
}

SeriesKey series(std::string_view ns, std::string_view metric, std::string_view dimension,
                 std::string_view value) {
    return {std::string(ns), std::string(metric), {{std::string(dimension), std::string(value)}}};
}

Stats Stats::of_sum(double sum, uint64_t n) {
    double avg = n ? sum / static_cast<double>(n) : 0;
    return {sum, avg, avg, n};
}

void Stats::merge(const Stats& o) {
    if (o.count == 0) return;
    if (count == 0) {
        *this = o;
        return;
    }
    sum += o.sum;
    min = std::min(min, o.min);
    max = std::max(max, o.max);
    count += o.count;
}

double Stats::get(Statistic s) const {
    switch (s) {
        case kSum:
            return sum;
        case kAverage:
            return average();
        case kMaximum:
            return max;
        case kMinimum:
            return min;
        case kSampleCount:
            return static_cast<double>(count);
    }
    return 0;
}

}  // namespace kemu::cloudwatch
