// The sampler over real engines (in-memory database): a second's datapoints, the activity
// rule, the one-consumer iterator-age windows, and kemu's own cumulative families.

#include <catch2/catch.hpp>

#include "cloudwatch/cloudwatch.h"
#include "core/clock.h"
#include "support/temp_dir.h"

using namespace kemu;
using namespace kemu::cloudwatch;

namespace {

struct Engines {
    testing::TempDir dir;
    ManualClock clock;
    std::unique_ptr<Db> db;
    std::unique_ptr<kinesis::Store> store;
    std::unique_ptr<sqs_dlq::QueueStore> queues;
    lambda_runner::FunctionMetrics fn;
    kinesis::StreamKey key{"000000000000", "us-east-1", "s"};

    Engines() {
        DbOptions o;
        o.path = dir.path.string();
        o.in_memory = true;
        std::string error;
        db = Db::open(o, &error);
        REQUIRE(db);
        store = std::make_unique<kinesis::Store>(*db, clock, kinesis::StoreOptions{});
        queues = std::make_unique<sqs_dlq::QueueStore>(*db, clock);
        REQUIRE(store->create_stream(key, 1, kinesis::StreamMode::kProvisioned, {}).has_value());
        REQUIRE(queues->create_queue("q", {}, {}).has_value());
    }
    SamplerSources sources() {
        SamplerSources s;
        s.store = store.get();
        s.account = key.account;
        s.region = key.region;
        s.streams = {key.name};
        s.functions = {{"f", &fn}};
        s.queues = queues.get();
        return s;
    }
};

std::optional<Stats> find(const std::vector<Datapoint>& points, std::string_view ns,
                          std::string_view metric) {
    for (const auto& p : points) {
        if (p.key.ns == ns && p.key.metric == metric) return p.stats;
    }
    return std::nullopt;
}

}  // namespace

TEST_CASE("counts are per-second increases, only for active resources", "[sampler]") {
    Engines e;
    Sampler s(e.sources());
    auto first = s.tick();
    // Idle: no stream or function datapoints; queue depths every second.
    CHECK_FALSE(find(first, names::kKinesis, names::kIncomingRecords));
    CHECK_FALSE(find(first, names::kLambda, names::kErrors));
    CHECK(find(first, names::kSqs, names::kMessagesVisible) == Stats::of(0));

    REQUIRE(e.store->put(e.key, {"pk", std::nullopt, "abc"}).has_value());
    REQUIRE(e.store->put(e.key, {"pk", std::nullopt, "de"}).has_value());
    sqs_dlq::SendRequest hello;
    hello.body = "hello";
    REQUIRE(e.queues->send_message("q", hello).has_value());
    e.fn.invocations += 3;
    e.fn.errors += 1;
    e.fn.duration_us_sum += 30'000;
    e.fn.iterator_age_window_max = 1500;
    auto second = s.tick();
    CHECK(find(second, names::kKinesis, names::kIncomingRecords) == Stats::of(2));
    CHECK(find(second, names::kKinesis, names::kIncomingBytes) == Stats::of(5));
    CHECK(find(second, names::kKinesis, names::kWriteThrottled) == Stats::of(0));
    CHECK(find(second, names::kLambda, names::kInvocations) == Stats::of(3));
    CHECK(find(second, names::kLambda, names::kErrors) == Stats::of(1));
    CHECK(find(second, names::kLambda, names::kDuration) == Stats{30, 10, 10, 3});
    CHECK(find(second, names::kLambda, names::kIteratorAge) == Stats::of(1500));
    CHECK(find(second, names::kSqs, names::kMessagesVisible) == Stats::of(1));

    // Invoked without errors: Errors has a zero datapoint (the errors alarm sees "OK").
    e.fn.invocations += 1;
    auto third = s.tick();
    CHECK(find(third, names::kLambda, names::kErrors) == Stats::of(0));
    CHECK_FALSE(find(third, names::kLambda, names::kIteratorAge));  // the window was taken
    CHECK_FALSE(find(third, names::kKinesis, names::kIncomingRecords));
    // Duration's samples are the invocations (the engine adds each one's time to the sum).
    CHECK(find(third, names::kLambda, names::kDuration) == Stats::of_sum(0, 1));
}

TEST_CASE("kemu's own families count since start", "[sampler]") {
    Engines e;
    Sampler s(e.sources());
    REQUIRE(e.store->put(e.key, {"pk", std::nullopt, "abc"}).has_value());
    e.fn.invocations += 2;
    e.fn.iterator_age_ms = 2500;
    (void)s.tick();
    (void)s.tick();
    Exposition out;
    s.render_own(out);
    auto text = out.text();
    CHECK_THAT(text, Catch::Contains("# TYPE kemu_kinesis_incoming_records_total counter\n"
                                     "kemu_kinesis_incoming_records_total{stream_name=\"s\"} 1\n"));
    CHECK_THAT(text, Catch::Contains("kemu_lambda_invocations_total{function_name=\"f\"} 2\n"));
    CHECK_THAT(text,
               Catch::Contains("kemu_lambda_iterator_age_seconds{function_name=\"f\"} 2.5\n"));
    CHECK_THAT(text, Catch::Contains("# TYPE kemu_lambda_duration_seconds summary\n"));
    CHECK_THAT(text, Catch::Contains(
                         "kemu_sqs_approximate_number_of_messages_visible{queue_name=\"q\"} 0\n"));
}

TEST_CASE("CloudWatch ticks the history and the alarms from one sample", "[sampler]") {
    Engines e;
    Config cfg;
    FlowConfig f;
    f.event_type = "orders";
    cfg.event_flows.push_back(f);
    auto sources = e.sources();
    sources.streams = {cfg.stream_name(f)};
    sources.functions = {{cfg.function_name(f), &e.fn}};
    CloudWatch cw(cfg, sources, e.db.get(), {});
    int64_t now = e.clock.now_ms();
    cw.tick(now);
    e.fn.invocations += 1;
    e.fn.errors += 1;
    cw.tick(now + 1000);
    auto errors = series(names::kLambda, names::kErrors, "FunctionName", cfg.function_name(f));
    CHECK(cw.history().aggregate(errors, now, now + 2000) == Stats::of(1));
    std::map<std::string, std::string> states;
    for (const auto& [name, state] : cw.alarms().states())
        states[name] = state;
    CHECK(states["dev-orders-lambda-errors"] == "ALARM");
    auto text = cw.metrics_text(now + 1000);
    CHECK_THAT(
        text, Catch::Contains("aws_lambda_errors_sum{function_name=\"dev-orders-processor\"} 1\n"));
}
