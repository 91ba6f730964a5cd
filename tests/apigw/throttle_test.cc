// Token buckets and quotas driven by a ManualClock (docs/aws/apigw.md, Throttling).

#include "throttle.h"

#include <catch2/catch.hpp>

#include "core/clock.h"

using namespace kemu::apigw;

TEST_CASE("a full bucket lets burst requests through at t=0, then refuses", "[apigw]") {
    kemu::ManualClock clock;
    TokenBucket b({10, 5}, clock.now_ms());
    int ok = 0;
    for (int i = 0; i < 6; ++i)
        ok += b.try_take(clock.now_ms()) ? 1 : 0;
    CHECK(ok == 5);
}

TEST_CASE("tokens come back at the rate, never above the burst", "[apigw]") {
    kemu::ManualClock clock;
    TokenBucket b({10, 5}, clock.now_ms());
    for (int i = 0; i < 5; ++i)
        REQUIRE(b.try_take(clock.now_ms()));
    REQUIRE_FALSE(b.try_take(clock.now_ms()));
    clock.advance_ms(99);  // 0.99 tokens
    CHECK_FALSE(b.try_take(clock.now_ms()));
    clock.advance_ms(1);  // 1.0 token
    CHECK(b.try_take(clock.now_ms()));
    CHECK_FALSE(b.try_take(clock.now_ms()));
    clock.advance_ms(60'000);  // refills to the burst, not 600
    int ok = 0;
    for (int i = 0; i < 20; ++i)
        ok += b.try_take(clock.now_ms()) ? 1 : 0;
    CHECK(ok == 5);
}

TEST_CASE("fractional rates refill slowly", "[apigw]") {
    kemu::ManualClock clock;
    TokenBucket b({0.5, 1}, clock.now_ms());
    CHECK(b.try_take(clock.now_ms()));
    clock.advance_ms(1999);
    CHECK_FALSE(b.try_take(clock.now_ms()));
    clock.advance_ms(1);
    CHECK(b.try_take(clock.now_ms()));
}

TEST_CASE("rate 0 or burst 0 blocks every request", "[apigw]") {
    kemu::ManualClock clock;
    TokenBucket zero_rate({0, 100}, clock.now_ms());
    TokenBucket zero_burst({100, 0}, clock.now_ms());
    CHECK_FALSE(zero_rate.try_take(clock.now_ms()));
    CHECK_FALSE(zero_burst.try_take(clock.now_ms()));
}

TEST_CASE("a clock going backwards neither refills nor breaks the bucket", "[apigw]") {
    kemu::ManualClock clock(10'000);
    TokenBucket b({1, 1}, clock.now_ms());
    CHECK(b.try_take(clock.now_ms()));
    clock.set_ms(5'000);
    CHECK_FALSE(b.try_take(clock.now_ms()));
}

TEST_CASE("a daily quota resets at midnight UTC", "[apigw]") {
    // 2023-11-14T22:13:20Z
    kemu::ManualClock clock(1'700'000'000'000);
    QuotaCounter q({3, QuotaPeriod::kDay});
    for (int i = 0; i < 3; ++i)
        CHECK(q.try_take(clock.now_ms()));
    CHECK_FALSE(q.try_take(clock.now_ms()));
    clock.advance_ms(int64_t{1} * 3600 * 1000);  // 23:13, same day
    CHECK_FALSE(q.try_take(clock.now_ms()));
    clock.advance_ms(int64_t{1} * 3600 * 1000);  // 00:13 next day
    CHECK(q.try_take(clock.now_ms()));
}

TEST_CASE("quota windows follow UTC calendar weeks (Monday) and months", "[apigw]") {
    constexpr int64_t kDay = 86'400'000;
    // 2024-01-01 (a Monday) is day 19723.
    int64_t monday = 19723 * kDay;
    CHECK(quota_window(QuotaPeriod::kWeek, monday) ==
          quota_window(QuotaPeriod::kWeek, monday + 6 * kDay + kDay - 1));
    CHECK(quota_window(QuotaPeriod::kWeek, monday - 1) + 1 ==
          quota_window(QuotaPeriod::kWeek, monday));
    CHECK(quota_window(QuotaPeriod::kMonth, monday) == 2024 * 12 + 0);
    CHECK(quota_window(QuotaPeriod::kMonth, monday - 1) == 2023 * 12 + 11);
    CHECK(quota_window(QuotaPeriod::kMonth, monday + 31 * kDay) == 2024 * 12 + 1);
    // 2024-02-29 is still February, 2024-03-01 is March.
    CHECK(quota_window(QuotaPeriod::kMonth, monday + 59 * kDay) == 2024 * 12 + 1);
    CHECK(quota_window(QuotaPeriod::kMonth, monday + 60 * kDay) == 2024 * 12 + 2);
}

TEST_CASE("a zero quota refuses everything", "[apigw]") {
    QuotaCounter q({0, QuotaPeriod::kMonth});
    CHECK_FALSE(q.try_take(0));
}

TEST_CASE("new settings take effect at once, with a full bucket of the new burst", "[apigw]") {
    TokenBucket b({100, 50}, 0);
    b.reset({1, 2}, 10);
    CHECK(b.try_take(10));
    CHECK(b.try_take(10));
    CHECK_FALSE(b.try_take(10));
    CHECK_FALSE(b.try_take(500));  // half a token at 1 per second
    CHECK(b.try_take(1010));
    b.reset({0, 5}, 2000);  // 0 blocks everything, as AWS
    CHECK_FALSE(b.try_take(2000));
}
