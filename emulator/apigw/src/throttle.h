#pragma once
// Token buckets and usage-plan quotas (docs/aws/apigw.md, Throttling; API keys and usage plans).
// Time comes from the caller (a Clock's now_ms()), so tests drive them with a ManualClock.
// Thread-safe.

#include <cstdint>
#include <mutex>

#include "apigw/front_door.h"

namespace kemu::apigw {

// Capacity `burst`, refilled at `rate` tokens per second, full at start. A request takes one
// token; an empty bucket refuses. rate 0 or burst 0 refuses everything (AWS: 0 blocks all).
class TokenBucket {
public:
    TokenBucket(ThrottleSettings settings, int64_t now_ms);
    bool try_take(int64_t now_ms);
    // New settings, as after an UpdateStage: the bucket starts full at the new capacity.
    void reset(ThrottleSettings settings, int64_t now_ms);

private:
    std::mutex mu_;
    double rate_per_ms_;
    double capacity_;
    double tokens_;
    int64_t last_ms_;
};

// Requests counted per calendar period in UTC ([U]: AWS may use rolling windows).
class QuotaCounter {
public:
    explicit QuotaCounter(Quota quota) : quota_(quota) {}
    // Counts the request and returns true while the period's limit is not reached.
    bool try_take(int64_t now_ms);

private:
    std::mutex mu_;
    Quota quota_;
    int64_t window_ = -1;
    int64_t used_ = 0;
};

// The index of the UTC period containing `ms` (days since epoch, Monday-based weeks, months).
int64_t quota_window(QuotaPeriod period, int64_t ms);

}  // namespace kemu::apigw
