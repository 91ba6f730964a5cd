#pragma once
// Front-door counters: requests by route and status, 4XX/5XX, latency and integration latency.
// Thread-safe; one short lock per request.

#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <tuple>

#include "apigw/front_door.h"

namespace kemu::apigw {

class Metrics {
public:
    // `integration_us` < 0: no integration call. Unknown methods are counted as "OTHER", so
    // clients cannot grow the table without bound.
    // REQUIRES: `resource` has static storage (the route table's constants), so that the
    // per-request path allocates nothing.
    void record(std::string_view method, std::string_view resource, int status, int64_t latency_us,
                int64_t integration_us);
    MetricsSnapshot snapshot() const;

private:
    static void add(LatencyStats& s, int64_t us);
    mutable std::mutex mu_;
    MetricsSnapshot totals_;  // `requests` unused; kept in by_route_
    std::map<std::tuple<std::string_view, std::string_view, int>, uint64_t> by_route_;
};

}  // namespace kemu::apigw
