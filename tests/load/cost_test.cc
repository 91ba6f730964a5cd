// The cost model against hand-computed examples, the API Gateway one among them.

#include "load/cost.h"

#include <catch2/catch.hpp>

namespace {

using kemu::load::apigw_rest_usd;
using kemu::load::default_prices;
using kemu::load::estimate;
using kemu::load::Shape;

double line(const kemu::load::Estimate& e, const std::string& service, const std::string& item) {
    for (const auto& l : e.lines)
        if (l.service == service && l.item == item) return l.usd_month;
    FAIL("no line " << service << " " << item);
    return 0;
}

TEST_CASE("the price table names its region and date") {
    CHECK(default_prices().region == "us-east-1");
    CHECK_FALSE(default_prices().as_of.empty());
}

TEST_CASE("API Gateway REST requests are priced tier by tier") {
    const auto& p = default_prices();
    CHECK(apigw_rest_usd(0, p) == 0);
    CHECK(apigw_rest_usd(1e6, p) == Approx(3.50));
    CHECK(apigw_rest_usd(333e6, p) == Approx(333 * 3.50));
    // 1 billion: 333 M at 3.50 and 667 M at 2.80.
    CHECK(apigw_rest_usd(1e9, p) == Approx(333 * 3.50 + 667 * 2.80));
}

TEST_CASE("1000 events/s of 1 KB cost about 6900 USD a month one per request and 92 batched") {
    // 1000/s * 3600 * 730 = 2.628 billion requests: 333 M at 3.50 = 1165.50, 667 M at 2.80 =
    // 1867.60, 1628 M at 2.38 = 3874.64; total 6907.74. At 100 events per request, 26.28 M
    // requests, all in the first tier: 91.98.
    Shape one;
    one.events_per_s = 1000;
    one.event_bytes = 1024;
    one.events_per_request = 1;
    auto single = estimate(one, default_prices());
    CHECK(line(single, "API Gateway", "REST requests") == Approx(6907.74).margin(0.01));

    Shape batched = one;
    batched.events_per_request = 100;
    auto batch = estimate(batched, default_prices());
    CHECK(line(batch, "API Gateway", "REST requests") == Approx(91.98).margin(0.01));
}

TEST_CASE("Kinesis shard-hours, PUT payload units and the on-demand alternative") {
    Shape s;
    s.events_per_s = 1000;
    s.event_bytes = 1024;  // one 25 KB unit each
    s.shards = 2;
    auto e = estimate(s, default_prices());
    CHECK(line(e, "Kinesis", "shard-hours") == Approx(2 * 730 * 0.015));
    // 2.628 billion units at 0.014 per million.
    CHECK(line(e, "Kinesis", "PUT payload units") == Approx(2628 * 0.014));
    // 30 KB records take two units each.
    s.event_bytes = 30 * 1024;
    CHECK(line(estimate(s, default_prices()), "Kinesis", "PUT payload units") ==
          Approx(2 * 2628 * 0.014));
    // On demand: the stream-hours plus every GB written and read once.
    s.event_bytes = 1024;
    double gb = 1000.0 * 3600 * 730 * 1024 / (1024.0 * 1024 * 1024);
    CHECK(estimate(s, default_prices()).kinesis_on_demand_usd_month ==
          Approx(730 * 0.04 + gb * 0.08 + gb * 0.04));
}

TEST_CASE("Lambda requests and GB-seconds for x86 and arm64, SQS and alarms") {
    Shape s;
    s.invocations_per_s = 10;  // 26.28 M a month
    s.handler_ms = 100;
    s.memory_mb = 512;
    s.dlq_messages_per_s = 1;
    s.alarms = 3;
    auto e = estimate(s, default_prices());
    CHECK(line(e, "Lambda", "requests") == Approx(26.28 * 0.20));
    double gb_s = 26.28e6 * 0.1 * 0.5;
    CHECK(line(e, "Lambda", "GB-seconds (x86)") == Approx(gb_s * 0.0000166667));
    CHECK(e.lambda_arm64_usd_month == Approx(26.28 * 0.20 + gb_s * 0.0000133334));
    CHECK(line(e, "SQS", "DLQ requests") == Approx(2.628 * 0.40));
    CHECK(line(e, "CloudWatch", "alarms") == Approx(0.30));
    double sum = 0;
    for (const auto& l : e.lines)
        sum += l.usd_month;
    CHECK(e.total_usd_month == Approx(sum));
}

}  // namespace
