// Filter criteria and tumbling windows in a lane, on a ManualClock with the fake reader
// (docs/aws/lambda.md, Event filtering and Tumbling windows).

#include <string>
#include <vector>

#include "lambda_runner/replay.h"
#include "lane_fixture.h"
#include "tumbling_window.h"

using namespace kemu;
using namespace kemu::lambda_runner;

namespace {

// Runs the lane until nothing is pending and no window is open, advancing the clock while it
// waits (at most `max_ms` of it).
void run(Fixture& f, Lane& l, int64_t max_ms = 60'000) {
    for (int64_t waited = 0; waited <= max_ms;) {
        REQUIRE(l.fill());
        if (l.final_due()) {
            REQUIRE(l.process_final());
        } else if (l.batch_ready()) {
            REQUIRE(l.process_batch());
        } else if (l.pending() == 0 && !l.window_deadline()) {
            return;
        } else {
            f.clock.advance_ms(500);
            waited += 500;
        }
    }
    FAIL("lane did not settle");
}

// A handler that counts the records of its window in its state.
InvokeResult count_records(const json& e) {
    int n = e["state"].value("count", 0) + static_cast<int>(e["Records"].size());
    return ok(json{{"state", {{"count", n}}}}.dump());
}

struct Call {
    std::vector<int> records;
    json state;
    bool final;
    std::string start;
};

std::vector<Call> calls(const Fixture& f) {
    std::vector<Call> out;
    auto batches = f.invoker.batches();
    for (size_t i = 0; i < f.invoker.events.size(); ++i) {
        const auto& e = f.invoker.events[i];
        out.push_back({batches[i], e["state"], e["isFinalInvokeForWindow"].get<bool>(),
                       e["window"]["start"].get<std::string>()});
    }
    return out;
}

}  // namespace

TEST_CASE("filters: batches hold only matching records, the rest are checkpointed past",
          "[lambda][filter]") {
    Fixture f;
    f.config.batch_size = 2;
    f.config.filter_patterns = {R"({"data":{"type":["created"]}})"};
    for (int i = 1; i <= 6; ++i)
        f.reader.add(kShard, i, f.clock.now_ms(), "pk",
                     i % 2 ? R"({"type":"created"})" : R"({"type":"deleted"})");
    f.invoker.script = {[](const json&) { return ok(); }};
    auto l = f.lane();
    f.drain(l);
    CHECK(f.invoker.batches() == std::vector<std::vector<int>>{{1, 3}, {5}});
    CHECK(f.metrics.filtered_out_events == 3);
    CHECK(f.metrics.invoked_events == 3);
    CHECK(f.cp() == seq(6));  // past the filtered record after the last delivered one
}

TEST_CASE("filters: a run of filtered records moves the checkpoint with nothing invoked",
          "[lambda][filter]") {
    Fixture f;
    f.config.filter_patterns = {R"({"partitionKey":["wanted"]})"};
    for (int i = 1; i <= 3; ++i)
        f.reader.add(kShard, i, f.clock.now_ms(), "other", "{}");
    f.invoker.script = {[](const json&) { return ok(); }};
    {
        auto l = f.lane();
        REQUIRE(l.fill());
        CHECK(l.pending() == 0);
    }
    CHECK(f.invoker.events.empty());
    CHECK(f.cp() == seq(3));
    CHECK(f.metrics.filtered_out_events == 3);
    // A restart reads after the checkpoint: nothing is filtered (or counted) twice.
    f.reader.add(kShard, 4, f.clock.now_ms(), "wanted", "{}");
    auto again = f.lane();
    f.drain(again);
    CHECK(f.invoker.batches() == std::vector<std::vector<int>>{{4}});
    CHECK(f.metrics.filtered_out_events == 3);
}

TEST_CASE("filters: any pattern may match, and data that is not JSON never matches a data pattern",
          "[lambda][filter]") {
    Fixture f;
    f.config.filter_patterns = {R"({"data":{"type":[{"exists":false}]}})",
                                R"({"partitionKey":[{"prefix":"vip-"}]})"};
    f.reader.add(kShard, 1, f.clock.now_ms(), "a", "not json");
    f.reader.add(kShard, 2, f.clock.now_ms(), "vip-1", "not json");
    f.reader.add(kShard, 3, f.clock.now_ms(), "b", R"({"id":3})");
    f.reader.add(kShard, 4, f.clock.now_ms(), "c", R"({"type":"x"})");
    f.invoker.script = {[](const json&) { return ok(); }};
    auto l = f.lane();
    f.drain(l);
    CHECK(f.invoker.batches() == std::vector<std::vector<int>>{{2, 3}});
    CHECK(f.metrics.filtered_out_events == 2);
    CHECK(f.cp() == seq(4));
}

TEST_CASE("tumbling windows align to multiples of their length since the epoch",
          "[lambda][window]") {
    CHECK(window_start(1'718'031'245'512, 2000) == 1'718'031'244'000);
    CHECK(window_start(1'718'031'246'000, 2000) == 1'718'031'246'000);
    CHECK(window_start(1'607'497'475'000, 120'000) == 1'607'497'440'000);
    CHECK(iso8601_utc(1'607'497'440'000) == "2020-12-09T07:04:00Z");
}

TEST_CASE("tumbling windows: state carried within a window, a final invocation closes each",
          "[lambda][window]") {
    Fixture f;
    f.config.batch_size = 1;
    f.config.tumbling_window_seconds = 2;
    const int64_t t = f.clock.now_ms();  // 14:54:05.512, in the window 14:54:04-06
    f.reader.add(kShard, 1, t);
    f.reader.add(kShard, 2, t + 388);   // 14:54:05.900, same window
    f.reader.add(kShard, 3, t + 588);   // 14:54:06.100, the next window
    f.reader.add(kShard, 4, t + 3488);  // 14:54:09.000, the one after
    f.invoker.script = {count_records};
    auto l = f.lane();
    run(f, l);
    auto c = calls(f);
    REQUIRE(c.size() == 7);
    CHECK(c[0].records == std::vector<int>{1});
    CHECK(c[0].state == json::object());
    CHECK_FALSE(c[0].final);
    CHECK(c[0].start == "2024-06-10T14:54:04Z");
    CHECK(c[1].records == std::vector<int>{2});
    CHECK(c[1].state == json{{"count", 1}});
    CHECK(c[2].records.empty());
    CHECK(c[2].final);
    CHECK(c[2].state == json{{"count", 2}});
    CHECK(c[2].start == "2024-06-10T14:54:04Z");
    CHECK(c[3].records == std::vector<int>{3});
    CHECK(c[3].state == json::object());  // a new window starts with an empty state
    CHECK(c[3].start == "2024-06-10T14:54:06Z");
    CHECK(c[4].final);
    CHECK(c[4].state == json{{"count", 1}});
    CHECK(c[5].records == std::vector<int>{4});
    CHECK(c[5].start == "2024-06-10T14:54:08Z");
    // The last window closes once its end has passed on the clock.
    CHECK(c[6].final);
    CHECK(f.clock.now_ms() >= 1'718'031'250'000);
    CHECK(f.cp() == seq(4));
    CHECK_FALSE(f.checkpoints->window(kShard, 0));
}

TEST_CASE("tumbling windows: a batch never spans two windows", "[lambda][window]") {
    Fixture f;
    f.config.batch_size = 10;
    f.config.batch_window_seconds = 0;
    f.config.tumbling_window_seconds = 2;
    const int64_t t = f.clock.now_ms();
    f.reader.add(kShard, 1, t);
    f.reader.add(kShard, 2, t + 100);
    f.reader.add(kShard, 3, t + 600);
    f.invoker.script = {count_records};
    auto l = f.lane();
    run(f, l);
    auto c = calls(f);
    REQUIRE(c.size() == 4);
    CHECK(c[0].records == std::vector<int>{1, 2});
    CHECK(c[1].final);
    CHECK(c[2].records == std::vector<int>{3});
    CHECK(c[3].final);
}

TEST_CASE("tumbling windows: the state survives a restart with the checkpoint",
          "[lambda][window]") {
    Fixture f;
    f.config.batch_size = 1;
    f.config.batch_window_seconds = 0;
    f.config.tumbling_window_seconds = 2;
    const int64_t t = f.clock.now_ms();
    f.reader.add(kShard, 1, t);
    f.invoker.script = {count_records};
    {
        auto l = f.lane();
        REQUIRE(l.fill());
        REQUIRE(l.batch_ready());
        REQUIRE(l.process_batch());
        CHECK_FALSE(l.final_due());
    }
    REQUIRE(f.checkpoints->window(kShard, 0));
    f.reader.add(kShard, 2, t + 100);
    auto again = f.lane();
    run(f, again);
    auto c = calls(f);
    REQUIRE(c.size() == 3);
    CHECK(c[1].records == std::vector<int>{2});
    CHECK(c[1].state == json{{"count", 1}});
    CHECK(c[2].final);
    CHECK(c[2].state == json{{"count", 2}});
}

TEST_CASE("tumbling windows: a response without state fails and the batch is retried as it was",
          "[lambda][window]") {
    Fixture f;
    f.config.tumbling_window_seconds = 2;
    f.config.batch_window_seconds = 0;
    f.reader.add(kShard, 1, f.clock.now_ms());
    f.invoker.script = {[](const json&) { return ok(R"({"count":1})"); }, count_records};
    auto l = f.lane();
    run(f, l);
    auto c = calls(f);
    REQUIRE(c.size() == 3);
    CHECK(c[0].records == std::vector<int>{1});
    CHECK(c[1].records == std::vector<int>{1});
    CHECK(c[1].state == json::object());
    CHECK(c[2].final);
    CHECK(c[2].state == json{{"count", 1}});
    CHECK(f.sleeper.slept.size() >= 1);  // the retry backed off
}

TEST_CASE("tumbling windows: a failing final invocation is retried until it succeeds",
          "[lambda][window]") {
    Fixture f;
    f.config.tumbling_window_seconds = 2;
    f.config.batch_window_seconds = 0;
    f.reader.add(kShard, 1, f.clock.now_ms());
    f.invoker.script = {count_records, [](const json&) { return error(); }, count_records};
    auto l = f.lane();
    run(f, l);
    auto c = calls(f);
    REQUIRE(c.size() == 3);
    CHECK(c[1].final);
    CHECK(c[2].final);
    CHECK(c[2].state == json{{"count", 1}});
    CHECK(f.metrics.errors == 1);
}

TEST_CASE("tumbling windows: a state over 1 MB ends the window early, which goes on afresh",
          "[lambda][window]") {
    Fixture f;
    f.config.batch_size = 1;
    f.config.batch_window_seconds = 0;
    f.config.tumbling_window_seconds = 2;
    const int64_t t = f.clock.now_ms();
    f.reader.add(kShard, 1, t);
    f.reader.add(kShard, 2, t + 100);
    f.invoker.script = {
        [](const json&) {
            return ok(json{{"state", {{"big", std::string(kMaxWindowStateBytes, 'x')}}}}.dump());
        },
        count_records};
    auto l = f.lane();
    run(f, l);
    REQUIRE(f.invoker.events.size() == 4);
    const auto& early = f.invoker.events[1];
    CHECK(early["isFinalInvokeForWindow"] == true);
    CHECK(early["isWindowTerminatedEarly"] == true);
    CHECK(early["Records"].empty());
    const auto& next = f.invoker.events[2];
    CHECK(next["state"] == json::object());
    CHECK(next["window"] == early["window"]);  // the same window, a fresh state
    CHECK(next["isWindowTerminatedEarly"] == false);
    CHECK(f.invoker.events[3]["isFinalInvokeForWindow"] == true);
}

TEST_CASE("the tumbling-window event matches AWS's documented example key by key",
          "[lambda][window]") {
    // AWS's KinesisTimeWindowEvent example (Lambda developer guide, Kinesis tumbling windows).
    const char* documented = R"({
        "Records": [{
            "kinesis": {
                "kinesisSchemaVersion": "1.0",
                "partitionKey": "1",
                "sequenceNumber": "49590338271490256608559692538361571095921575989136588898",
                "data": "SGVsbG8sIHRoaXMgaXMgYSB0ZXN0Lg==",
                "approximateArrivalTimestamp": 1607497475.000
            },
            "eventSource": "aws:kinesis",
            "eventVersion": "1.0",
            "eventID": "shardId-000000000006:49590338271490256608559692538361571095921575989136588898",
            "eventName": "aws:kinesis:record",
            "invokeIdentityArn": "arn:aws:iam::123456789012:role/lambda-kinesis-role",
            "awsRegion": "us-east-1",
            "eventSourceARN": "arn:aws:kinesis:us-east-1:123456789012:stream/lambda-stream"
        }],
        "window": {"start": "2020-12-09T07:04:00Z", "end": "2020-12-09T07:06:00Z"},
        "state": {"1": 282, "2": 715},
        "shardId": "shardId-000000000006",
        "eventSourceARN": "arn:aws:kinesis:us-east-1:123456789012:stream/lambda-stream",
        "isFinalInvokeForWindow": false,
        "isWindowTerminatedEarly": false
    })";
    MappingConfig c;
    c.stream = {"123456789012", "us-east-1", "lambda-stream"};
    c.stream_arn = "arn:aws:kinesis:us-east-1:123456789012:stream/lambda-stream";
    c.role_arn = "arn:aws:iam::123456789012:role/lambda-kinesis-role";
    kinesis::Record r{"49590338271490256608559692538361571095921575989136588898", 1'607'497'475'000,
                      "1", "Hello, this is a test.", false};
    std::deque<LaneRecord> batch;
    batch.push_back(
        {r.sequence_number, r.arrival_ms, record_json(c, "shardId-000000000006", r), {}});
    const int64_t start = window_start(r.arrival_ms, 120'000);
    const std::string state = R"({"1":282,"2":715})";
    const std::string shard = "shardId-000000000006";
    auto text = window_event_json(batch, {start, start + 120'000, state, shard, c.stream_arn});
    auto ours = nlohmann::ordered_json::parse(text);
    auto theirs = nlohmann::ordered_json::parse(documented);
    std::vector<std::string> our_keys, their_keys;
    for (const auto& [k, v] : ours.items())
        our_keys.push_back(k);
    for (const auto& [k, v] : theirs.items())
        their_keys.push_back(k);
    CHECK(our_keys == their_keys);
    CHECK(ours == theirs);  // values and, at every level, key order
}

TEST_CASE("kemu dlq replay re-sends only the records the filters let through, with window keys",
          "[lambda][window][filter]") {
    Fixture f;
    f.config.tumbling_window_seconds = 2;
    f.config.batch_window_seconds = 0;
    f.config.max_retry_attempts = 0;
    f.config.filter_patterns = {R"({"data":{"type":["created"]}})"};
    const int64_t t = f.clock.now_ms();
    f.reader.add(kShard, 1, t, "pk", R"({"type":"created"})");
    f.reader.add(kShard, 2, t, "pk", R"({"type":"deleted"})");
    f.reader.add(kShard, 3, t, "pk", R"({"type":"created"})");
    f.invoker.script = {[](const json& e) { return e["isFinalInvokeForWindow"] ? ok() : error(); }};
    auto l = f.lane();
    run(f, l);
    REQUIRE(f.dlq.records.size() == 1);
    CHECK(f.dlq.records[0].batch_size == 2);
    ScriptedInvoker again;
    again.script = {count_records};
    auto outcome = replay_failure_record(sqs_dlq::failure_record_json(f.dlq.records[0]), f.config,
                                         f.reader, again);
    CHECK(outcome.ok);
    CHECK(outcome.records == 2);
    CHECK(again.batches() == std::vector<std::vector<int>>{{1, 3}});
    REQUIRE(again.events.size() == 1);
    CHECK(again.events[0]["window"]["start"] == "2024-06-10T14:54:04Z");
    CHECK(again.events[0]["state"] == json::object());
}
