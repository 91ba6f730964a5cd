// The scenario file format: a good file's structs, and every class of bad file answered with
// file, line and key (as kemu validate answers for kemu.yaml).

#include <fstream>
#include <string>

#include <catch2/catch.hpp>

#include "scenario/body_template.h"
#include "scenario/scenario.h"
#include "support/temp_dir.h"

namespace {

using kemu::ConfigError;
using kemu::scenario::Expectation;
using kemu::scenario::Scenario;
using kemu::scenario::Step;

std::vector<ConfigError> parse(const std::string& text, Scenario* out = nullptr) {
    Scenario sc;
    return kemu::scenario::parse_scenario(text, "/tmp/s/case.yaml", out ? out : &sc);
}

// The one error of `text`, as printed.
std::string only_error(const std::string& text) {
    auto errors = parse(text);
    REQUIRE(errors.size() == 1);
    return errors.front().to_string();
}

const char* kGood = R"(name: good
description: every step
flows:
  orders: {batch_size: 10, bisect_batch_on_function_error: false}
kemu: {retry_backoff_ms: 50, alarm_period_s: 10}
api: {throttling_rate_limit: 2.5, throttling_burst_limit: 1}
steps:
  - name: orders
    send: {event_type: orders, count: 3, batch: 2, partition_key: "k{{i%2}}",
           body: {order_id: "ORD-{{n}}"}, deadline: 5s}
  - wait_for: {processed: {flow: orders, count: 3}, timeout: 1500ms}
  - advance_time: 5m
  - expect:
      - received: {flow: orders, count: 3, bodies: [{order_id: ORD-1}]}
      - order_per_key: {flow: orders}
      - dlq_record: {flow: orders, fields: {KinesisBatchInfo.batchSize: 1}}
      - alarm: {name: dev-orders-lambda-errors, state: OK}
      - response: {send: orders, status: 200}
)";

}  // namespace

TEST_CASE("a good scenario parses into its steps, with lines", "[scenario]") {
    Scenario sc;
    auto errors = parse(kGood, &sc);
    INFO((errors.empty() ? "" : errors.front().to_string()));
    REQUIRE(errors.empty());
    CHECK(sc.name == "good");
    CHECK(sc.dir == "/tmp/s");
    CHECK(*sc.flows["orders"].batch_size == 10);
    CHECK(*sc.flows["orders"].bisect_batch_on_function_error == false);
    CHECK(sc.run.retry_backoff_ms == 50);
    CHECK(*sc.api.throttling_rate_limit == 2.5);
    CHECK(*sc.api.throttling_burst_limit == 1);
    REQUIRE(sc.steps.size() == 4);
    CHECK(sc.steps[0].kind == Step::Kind::kSend);
    CHECK(sc.steps[0].line == 8);
    CHECK(sc.steps[0].send.count == 3);
    CHECK(sc.steps[0].send.body == R"({"order_id":"ORD-{{n}}"})");
    CHECK(sc.steps[0].send.deadline_ms == 5000);
    CHECK(sc.steps[1].wait.timeout_ms == 1500);
    CHECK(sc.steps[1].name == "line 11");
    CHECK(sc.steps[2].advance_ms == 300'000);
    REQUIRE(sc.steps[3].expect.size() == 5);
    CHECK(sc.steps[3].expect[0].kind == Expectation::Kind::kReceived);
    CHECK(sc.steps[3].expect[0].line == 14);
    CHECK(sc.steps[3].expect[2].fields.at("KinesisBatchInfo.batchSize") == "1");
    CHECK(sc.steps[3].expect[4].status == 200);
}

TEST_CASE("templates render per record and reject unknown fields", "[scenario]") {
    using kemu::scenario::check_template;
    using kemu::scenario::render_template;
    CHECK(render_template("o-{{i}}-{{n}}-{{i%3}}-{{seed}}", 4, 7) == "o-4-5-1-7");
    CHECK(check_template("{{ i }}").empty());
    CHECK(check_template("{{j}}").find("unknown template field {{j}}") != std::string::npos);
    CHECK(check_template("{{i%0}}").find("unknown") != std::string::npos);
    CHECK(check_template("{{i").find("without a closing") != std::string::npos);
}

TEST_CASE("durations take ms, s, m and h", "[scenario]") {
    using kemu::scenario::parse_duration_ms;
    CHECK(parse_duration_ms("2") == 2000);
    CHECK(parse_duration_ms("250ms") == 250);
    CHECK(parse_duration_ms("1.5s") == 1500);
    CHECK(parse_duration_ms("5m") == 300'000);
    CHECK(parse_duration_ms("1h") == 3'600'000);
    CHECK_FALSE(parse_duration_ms("5 minutes"));
    CHECK_FALSE(parse_duration_ms("-1s"));
}

TEST_CASE("bad YAML names its line", "[scenario]") {
    CHECK(only_error("steps: [\n  - send: {\n").starts_with("/tmp/s/case.yaml:"));
    CHECK(only_error("- a\n- b\n") == "/tmp/s/case.yaml:1: (top level): must be a mapping");
}

TEST_CASE("unknown keys and missing steps are errors with their key", "[scenario]") {
    CHECK(only_error("name: x\nstepz: []\nsteps:\n  - advance_time: 1s\n") ==
          "/tmp/s/case.yaml:2: stepz: unknown key (known keys: api, description, flows, kemu, "
          "name, steps, topology)");
    CHECK(only_error("name: x\n") == "/tmp/s/case.yaml:1: steps: required");
    CHECK(only_error("steps: []\n") ==
          "/tmp/s/case.yaml:1: steps: must be a non-empty list of steps");
}

TEST_CASE("a step needs exactly one kind", "[scenario]") {
    CHECK(
        only_error("steps:\n  - name: nothing\n") ==
        "/tmp/s/case.yaml:2: steps[0]: needs exactly one of send, wait_for, advance_time, expect, "
        "fault");
    CHECK(only_error("steps:\n  - advance_time: 1s\n    expect: [{dlq: {flow: a, count: 0}}]\n")
              .starts_with("/tmp/s/case.yaml:2: steps[0]: needs exactly one"));
    CHECK(only_error("steps:\n  - advance_time: 1s\n    sleep: 2\n") ==
          "/tmp/s/case.yaml:3: steps[0].sleep: unknown key (known keys: advance_time, expect, "
          "fault, name, send, wait_for)");
}

TEST_CASE("send: required keys, ranges, templates and files", "[scenario]") {
    CHECK(only_error("steps:\n  - send: {body: x}\n") ==
          "/tmp/s/case.yaml:2: steps[0].send.event_type: required");
    CHECK(only_error("steps:\n  - send: {event_type: a}\n") ==
          "/tmp/s/case.yaml:2: steps[0].send.body: required (body or body_file)");
    CHECK(only_error("steps:\n  - send: {event_type: a, body: x, count: 0}\n") ==
          "/tmp/s/case.yaml:2: steps[0].send.count: must be between 1 and 1000000 (got 0)");
    CHECK(only_error("steps:\n  - send: {event_type: a, body: x, to: sqs}\n") ==
          "/tmp/s/case.yaml:2: steps[0].send.to: must be one of front_door, stream (got 'sqs')");
    CHECK(only_error("steps:\n  - send:\n      event_type: a\n      body: 'o-{{k}}'\n") ==
          "/tmp/s/case.yaml:4: steps[0].send.body: unknown template field {{k}} (known: {{i}}, "
          "{{n}}, {{i%K}}, {{seed}})");
    CHECK(only_error("steps:\n  - send: {event_type: a, body_file: nope.json}\n") ==
          "/tmp/s/case.yaml:2: steps[0].send.body_file: cannot read /tmp/s/nope.json");
    CHECK(only_error("steps:\n  - send: {event_type: a, body: x, partition_key: k}\n")
              .starts_with("/tmp/s/case.yaml:2: steps[0].send.partition_key: a single front-door"));
    CHECK(only_error("steps:\n  - send: {event_type: a, body: x, deadline: soon}\n") ==
          "/tmp/s/case.yaml:2: steps[0].send.deadline: must be a duration: seconds, or a number "
          "with ms, s, m or h (got 'soon')");
}

TEST_CASE("send: body_file resolves against the scenario's folder", "[scenario]") {
    kemu::testing::TempDir dir("kemu-scenario");
    std::ofstream(dir.path / "order.json") << R"({"order_id":"ORD-{{n}}"})";
    std::ofstream(dir.path / "s.yaml")
        << "steps:\n  - send: {event_type: a, body_file: order.json}\n";
    Scenario sc;
    auto errors = kemu::scenario::load_scenario((dir.path / "s.yaml").string(), &sc);
    REQUIRE(errors.empty());
    CHECK(sc.steps[0].send.body == R"({"order_id":"ORD-{{n}}"})");
}

TEST_CASE("wait_for needs one condition, alarm states are AWS's", "[scenario]") {
    CHECK(only_error("steps:\n  - wait_for: {timeout: 1s}\n") ==
          "/tmp/s/case.yaml:2: steps[0].wait_for: needs exactly one condition: received, "
          "processed, dlq, alarm or iterator_age");
    CHECK(only_error("steps:\n  - wait_for: {alarm: {name: x, state: RED}}\n") ==
          "/tmp/s/case.yaml:2: steps[0].wait_for.alarm.state: must be one of OK, ALARM, "
          "INSUFFICIENT_DATA (got 'RED')");
    CHECK(only_error("steps:\n  - wait_for: {dlq: {count: 1}}\n") ==
          "/tmp/s/case.yaml:2: steps[0].wait_for.dlq.flow: required");
}

TEST_CASE("expect: one kind per entry, with what it needs", "[scenario]") {
    CHECK(only_error("steps:\n  - expect:\n      - dlq: {flow: a}\n") ==
          "/tmp/s/case.yaml:3: steps[0].expect[0].count: required");
    CHECK(only_error("steps:\n  - expect:\n      - received: {flow: a}\n") ==
          "/tmp/s/case.yaml:3: steps[0].expect[0].received: needs count or bodies");
    CHECK(only_error("steps:\n  - expect:\n      - calls: {flow: a}\n") ==
          "/tmp/s/case.yaml:3: steps[0].expect[0].calls: unknown key (known keys: alarm, dlq, "
          "dlq_record, invocations, metric, name, order_per_key, output, processed, received, "
          "response)");
    CHECK(only_error("steps:\n  - expect:\n      - invocations: {flow: a}\n") ==
          "/tmp/s/case.yaml:3: steps[0].expect[0].invocations: needs count, batch_sizes, "
          "max_batch_size, errors or error_types");
    CHECK(
        only_error("steps:\n  - expect:\n      - invocations: {flow: a, batch_sizes: [2, 0]}\n") ==
        "/tmp/s/case.yaml:3: steps[0].expect[0].invocations.batch_sizes[1]: must be between 1 "
        "and 10000 (got 0)");
    CHECK(only_error("steps:\n  - expect:\n      - response: {send: x}\n") ==
          "/tmp/s/case.yaml:3: steps[0].expect[0].response: needs status, body_contains, "
          "any_status, any_body_contains, min_retries or headers");
    CHECK(only_error("steps:\n  - expect: []\n") ==
          "/tmp/s/case.yaml:2: steps[0].expect: must be a non-empty list of expectations");
    CHECK(only_error("steps:\n  - expect:\n      - response: {send: nope, status: 200}\n") ==
          "/tmp/s/case.yaml:3: steps[0].expect.response.send: no send step named 'nope' before "
          "this one");
    CHECK(only_error("steps:\n  - expect:\n      - response: {status: 99}\n") ==
          "/tmp/s/case.yaml:3: steps[0].expect[0].response.status: must be between 100 and 599 "
          "(got 99)");
}

TEST_CASE("topology and flow overrides are checked", "[scenario]") {
    CHECK(only_error("topology: nope.yaml\nsteps:\n  - advance_time: 1s\n") ==
          "/tmp/s/case.yaml:1: topology: no such file: /tmp/s/nope.yaml");
    CHECK(only_error("flows:\n  orders: {batch_size: 0}\nsteps:\n  - advance_time: 1s\n") ==
          "/tmp/s/case.yaml:2: flows.orders.batch_size: must be between 1 and 10000 (got 0)");
    CHECK(only_error("kemu: {retry_backoff: 5}\nsteps:\n  - advance_time: 1s\n") ==
          "/tmp/s/case.yaml:1: kemu.retry_backoff: unknown key (known keys: alarm_period_s, "
          "retry_backoff_ms, shard_limits)");
}

TEST_CASE("fault: kemu killed, or a handler fault aimed once", "[scenario]") {
    Scenario sc;
    REQUIRE(parse("steps:\n  - fault: {kemu: killed}\n", &sc).empty());
    CHECK(sc.steps[0].kind == Step::Kind::kFault);
    CHECK(sc.steps[0].fault.kind == kemu::scenario::FaultStep::Kind::kKemuKilled);
    Scenario h;
    REQUIRE(parse("steps:\n  - fault: {handler: raises, flow: a, first: 2, probability: 0.5}\n", &h)
                .empty());
    CHECK(h.steps[0].fault.kind == kemu::scenario::FaultStep::Kind::kHandler);
    CHECK(h.steps[0].fault.first == 2);
    CHECK(h.steps[0].fault.probability == 0.5);
    CHECK(only_error("steps:\n  - fault: {kemu: paused}\n") ==
          "/tmp/s/case.yaml:2: steps[0].fault.kemu: must be one of killed (got 'paused')");
    CHECK(only_error("steps:\n  - fault: {handler: raises}\n") ==
          "/tmp/s/case.yaml:2: steps[0].fault.flow: required");
    CHECK(only_error("steps:\n  - fault: {handler: hangs, flow: a}\n") ==
          "/tmp/s/case.yaml:2: steps[0].fault.handler: must be one of raises, "
          "partial_batch_failure, times_out, killed, out_of_memory, recovers (got 'hangs')");
    CHECK(only_error("steps:\n  - fault: {kemu: killed, handler: raises, flow: a}\n") ==
          "/tmp/s/case.yaml:2: steps[0].fault: needs exactly one of kemu: killed, shard_limits: "
          "true|false, front_door_throttle: {rate_limit, burst_limit}, handler: "
          "raises|partial_batch_failure|times_out|killed|out_of_memory|recovers");
    CHECK(only_error("steps:\n  - fault: {handler: raises, flow: a, first: 1, nth: 2}\n") ==
          "/tmp/s/case.yaml:2: steps[0].fault: aim at one of first, nth, partition_key, "
          "body_field");
    CHECK(only_error("steps:\n  - fault: {handler: raises, flow: a, probability: 2}\n") ==
          "/tmp/s/case.yaml:2: steps[0].fault.probability: must be a number in (0, 1]");
    CHECK(only_error("steps:\n  - expect:\n      - processed: {flow: a}\n") ==
          "/tmp/s/case.yaml:3: steps[0].expect[0].processed: needs count or distinct");
}

TEST_CASE("fault: the real environment's failures, and recovery", "[scenario]") {
    for (std::string kind : {"times_out", "killed", "out_of_memory"}) {
        Scenario sc;
        REQUIRE(
            parse("steps:\n  - fault: {handler: " + kind + ", flow: a, nth: 2}\n", &sc).empty());
        CHECK(sc.steps[0].fault.handler == kind);
        CHECK(sc.steps[0].fault.nth == 2);
    }
    Scenario r;
    REQUIRE(parse("steps:\n  - fault: {handler: recovers, flow: a}\n", &r).empty());
    CHECK(r.steps[0].fault.handler == "recovers");
    CHECK(only_error("steps:\n  - fault: {handler: recovers, flow: a, first: 1}\n") ==
          "/tmp/s/case.yaml:2: steps[0].fault: handler: recovers ends every fault of the flow: it "
          "takes no aim");
}

TEST_CASE("advance_time: a jump, or slices of `every`", "[scenario]") {
    Scenario sc;
    REQUIRE(parse("steps:\n  - advance_time: {by: 6m, every: 1m}\n  - advance_time: 90s\n", &sc)
                .empty());
    CHECK(sc.steps[0].advance_ms == 360'000);
    CHECK(sc.steps[0].advance_every_ms == 60'000);
    CHECK(sc.steps[1].advance_ms == 90'000);
    CHECK(sc.steps[1].advance_every_ms == 0);
    CHECK(only_error("steps:\n  - advance_time: {every: 1m}\n") ==
          "/tmp/s/case.yaml:2: steps[0].advance_time.by: required");
    CHECK(only_error("steps:\n  - advance_time: {by: 5m}\n") ==
          "/tmp/s/case.yaml:2: steps[0].advance_time.every: required, above 0");
    CHECK(only_error("steps:\n  - advance_time: {by: 2h, every: 1s}\n") ==
          "/tmp/s/case.yaml:2: steps[0].advance_time.every: at most 1000 slices of `by`");
    auto errors = parse("steps:\n  - advance_time: {by: 5m, step: 1m}\n");
    REQUIRE_FALSE(errors.empty());
    CHECK(errors.front().to_string() ==
          "/tmp/s/case.yaml:2: steps[0].advance_time.step: unknown key (known keys: by, every)");
}

TEST_CASE("wait_for iterator_age takes one bound", "[scenario]") {
    Scenario sc;
    REQUIRE(parse("steps:\n  - wait_for: {iterator_age: {flow: a, below: 2s}}\n", &sc).empty());
    CHECK(sc.steps[0].wait.condition.kind == kemu::scenario::Condition::Kind::kIteratorAge);
    CHECK(sc.steps[0].wait.condition.below_ms == 2000);
    CHECK_FALSE(sc.steps[0].wait.condition.above_ms);
    CHECK(only_error("steps:\n  - wait_for: {iterator_age: {flow: a}}\n") ==
          "/tmp/s/case.yaml:2: steps[0].wait_for.iterator_age: needs exactly one of below, above");
    CHECK(only_error("steps:\n  - wait_for: {iterator_age: {below: 1s}}\n") ==
          "/tmp/s/case.yaml:2: steps[0].wait_for.iterator_age.flow: required");
}

TEST_CASE("expect: error types, output, headers, metrics and alarm history", "[scenario]") {
    Scenario sc;
    auto errors = parse(R"(steps:
  - send: {event_type: a, body: x}
  - expect:
      - invocations: {flow: a, error_types: [Sandbox.Timedout, Runtime.ExitError]}
      - output: {flow: a, contains: order ORD-1}
      - response: {headers: {Content-Type: application/json}}
      - metric: {name: kemu_lambda_errors_total, labels: {function_name: f}, at_least: 1.5}
      - alarm: {name: x, history: [ALARM, OK]}
)",
                        &sc);
    INFO((errors.empty() ? "" : errors.front().to_string()));
    REQUIRE(errors.empty());
    const auto& e = sc.steps[1].expect;
    REQUIRE(e.size() == 5);
    CHECK(e[0].error_types == std::vector<std::string>{"Sandbox.Timedout", "Runtime.ExitError"});
    CHECK(e[1].kind == Expectation::Kind::kOutput);
    CHECK(e[1].contains == "order ORD-1");
    CHECK(e[2].headers.at("Content-Type") == "application/json");
    CHECK(e[3].kind == Expectation::Kind::kMetric);
    CHECK(e[3].labels.at("function_name") == "f");
    CHECK(e[3].at_least == 1.5);
    CHECK(e[4].history == std::vector<std::string>{"ALARM", "OK"});
    CHECK(e[4].state.empty());
    CHECK(only_error("steps:\n  - expect:\n      - output: {flow: a}\n") ==
          "/tmp/s/case.yaml:3: steps[0].expect[0].output.contains: required");
    CHECK(only_error("steps:\n  - expect:\n      - metric: {name: m}\n") ==
          "/tmp/s/case.yaml:3: steps[0].expect[0].metric: needs equals, at_least or at_most");
    CHECK(only_error("steps:\n  - expect:\n      - metric: {name: m, equals: lots}\n") ==
          "/tmp/s/case.yaml:3: steps[0].expect[0].metric.equals: must be a number");
    CHECK(only_error("steps:\n  - expect:\n      - alarm: {name: x, history: [RED]}\n") ==
          "/tmp/s/case.yaml:3: steps[0].expect[0].alarm.history[0]: must be one of OK, ALARM, "
          "INSUFFICIENT_DATA (got 'RED')");
    CHECK(only_error("steps:\n  - expect:\n      - alarm: {name: x}\n") ==
          "/tmp/s/case.yaml:3: steps[0].expect[0].alarm.state: required");
}

TEST_CASE("fault: Kinesis's shard limits switched on and off", "[scenario]") {
    Scenario sc;
    REQUIRE(parse("steps:\n  - fault: {shard_limits: true}\n  - fault: {shard_limits: off}\n", &sc)
                .empty());
    CHECK(sc.steps[0].fault.kind == kemu::scenario::FaultStep::Kind::kShardLimits);
    CHECK(sc.steps[0].fault.shard_limits_on);
    CHECK_FALSE(sc.steps[1].fault.shard_limits_on);
    CHECK(only_error("steps:\n  - fault: {shard_limits: maybe}\n") ==
          "/tmp/s/case.yaml:2: steps[0].fault.shard_limits: must be true or false");
}

TEST_CASE("fault: a front-door throttle, with both of its limits", "[scenario]") {
    Scenario sc;
    REQUIRE(
        parse("steps:\n  - fault: {front_door_throttle: {rate_limit: 2.5, burst_limit: 1}}\n", &sc)
            .empty());
    CHECK(sc.steps[0].fault.kind == kemu::scenario::FaultStep::Kind::kFrontDoorThrottle);
    CHECK(sc.steps[0].fault.throttle.throttling_rate_limit == 2.5);
    CHECK(sc.steps[0].fault.throttle.throttling_burst_limit == 1);
    CHECK(only_error("steps:\n  - fault: {front_door_throttle: {rate_limit: 2}}\n") ==
          "/tmp/s/case.yaml:2: steps[0].fault.front_door_throttle.burst_limit: required");
    CHECK(
        only_error("steps:\n  - fault: {front_door_throttle: {rate_limit: 0, burst_limit: 1}}\n") ==
        "/tmp/s/case.yaml:2: steps[0].fault.front_door_throttle.rate_limit: must be a number "
        "above 0");
}
