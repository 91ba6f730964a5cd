// kemu load's arithmetic without a process: durations, the open-model pacer, percentiles by
// nearest rank, and --threshold parsing (unknown metrics refused).

#include "load/measures.h"

#include <string>
#include <vector>

#include <catch2/catch.hpp>

namespace {

using kemu::load::Pacer;
using kemu::load::parse_duration_ms;
using kemu::load::parse_duration_ms_exact;
using kemu::load::parse_synthetic;
using kemu::load::parse_threshold;
using kemu::load::percentile;
using kemu::load::Threshold;

TEST_CASE("durations take ms, s, m and h, and a bare number is seconds") {
    CHECK(parse_duration_ms("500ms") == 500);
    CHECK(parse_duration_ms("5s") == 5000);
    CHECK(parse_duration_ms("2m") == 120000);
    CHECK(parse_duration_ms("1h") == 3600000);
    CHECK(parse_duration_ms("1.5s") == 1500);
    CHECK(parse_duration_ms("3") == 3000);
    CHECK_FALSE(parse_duration_ms("").has_value());
    CHECK_FALSE(parse_duration_ms("5 parsecs").has_value());
    CHECK_FALSE(parse_duration_ms("-1s").has_value());
}

TEST_CASE("the pacer spaces requests by events per request over the rate") {
    Pacer one(100, 1);  // a request every 10 ms
    CHECK(one.due_us(0) == 0);
    CHECK(one.due_us(1) == 10000);
    CHECK(one.due_us(250) == 2500000);
    CHECK(one.requests_in(2000) == 200);

    Pacer batched(1000, 100);  // 10 requests a second of 100 events each
    CHECK(batched.due_us(3) == 300000);
    CHECK(batched.requests_in(2000) == 20);
}

TEST_CASE("the pacer is an open model: due times do not depend on answers") {
    // The schedule is a pure function of the index: a slow request cannot push the next one
    // later, so the offered rate over any whole second is the rate.
    Pacer p(7, 1);
    int in_first_second = 0;
    for (int64_t i = 0; p.due_us(i) < 1000000; ++i)
        ++in_first_second;
    CHECK(in_first_second == 7);
    CHECK(p.requests_in(1000) == 7);
    CHECK(p.requests_in(1001) == 8);  // the 8th is due at 1000 ms, inside 1001 ms
}

TEST_CASE("a partial last request counts when its due time is inside the run") {
    Pacer p(3, 2);                    // a request every 666.67 ms
    CHECK(p.requests_in(1000) == 2);  // due at 0 and 666 ms
    CHECK(p.requests_in(2000) == 3);  // and 1333 ms
    CHECK(p.due_us(2) == 1333333);
}

TEST_CASE("percentiles by nearest rank on known distributions") {
    std::vector<double> hundred;
    for (int i = 1; i <= 100; ++i)
        hundred.push_back(i);
    CHECK(percentile(hundred, 50) == 50);
    CHECK(percentile(hundred, 90) == 90);
    CHECK(percentile(hundred, 99) == 99);
    CHECK(percentile(hundred, 100) == 100);
    // Order does not matter.
    std::vector<double> shuffled{5, 1, 4, 2, 3};
    CHECK(percentile(shuffled, 50) == 3);
    CHECK(percentile(shuffled, 100) == 5);
    // One outlier in a hundred shows in p99 only past 1 %: 99 fast, 1 slow.
    std::vector<double> tail(99, 10.0);
    tail.push_back(5000);
    CHECK(percentile(tail, 99) == 10);
    CHECK(percentile(tail, 100) == 5000);
    CHECK(percentile({}, 99) == 0);
    CHECK(percentile({42}, 1) == 42);
}

TEST_CASE("thresholds parse each operator and judge the measured value") {
    std::string why;
    auto t = parse_threshold("p99_latency_ms<500", &why);
    REQUIRE(t.has_value());
    CHECK(t->metric == "p99_latency_ms");
    CHECK(t->op == Threshold::Op::kLt);
    CHECK(t->value == 500);
    CHECK(t->passes(499.9));
    CHECK_FALSE(t->passes(500));

    auto le = parse_threshold(" throttled_ratio <= 0.01 ", &why);
    REQUIRE(le.has_value());
    CHECK(le->op == Threshold::Op::kLe);
    CHECK(le->passes(0.01));

    auto gt = parse_threshold("accepted_rate>100", &why);
    REQUIRE(gt.has_value());
    CHECK(gt->op == Threshold::Op::kGt);
    CHECK_FALSE(gt->passes(100));

    auto ge = parse_threshold("dlq_messages>=0", &why);
    REQUIRE(ge.has_value());
    CHECK(ge->op == Threshold::Op::kGe);
    CHECK(ge->passes(0));
}

TEST_CASE("every metric the issue names is a threshold metric") {
    std::string why;
    for (const char* m : {"p50_latency_ms", "p90_latency_ms", "p99_latency_ms", "max_latency_ms",
                          "iterator_age_ms", "stream_iterator_age_ms", "throttled_ratio",
                          "error_ratio", "accepted_rate", "dlq_messages"}) {
        INFO(m);
        CHECK(parse_threshold(std::string(m) + "<1", &why).has_value());
    }
}

TEST_CASE("an unknown metric or a malformed threshold is refused with the reason") {
    std::string why;
    CHECK_FALSE(parse_threshold("p98_latency_ms<500", &why).has_value());
    CHECK(why.find("unknown metric 'p98_latency_ms'") != std::string::npos);
    CHECK(why.find("p99_latency_ms") != std::string::npos);  // the known ones are listed
    CHECK_FALSE(parse_threshold("p99_latency_ms=500", &why).has_value());
    CHECK(why.find("no comparison") != std::string::npos);
    CHECK_FALSE(parse_threshold("p99_latency_ms<fast", &why).has_value());
    CHECK(why.find("needs a number") != std::string::npos);
    CHECK_FALSE(parse_threshold("p99_latency_ms<", &why).has_value());
}

}  // namespace

namespace {

using kemu::load::parse_ramp;
using kemu::load::Stage;

TEST_CASE("a ramp parses TIME:RATE stages and refuses bad ones") {
    std::string why;
    auto r = parse_ramp("0:100,30s:2000,1m:2000", &why);
    REQUIRE(r.has_value());
    REQUIRE(r->size() == 3);
    CHECK((*r)[1].at_ms == 30000);
    CHECK((*r)[1].rate == 2000);
    CHECK((*r)[2].at_ms == 60000);
    CHECK_FALSE(parse_ramp("5s:100,10s:200", &why).has_value());
    CHECK(why.find("first stage is at 0") != std::string::npos);
    CHECK_FALSE(parse_ramp("0:100,10s:200,5s:300", &why).has_value());
    CHECK(why.find("never go back") != std::string::npos);
    CHECK_FALSE(parse_ramp("0:100,10s", &why).has_value());
    CHECK_FALSE(parse_ramp("0:100", &why).has_value());
    CHECK_FALSE(parse_ramp("0:-1,1s:5", &why).has_value());
}

TEST_CASE("a linear ramp offers the area under its rate, due times on the curve") {
    // 0 to 100 events/s over 10 s: E(t) = 5 t^2, 500 events in all.
    Pacer p(std::vector<Stage>{{0, 0}, {10000, 100}}, 1);
    CHECK(p.events_by(10) == Approx(500));
    CHECK(p.requests_in(10000) == 500);
    CHECK(p.due_us(0) == 0);
    CHECK(p.due_us(5) == 1000000);    // 5 t^2 = 5 at t = 1 s
    CHECK(p.due_us(125) == 5000000);  // 5 t^2 = 125 at t = 5 s
    CHECK(p.due_us(50) == 3162277);   // sqrt(10) s
    // After the last stage its rate holds: 100/s.
    CHECK(p.due_us(600) == 11000000);
}

TEST_CASE("a ramp up, a hold and a ramp down add up piece by piece") {
    // 100/s to 300/s over 2 s (400 events), 300/s for 1 s (300), down to 0 over 1 s (150).
    Pacer p(std::vector<Stage>{{0, 100}, {2000, 300}, {3000, 300}, {4000, 0}}, 10);
    CHECK(p.events_by(2) == Approx(400));
    CHECK(p.events_by(3) == Approx(700));
    CHECK(p.events_by(4) == Approx(850));
    CHECK(p.requests_in(4000) == 85);
    CHECK(p.due_us(40) == 2000000);  // the 400th event ends the first piece
    CHECK(p.due_us(55) == 2500000);  // 150 more at 300/s: half a second
}

}  // namespace

TEST_CASE("a synthetic handler takes a duration and an optional jitter") {
    std::string why;
    auto a = parse_synthetic("5ms±2ms", &why);
    REQUIRE(a.has_value());
    CHECK(a->mean_us == 5000);
    CHECK(a->jitter_us == 2000);
    auto b = parse_synthetic("1.5ms+-500us", &why);
    REQUIRE(b.has_value());
    CHECK(b->mean_us == 1500);
    CHECK(b->jitter_us == 500);
    auto c = parse_synthetic("0", &why);
    REQUIRE(c.has_value());
    CHECK(c->mean_us == 0);
    CHECK(c->jitter_us == 0);
    CHECK(parse_duration_ms_exact("250us") == 0.25);
    for (const char* bad : {"", "fast", "5ms±", "5ms±soon", "-1ms", "16m"}) {
        CHECK_FALSE(parse_synthetic(bad, &why).has_value());
        CHECK(why.find("like 5ms±2ms") != std::string::npos);
    }
}
