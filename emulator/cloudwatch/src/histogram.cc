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

HistogramFamily::HistogramFamily(std::vector<std::string> label_names, size_t max_series)
    : names_(std::move(label_names)), max_series_(max_series) {}

Histogram& HistogramFamily::at(std::initializer_list<std::string_view> values) {
    thread_local std::string key;
    key.clear();
    for (auto v : values) {
        if (!key.empty()) key += '\x1f';
        key += v;
    }
    {
        std::shared_lock lock(mu_);
        auto it = series_.find(key);
        if (it != series_.end()) return *it->second;
    }
    std::unique_lock lock(mu_);
    if (series_.size() >= max_series_ && !series_.count(key)) {
        key.clear();
        for (size_t i = 0; i < values.size(); ++i)
            key += i ? "\x1fother" : "other";
    }
    auto& h = series_[key];
    if (!h) h = std::make_unique<Histogram>();
    return *h;
}

std::vector<std::pair<Labels, HistogramSnapshot>> HistogramFamily::snapshot() const {
    std::shared_lock lock(mu_);
    std::vector<std::pair<Labels, HistogramSnapshot>> out;
    for (const auto& [key, h] : series_) {
        Labels labels;
        size_t start = 0;
        for (const auto& name : names_) {
            auto end = key.find('\x1f', start);
            labels.emplace_back(name,
                                key.substr(start, end == std::string::npos ? end : end - start));
            start = end == std::string::npos ? key.size() : end + 1;
        }
        out.emplace_back(std::move(labels), h->snapshot());
    }
    return out;
}

}  // namespace kemu::cloudwatch
