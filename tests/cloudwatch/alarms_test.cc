// The module's alarms over the sampler's per-second datapoints: periods, N of N, missing data.

#include "cloudwatch/alarms.h"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "start_time.h"

using namespace kemu;
using namespace kemu::cloudwatch;
using kemu::test::kT0;

namespace {

Config one_flow() {
    Config cfg;
    FlowConfig f;
    f.event_type = "orders";
    f.iterator_age_alarm_ms = 1000;
    cfg.event_flows.push_back(f);
    return cfg;
}

std::map<std::string, std::string> states(const Alarms& a) {
    std::map<std::string, std::string> out;
    for (const auto& [name, state] : a.states())
        out[name] = state;
    return out;
}

}  // namespace

TEST_CASE("four alarms per flow, the Lambda ones only for a running function", "[alarms]") {
    auto cfg = one_flow();
    Alarms with;
    with.build(cfg, {cfg.function_name(cfg.event_flows[0])}, 0);
    CHECK(states(with).size() == 4);
    Alarms without;
    without.build(cfg, {}, 0);
    CHECK(states(without) ==
          std::map<std::string, std::string>{{"dev-orders-iterator-age", "INSUFFICIENT_DATA"},
                                             {"dev-orders-dlq-not-empty", "INSUFFICIENT_DATA"}});
    auto j = nlohmann::json::parse(with.describe_json());
    auto& errors = j["MetricAlarms"][2];
    CHECK(errors["AlarmName"] == "dev-orders-lambda-errors");
    CHECK(errors["Period"] == 60);
    CHECK(errors["TreatMissingData"] == "notBreaching");
}

TEST_CASE("errors: one breaching period raises, a quiet period clears", "[alarms]") {
    auto cfg = one_flow();
    auto fn = cfg.function_name(cfg.event_flows[0]);
    Alarms a;
    a.build(cfg, {fn}, 2);
    a.tick(kT0, {});
    CHECK(states(a)["dev-orders-lambda-errors"] == "OK");
    auto errors = series(names::kLambda, names::kErrors, "FunctionName", fn);
    a.tick(kT0 + 1000, {{errors, Stats::of(0)}});
    CHECK(states(a)["dev-orders-lambda-errors"] == "OK");
    a.tick(kT0 + 2000, {{errors, Stats::of(2)}});  // the open bucket breaches at once
    CHECK(states(a)["dev-orders-lambda-errors"] == "ALARM");
    a.tick(kT0 + 3000, {});
    CHECK(states(a)["dev-orders-lambda-errors"] == "ALARM");  // same 2-s period
    a.tick(kT0 + 4000, {});
    CHECK(states(a)["dev-orders-lambda-errors"] == "OK");  // missing: not breaching
}

TEST_CASE("iterator age: five breaching periods in a row raise the alarm", "[alarms]") {
    auto cfg = one_flow();
    Alarms a;
    a.build(cfg, {}, 1);
    auto age = series(names::kKinesis, names::kGetRecordsIteratorAge, "StreamName",
                      cfg.stream_name(cfg.event_flows[0]));
    for (int s = 0; s < 4; ++s) {
        a.tick(kT0 + s * 1000, {{age, Stats::of(5000)}});
        CHECK(states(a)["dev-orders-iterator-age"] == "OK");
    }
    a.tick(kT0 + 4000, {{age, Stats::of(1001)}});
    CHECK(states(a)["dev-orders-iterator-age"] == "ALARM");
    a.tick(kT0 + 5000, {{age, Stats::of(999)}});
    CHECK(states(a)["dev-orders-iterator-age"] == "OK");
    auto j = nlohmann::json::parse(a.describe_json());
    CHECK(j["AlarmHistory"].size() == 2);
}
