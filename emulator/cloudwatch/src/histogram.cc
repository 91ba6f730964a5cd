#include "cloudwatch/histogram.h"

#include <mutex>

namespace kemu::cloudwatch {

void Histogram::observe_us(int64_t us) {
    if (us < 0) us = 0;
    double s = static_cast<double>(us) / 1e6;
    size_t i = 0;
    while (i < kLatencyBounds.size() && s > kLatencyBounds[i])
        ++i;
    counts_[i].fetch_add(1, std::memory_order_relaxed);
    sum_us_.fetch_add(static_cast<uint64_t>(us), std::memory_order_relaxed);
}

HistogramSnapshot Histogram::snapshot() const {
    HistogramSnapshot out;
    uint64_t running = 0;
    for (size_t i = 0; i < kLatencyBounds.size(); ++i) {
        running += counts_[i].load(std::memory_order_relaxed);
        out.buckets.emplace_back(kLatencyBounds[i], running);
    }
    running += counts_.back().load(std::memory_order_relaxed);
    // Readers race writers: keep the snapshot self-consistent (count = the +Inf bucket).
    out.count = running;
    out.sum_s = static_cast<double>(sum_us_.load(std::memory_order_relaxed)) / 1e6;
    return out;
}

Histogram& HistogramFamily::at(const Labels& labels) {
    {
        std::shared_lock lock(mu_);
        auto it = series_.find(labels);
        if (it != series_.end()) return *it->second;
    }
    std::unique_lock lock(mu_);
    Labels key = labels;
    if (series_.size() >= max_series_ && !series_.count(labels)) {
        for (auto& [name, value] : key)
            value = "other";
    }
    auto& h = series_[key];
    if (!h) h = std::make_unique<Histogram>();
    return *h;
}

std::vector<std::pair<Labels, HistogramSnapshot>> HistogramFamily::snapshot() const {
    std::shared_lock lock(mu_);
    std::vector<std::pair<Labels, HistogramSnapshot>> out;
    for (const auto& [labels, h] : series_)
        out.emplace_back(labels, h->snapshot());
    return out;
}

}  // namespace kemu::cloudwatch
