#include "metrics.h"

#include <algorithm>

namespace kemu::apigw {
namespace {

std::string_view known_method(std::string_view m) {
    for (std::string_view k : {"GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"}) {
        if (m == k) return k;
    }
    return "OTHER";
}

}  // namespace

void Metrics::add(LatencyStats& s, int64_t us) {
    double ms = static_cast<double>(us) / 1000.0;
    ++s.count;
    s.sum_ms += ms;
    s.max_ms = std::max(s.max_ms, ms);
}

void Metrics::record(std::string_view method, std::string_view resource, int status,
                     int64_t latency_us, int64_t integration_us) {
    std::lock_guard lock(mu_);
    ++totals_.count;
    if (status >= 400 && status < 500) ++totals_.errors_4xx;
    if (status >= 500) ++totals_.errors_5xx;
    add(totals_.latency, latency_us);
    if (integration_us >= 0) add(totals_.integration_latency, integration_us);
    ++by_route_[{known_method(method), resource, status}];
}

MetricsSnapshot Metrics::snapshot() const {
    std::lock_guard lock(mu_);
    MetricsSnapshot s = totals_;
    s.requests.reserve(by_route_.size());
    for (const auto& [k, n] : by_route_) {
        s.requests.push_back(
            {std::string(std::get<0>(k)), std::string(std::get<1>(k)), std::get<2>(k), n});
    }
    return s;
}

}  // namespace kemu::apigw
