#include "throttle.h"

#include <algorithm>

namespace kemu::apigw {

TokenBucket::TokenBucket(ThrottleSettings settings, int64_t now_ms)
    : rate_per_ms_(std::max(0.0, settings.rate) / 1000.0),
      capacity_(static_cast<double>(std::max<int64_t>(0, settings.burst))),
      tokens_(capacity_),
      last_ms_(now_ms) {}

bool TokenBucket::try_take(int64_t now_ms) {
    std::lock_guard lock(mu_);
    if (rate_per_ms_ <= 0 || capacity_ <= 0) return false;  // AWS: 0 blocks everything
    if (now_ms > last_ms_) {
        tokens_ =
            std::min(capacity_, tokens_ + static_cast<double>(now_ms - last_ms_) * rate_per_ms_);
        last_ms_ = now_ms;
    }
    if (tokens_ < 1.0) return false;
    tokens_ -= 1.0;
    return true;
}

void TokenBucket::reset(ThrottleSettings settings, int64_t now_ms) {
    std::lock_guard lock(mu_);
    rate_per_ms_ = std::max(0.0, settings.rate) / 1000.0;
    capacity_ = static_cast<double>(std::max<int64_t>(0, settings.burst));
    tokens_ = capacity_;
    last_ms_ = now_ms;
}

int64_t quota_window(QuotaPeriod period, int64_t ms) {
    constexpr int64_t kDayMs = 86'400'000;
    int64_t days = ms >= 0 ? ms / kDayMs : (ms - kDayMs + 1) / kDayMs;
    switch (period) {
        case QuotaPeriod::kDay:
            return days;
        case QuotaPeriod::kWeek:
            // 1970-01-01 was a Thursday: shift so that weeks start on Monday.
            return (days + 3) >= 0 ? (days + 3) / 7 : (days + 3 - 6) / 7;
        case QuotaPeriod::kMonth: {
            // Civil-from-days (H. Hinnant): the month index y * 12 + (m - 1).
            int64_t z = days + 719468;
            int64_t era = (z >= 0 ? z : z - 146096) / 146097;
            int64_t doe = z - era * 146097;
            int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
            int64_t y = yoe + era * 400;
            int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
            int64_t mp = (5 * doy + 2) / 153;
            int64_t m = mp < 10 ? mp + 3 : mp - 9;
            if (m <= 2) ++y;
            return y * 12 + (m - 1);
        }
    }
    return days;
}

bool QuotaCounter::try_take(int64_t now_ms) {
    std::lock_guard lock(mu_);
    int64_t w = quota_window(quota_.period, now_ms);
    if (w != window_) {
        window_ = w;
        used_ = 0;
    }
    if (used_ >= quota_.limit) return false;
    ++used_;
    return true;
}

}  // namespace kemu::apigw
