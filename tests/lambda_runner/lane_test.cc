// One lane of the event source mapping, driven by hand (lane_fixture.h): a fake reader, a
// scripted invoker, a recording dead-letter sink and a ManualClock whose sleeps advance time.
// Expectations are docs/aws/lambda.md's (the rule numbers are those of its Failure handling
// section).

#include "lane.h"

#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "lane_fixture.h"

using namespace kemu;
using namespace kemu::lambda_runner;

TEST_CASE("the event carries every field of a Kinesis record in AWS's order", "[lambda]") {
    Fixture f;
    f.reader.add(kShard, 1, 1'718'031'245'512, "order-7781",
                 R"({"type":"order_created","id":7781,"qty":2})");
    f.reader.add(kShard, 2, 1'718'031'246'040, "order-\"7782\"", "x");
    f.invoker.script = {[](const json&) { return ok(); }};
    auto l = f.lane();
    f.drain(l);
    REQUIRE(f.invoker.events.size() == 1);
    const auto& e = f.invoker.events[0];
    REQUIRE(e.size() == 1);
    const auto& r = e["Records"][0];
    CHECK(r["kinesis"]["kinesisSchemaVersion"] == "1.0");
    CHECK(r["kinesis"]["partitionKey"] == "order-7781");
    CHECK(r["kinesis"]["sequenceNumber"] == seq(1));
    CHECK(r["kinesis"]["data"] == "eyJ0eXBlIjoib3JkZXJfY3JlYXRlZCIsImlkIjo3NzgxLCJxdHkiOjJ9");
    CHECK(r["kinesis"]["approximateArrivalTimestamp"].is_number_float());
    CHECK(r["kinesis"]["approximateArrivalTimestamp"].get<double>() == Approx(1718031245.512));
    CHECK(r["eventSource"] == "aws:kinesis");
    CHECK(r["eventVersion"] == "1.0");
    CHECK(r["eventID"] == kShard + ":" + seq(1));
    CHECK(r["eventName"] == "aws:kinesis:record");
    CHECK(r["invokeIdentityArn"] == "arn:aws:iam::111122223333:role/order-processor-role");
    CHECK(r["awsRegion"] == "eu-west-1");
    CHECK(r["eventSourceARN"] ==
          "arn:aws:kinesis:eu-west-1:111122223333:stream/events-order_created");
    CHECK(e["Records"][1]["kinesis"]["partitionKey"] == "order-\"7782\"");
    CHECK(e["Records"][1]["kinesis"]["approximateArrivalTimestamp"].get<double>() ==
          Approx(1718031246.04));
    // Key order as AWS writes it.
    auto text = r.dump();
    CHECK(text.find("kinesisSchemaVersion") < text.find("partitionKey"));
    CHECK(f.cp() == seq(2));
}

TEST_CASE("arrival timestamps are seconds with millisecond resolution", "[lambda]") {
    CHECK(arrival_seconds(1'718'031'245'512) == "1718031245.512");
    CHECK(arrival_seconds(1'718'031'246'040) == "1718031246.04");
    CHECK(arrival_seconds(1'718'031'246'000) == "1718031246.0");
}

TEST_CASE("a batch holds at most BatchSize records, in shard order", "[lambda]") {
    Fixture f;
    f.config.batch_size = 3;
    for (int i = 1; i <= 7; ++i)
        f.reader.add(kShard, i, f.clock.now_ms());
    f.invoker.script = {[](const json&) { return ok(); }};
    auto l = f.lane();
    f.drain(l);
    CHECK(f.invoker.batches() == std::vector<std::vector<int>>{{1, 2, 3}, {4, 5, 6}, {7}});
}

TEST_CASE("the batching window holds a partial batch until it runs out", "[lambda]") {
    Fixture f;
    f.config.batch_size = 10;
    f.config.batch_window_seconds = 5;
    auto l = f.lane();
    f.reader.add(kShard, 1, f.clock.now_ms());
    REQUIRE(l.fill());
    CHECK_FALSE(l.batch_ready());
    f.clock.advance_ms(4'999);
    CHECK_FALSE(l.batch_ready());
    f.reader.add(kShard, 2, f.clock.now_ms());
    REQUIRE(l.fill());
    f.clock.advance_ms(1);
    CHECK(l.batch_ready());
    f.invoker.script = {[](const json&) { return ok(); }};
    REQUIRE(l.process_batch());
    // The next window starts when the invocation completes.
    f.reader.add(kShard, 3, f.clock.now_ms());
    REQUIRE(l.fill());
    CHECK_FALSE(l.batch_ready());
    CHECK(l.window_deadline() == f.clock.now_ms() + 5'000);
    CHECK(f.invoker.batches() == std::vector<std::vector<int>>{{1, 2}});
}

TEST_CASE("with window 0 a single record is sent at once", "[lambda]") {
    Fixture f;
    f.config.batch_size = 100;
    f.reader.add(kShard, 1, f.clock.now_ms());
    auto l = f.lane();
    REQUIRE(l.fill());
    CHECK(l.batch_ready());
}

TEST_CASE("a batch stops short of 6 MB of event JSON", "[lambda]") {
    Fixture f;
    f.config.batch_size = 100;
    std::string data(1'000'000, 'x');  // ~1.33 MB once base64'd
    for (int i = 1; i <= 6; ++i)
        f.reader.add(kShard, i, f.clock.now_ms(), "pk", data);
    f.invoker.script = {[](const json&) { return ok(); }};
    auto l = f.lane();
    f.drain(l);
    auto b = f.invoker.batches();
    REQUIRE(b.size() == 2);
    CHECK(b[0] == std::vector<int>{1, 2, 3, 4});
    CHECK(b[1] == std::vector<int>{5, 6});
    for (const auto& e : f.invoker.events)
        CHECK(e.dump().size() <= kMaxPayloadBytes);
}

TEST_CASE("MaximumRetryAttempts N means N+1 invocations, then an on-failure record (rule 3)",
          "[lambda]") {
    for (int n : {0, 1, 2, 3}) {
        Fixture f;
        f.config.max_retry_attempts = n;
        f.reader.add(kShard, 1, f.clock.now_ms());
        f.reader.add(kShard, 2, f.clock.now_ms() + 528);
        f.reader.add(kShard, 3, f.clock.now_ms() + 600);
        f.invoker.script = {
            [](const json& e) { return e["Records"].size() == 2 ? error() : ok(); }};
        f.config.batch_size = 2;
        auto l = f.lane();
        f.drain(l);
        INFO("MaximumRetryAttempts " << n);
        CHECK(f.invoker.events.size() == static_cast<size_t>(n + 1) + 1);
        REQUIRE(f.dlq.records.size() == 1);
        const auto& r = f.dlq.records[0];
        CHECK(r.condition == sqs_dlq::FailureCondition::kRetryAttemptsExhausted);
        CHECK(r.approximate_invoke_count == n + 1);
        CHECK(r.function_error == "Unhandled");
        CHECK(r.request_id == "req-" + std::to_string(n + 1));
        CHECK(r.start_sequence_number == seq(1));
        CHECK(r.end_sequence_number == seq(2));
        CHECK(r.batch_size == 2);
        CHECK(r.first_arrival_ms == 1'718'031'245'512);
        CHECK(r.last_arrival_ms == 1'718'031'246'040);
        CHECK(r.shard_id == kShard);
        CHECK(r.stream_arn == f.config.stream_arn);
        CHECK(r.queue_name == "dlq");
        // The shard moves on past the discarded batch.
        CHECK(f.invoker.batches().back() == std::vector<int>{3});
        CHECK(f.cp() == seq(3));
        CHECK(f.metrics.errors == n + 1);
        CHECK(f.metrics.invocations == n + 2);
    }
}

TEST_CASE("a failing batch blocks its shard: nothing later is delivered meanwhile (rule 1)",
          "[lambda]") {
    Fixture f;
    f.config.max_retry_attempts = 2;
    f.config.batch_size = 1;
    f.reader.add(kShard, 1, f.clock.now_ms());
    f.reader.add(kShard, 2, f.clock.now_ms());
    f.invoker.script = {[](const json& e) {
        return e["Records"][0]["kinesis"]["sequenceNumber"] == seq(1) ? error() : ok();
    }};
    auto l = f.lane();
    f.drain(l);
    CHECK(f.invoker.batches() == std::vector<std::vector<int>>{{1}, {1}, {1}, {2}});
}

TEST_CASE("retries back off 1 s, doubling, capped at 60 s (rule 4)", "[lambda]") {
    Fixture f;
    f.config.max_retry_attempts = 8;
    f.reader.add(kShard, 1, f.clock.now_ms());
    f.invoker.script = {[](const json&) { return error(); }};
    auto l = f.lane();
    f.drain(l);
    CHECK(f.sleeper.slept ==
          std::vector<int64_t>{1000, 2000, 4000, 8000, 16000, 32000, 60000, 60000});
}

TEST_CASE("throttles retry without consuming attempts (rule 2)", "[lambda]") {
    Fixture f;
    f.config.max_retry_attempts = 0;
    f.reader.add(kShard, 1, f.clock.now_ms());
    int calls = 0;
    f.invoker.script = {[&](const json&) { return ++calls <= 3 ? throttled() : ok(); }};
    auto l = f.lane();
    f.drain(l);
    CHECK(f.dlq.records.empty());
    CHECK(f.metrics.throttles == 3);
    CHECK(f.metrics.invocations == 1);
    CHECK(f.cp() == seq(1));
}

TEST_CASE("expired records leave the front of a batch as RecordAgeExceeded (rule 5)", "[lambda]") {
    Fixture f;
    f.config.max_record_age_seconds = 60;
    f.config.batch_size = 6;
    int64_t now = f.clock.now_ms();
    f.reader.add(kShard, 1, now - 61'000);
    for (int i = 2; i <= 6; ++i)
        f.reader.add(kShard, i, now);
    f.invoker.script = {[](const json&) { return ok(); }};
    auto l = f.lane();
    f.drain(l);
    REQUIRE(f.dlq.records.size() == 1);
    const auto& r = f.dlq.records[0];
    CHECK(r.condition == sqs_dlq::FailureCondition::kRecordAgeExceeded);
    CHECK(r.batch_size == 1);
    CHECK(r.approximate_invoke_count == 1);  // even though it never reached the function
    CHECK(r.start_sequence_number == seq(1));
    auto body = json::parse(sqs_dlq::failure_record_json(r));
    CHECK_FALSE(body.contains("responseContext"));
    CHECK(f.invoker.batches() == std::vector<std::vector<int>>{{2, 3, 4, 5, 6}});
}

TEST_CASE("with infinite retries, a record age limit ends a poison batch", "[lambda]") {
    Fixture f;
    f.config.max_record_age_seconds = 60;
    f.reader.add(kShard, 1, f.clock.now_ms());
    f.invoker.script = {[](const json&) { return error(); }};
    auto l = f.lane();
    f.drain(l);
    REQUIRE(f.dlq.records.size() == 1);
    CHECK(f.dlq.records[0].condition == sqs_dlq::FailureCondition::kRecordAgeExceeded);
    // Attempts at 0, 1, 3, 7, 15 and 31 s; at 63 s the record is past the 60 s limit.
    CHECK(f.dlq.records[0].approximate_invoke_count == 6);
    CHECK(f.invoker.events.size() == 6);
}

TEST_CASE("bisect splits a failing batch down to the poison record (rule 6)", "[lambda]") {
    Fixture f;
    f.config.bisect_on_error = true;
    f.config.max_retry_attempts = 0;
    f.config.batch_size = 4;
    for (int i = 1; i <= 4; ++i)
        f.reader.add(kShard, i, f.clock.now_ms());
    f.invoker.script = {[](const json& e) {
        for (const auto& r : e["Records"])
            if (r["kinesis"]["sequenceNumber"] == seq(3)) return error();
        return ok();
    }};
    auto l = f.lane();
    f.drain(l);
    CHECK(f.invoker.batches() ==
          std::vector<std::vector<int>>{{1, 2, 3, 4}, {1, 2}, {3, 4}, {3}, {4}});
    REQUIRE(f.dlq.records.size() == 1);
    CHECK(f.dlq.records[0].start_sequence_number == seq(3));
    CHECK(f.dlq.records[0].batch_size == 1);
    CHECK(f.dlq.records[0].approximate_invoke_count == 1);
    CHECK(f.cp() == seq(4));
}

TEST_CASE("an odd batch bisects with the larger half first", "[lambda]") {
    Fixture f;
    f.config.bisect_on_error = true;
    f.config.max_retry_attempts = 0;
    f.config.batch_size = 3;
    for (int i = 1; i <= 3; ++i)
        f.reader.add(kShard, i, f.clock.now_ms());
    f.invoker.script = {[](const json&) { return error(); }};
    auto l = f.lane();
    f.drain(l);
    CHECK(f.invoker.batches() == std::vector<std::vector<int>>{{1, 2, 3}, {1, 2}, {1}, {2}, {3}});
    CHECK(f.dlq.records.size() == 3);
}

TEST_CASE("ReportBatchItemFailures: every row of the partial batch response table", "[lambda]") {
    struct Row {
        std::string response;
        bool success;
    };
    std::vector<Row> rows = {
        {R"({"batchItemFailures":[]})", true},
        {R"({"batchItemFailures":null})", true},
        {"{}", true},
        {"null", true},
        {R"("")", true},
        {"[]", true},
        {R"({"batchItemFailures":[{"itemIdentifier":""}]})", false},
        {R"({"batchItemFailures":[{"itemIdentifier":null}]})", false},
        {R"({"batchItemFailures":[{"foo":1}]})", false},
        {R"({"batchItemFailures":[{"itemIdentifier":123}]})", false},
        {R"({"batchItemFailures":[{"itemIdentifier":"4960999"}]})", false},
    };
    for (const auto& row : rows) {
        Fixture f;
        f.config.report_batch_item_failures = true;
        f.config.max_retry_attempts = 2;
        f.config.batch_size = 2;
        f.reader.add(kShard, 1, f.clock.now_ms());
        f.reader.add(kShard, 2, f.clock.now_ms());
        f.invoker.script = {[&](const json&) { return ok(row.response); }};
        auto l = f.lane();
        f.drain(l);
        INFO(row.response);
        if (row.success) {
            CHECK(f.invoker.events.size() == 1);
            CHECK(f.dlq.records.empty());
        } else {
            CHECK(f.invoker.events.size() == 3);
            REQUIRE(f.dlq.records.size() == 1);
            CHECK(f.dlq.records[0].batch_size == 2);
            CHECK_FALSE(f.dlq.records[0].function_error.has_value());
        }
        CHECK(f.metrics.errors == 0);  // a returned response is never a function error
        CHECK(f.cp() == seq(2));
    }
}

TEST_CASE(
    "a partial response checkpoints before the lowest failed record and retries the rest "
    "with a fresh count",
    "[lambda]") {
    // AWS-recorded: BatchSize 3, MaximumRetryAttempts 3, the second batch's last record always
    // reported failed: it is delivered 5 times and the record says invoke count 4, batch 1.
    Fixture f;
    f.config.report_batch_item_failures = true;
    f.config.max_retry_attempts = 3;
    f.config.batch_size = 3;
    for (int i = 1; i <= 6; ++i)
        f.reader.add(kShard, i, f.clock.now_ms());
    f.invoker.script = {[](const json& e) {
        for (const auto& r : e["Records"]) {
            if (r["kinesis"]["sequenceNumber"] == seq(6))
                return ok(R"({"batchItemFailures":[{"itemIdentifier":")" + seq(6) + R"("}]})");
        }
        return ok(R"({"batchItemFailures":[]})");
    }};
    auto l = f.lane();
    f.drain(l);
    CHECK(f.invoker.batches() ==
          std::vector<std::vector<int>>{{1, 2, 3}, {4, 5, 6}, {6}, {6}, {6}, {6}});
    REQUIRE(f.dlq.records.size() == 1);
    CHECK(f.dlq.records[0].approximate_invoke_count == 4);
    CHECK(f.dlq.records[0].batch_size == 1);
    CHECK(f.dlq.records[0].start_sequence_number == seq(6));
    CHECK_FALSE(f.dlq.records[0].function_error.has_value());
    auto body = json::parse(sqs_dlq::failure_record_json(f.dlq.records[0]));
    CHECK(body["responseContext"]["functionError"].is_null());
}

TEST_CASE("several failed items: the retry starts at the lowest", "[lambda]") {
    Fixture f;
    f.config.report_batch_item_failures = true;
    f.config.batch_size = 4;
    for (int i = 1; i <= 4; ++i)
        f.reader.add(kShard, i, f.clock.now_ms());
    int calls = 0;
    f.invoker.script = {[&](const json&) {
        if (++calls == 1)
            return ok(R"({"batchItemFailures":[{"itemIdentifier":")" + seq(4) +
                      R"("},{"itemIdentifier":")" + seq(2) + R"("}]})");
        return ok("{}");
    }};
    auto l = f.lane();
    f.drain(l);
    CHECK(f.invoker.batches() == std::vector<std::vector<int>>{{1, 2, 3, 4}, {2, 3, 4}});
}

TEST_CASE("parallelization lanes split a shard by partition key and keep per-key order",
          "[lambda]") {
    Fixture f;
    f.config.parallelization_factor = 3;
    f.config.batch_size = 100;
    std::vector<std::string> keys = {"a", "b", "c", "d", "e", "f"};
    for (int i = 1; i <= 30; ++i)
        f.reader.add(kShard, i, f.clock.now_ms(), keys[i % keys.size()]);
    f.invoker.script = {[](const json&) { return ok(); }};
    std::map<std::string, std::vector<std::string>> seen;  // key -> sequence numbers
    size_t total = 0;
    for (int lane = 0; lane < 3; ++lane) {
        f.invoker.events.clear();
        auto l = f.lane(kShard, lane);
        f.drain(l);
        for (const auto& e : f.invoker.events) {
            for (const auto& r : e["Records"]) {
                auto pk = r["kinesis"]["partitionKey"].get<std::string>();
                CHECK(lane_hash(pk) % 3 == static_cast<uint32_t>(lane));
                seen[pk].push_back(r["kinesis"]["sequenceNumber"]);
                ++total;
            }
        }
    }
    CHECK(total == 30);
    for (auto& [k, seqs] : seen)
        CHECK(std::is_sorted(seqs.begin(), seqs.end()));
}

TEST_CASE("a lane resumes after its checkpoint, so a restart neither skips nor replays",
          "[lambda]") {
    Fixture f;
    for (int i = 1; i <= 3; ++i)
        f.reader.add(kShard, i, f.clock.now_ms());
    f.invoker.script = {[](const json&) { return ok(); }};
    {
        auto l = f.lane();
        f.drain(l);
    }
    for (int i = 4; i <= 5; ++i)
        f.reader.add(kShard, i, f.clock.now_ms());
    f.invoker.events.clear();
    auto again = f.lane();
    f.drain(again);
    CHECK(f.invoker.batches() == std::vector<std::vector<int>>{{4, 5}});
}

TEST_CASE("LATEST starts at the mapping's first start, also after a restart", "[lambda]") {
    Fixture f;
    f.config.starting_position = kinesis::IteratorType::kLatest;
    f.reader.add(kShard, 1, f.clock.now_ms() - 1);  // before the mapping existed
    f.invoker.script = {[](const json&) { return ok(); }};
    {
        auto l = f.lane();
        REQUIRE(l.fill());
        CHECK(l.pending() == 0);
    }
    f.reader.add(kShard, 2, f.clock.now_ms() + 5);  // while kemu was down
    f.clock.advance_ms(10);
    auto l = f.lane();
    f.drain(l);
    CHECK(f.invoker.batches() == std::vector<std::vector<int>>{{2}});
}

TEST_CASE("a closed shard finishes once drained", "[lambda]") {
    Fixture f;
    f.reader.add(kShard, 1, f.clock.now_ms());
    f.reader.shards_by_id[kShard].closed = true;
    f.invoker.script = {[](const json&) { return ok(); }};
    auto l = f.lane();
    f.drain(l);
    CHECK(l.finished());
}

TEST_CASE("iterator age is the last record's age at dispatch", "[lambda]") {
    Fixture f;
    int64_t now = f.clock.now_ms();
    f.reader.add(kShard, 1, now - 5'000);
    f.reader.add(kShard, 2, now - 2'000);
    f.invoker.script = {[](const json&) { return ok(); }};
    auto l = f.lane();
    f.drain(l);
    CHECK(f.metrics.iterator_age_ms == 2'000);
}

TEST_CASE("on-failure records match AWS's documented examples byte for byte", "[lambda]") {
    sqs_dlq::FailureRecord r;
    r.request_id = "5f0e2c1a-8d3b-4b7e-9a61-2f4c9d0e7b13";
    r.function_arn = "arn:aws:lambda:eu-west-1:111122223333:function:order-processor";
    r.approximate_invoke_count = 3;
    r.timestamp_ms = 1'718'031'302'118;
    r.shard_id = "shardId-000000000002";
    r.start_sequence_number = "49651505085739302134812766549128712234570113226409443330";
    r.end_sequence_number = "49651505085739302134812766550337638054184742401115619330";
    r.first_arrival_ms = 1'718'031'245'512;
    r.last_arrival_ms = 1'718'031'246'040;
    r.batch_size = 2;
    r.stream_arn = "arn:aws:kinesis:eu-west-1:111122223333:stream/events-order_created";
    const std::string retries = R"({
  "requestContext": {
    "requestId": "5f0e2c1a-8d3b-4b7e-9a61-2f4c9d0e7b13",
    "functionArn": "arn:aws:lambda:eu-west-1:111122223333:function:order-processor",
    "condition": "RetryAttemptsExhausted",
    "approximateInvokeCount": 3
  },
  "responseContext": {
    "statusCode": 200,
    "executedVersion": "$LATEST",
    "functionError": "Unhandled"
  },
  "version": "1.0",
  "timestamp": "2024-06-10T14:55:02.118Z",
  "KinesisBatchInfo": {
    "shardId": "shardId-000000000002",
    "startSequenceNumber": "49651505085739302134812766549128712234570113226409443330",
    "endSequenceNumber": "49651505085739302134812766550337638054184742401115619330",
    "approximateArrivalOfFirstRecord": "2024-06-10T14:54:05.512Z",
    "approximateArrivalOfLastRecord": "2024-06-10T14:54:06.040Z",
    "batchSize": 2,
    "streamArn": "arn:aws:kinesis:eu-west-1:111122223333:stream/events-order_created"
  }
})";
    // Same keys, same order, same values: compare the compact forms.
    CHECK(sqs_dlq::failure_record_json(r) == nlohmann::ordered_json::parse(retries).dump());

    r.request_id = "0b7d4d52-6c1e-4f0a-8f55-3e8a2c9b1d70";
    r.condition = sqs_dlq::FailureCondition::kRecordAgeExceeded;
    r.approximate_invoke_count = 8;
    r.timestamp_ms = 1'718'031'307'004;
    r.start_sequence_number = r.end_sequence_number;
    r.first_arrival_ms = r.last_arrival_ms;
    r.batch_size = 1;
    const std::string age = R"({
  "requestContext": {
    "requestId": "0b7d4d52-6c1e-4f0a-8f55-3e8a2c9b1d70",
    "functionArn": "arn:aws:lambda:eu-west-1:111122223333:function:order-processor",
    "condition": "RecordAgeExceeded",
    "approximateInvokeCount": 8
  },
  "version": "1.0",
  "timestamp": "2024-06-10T14:55:07.004Z",
  "KinesisBatchInfo": {
    "shardId": "shardId-000000000002",
    "startSequenceNumber": "49651505085739302134812766550337638054184742401115619330",
    "endSequenceNumber": "49651505085739302134812766550337638054184742401115619330",
    "approximateArrivalOfFirstRecord": "2024-06-10T14:54:06.040Z",
    "approximateArrivalOfLastRecord": "2024-06-10T14:54:06.040Z",
    "batchSize": 1,
    "streamArn": "arn:aws:kinesis:eu-west-1:111122223333:stream/events-order_created"
  }
})";
    CHECK(sqs_dlq::failure_record_json(r) == nlohmann::ordered_json::parse(age).dump());
}

TEST_CASE("with no age limit and endless retries, a batch ends when the stream drops its records",
          "[lambda]") {
    Fixture f;
    f.config.max_retry_attempts = -1;
    f.config.max_record_age_seconds = -1;
    f.config.retention_ms = 60'000;
    f.reader.add(kShard, 1, f.clock.now_ms());
    f.reader.add(kShard, 2, f.clock.now_ms() + 30'000);
    f.config.batch_size = 1;
    f.invoker.script = {[](const json& e) {
        return e["Records"][0]["kinesis"]["sequenceNumber"] == seq(1) ? error() : ok();
    }};
    auto l = f.lane();
    f.drain(l);
    REQUIRE(f.dlq.records.size() == 1);
    CHECK(f.dlq.records[0].condition == sqs_dlq::FailureCondition::kRecordAgeExceeded);
    CHECK(f.dlq.records[0].start_sequence_number == seq(1));
    CHECK(f.invoker.batches().back() == std::vector<int>{2});
}
