// The on-failure record: failure_record_json writes it, parse_failure_record reads it back, the
// one reader `kemu dlq list` and the Lambda runner's replay share.

#include "sqs_dlq/dead_letter_sink.h"

#include <catch2/catch.hpp>

#include "failure_record_sample.h"

using namespace kemu::sqs_dlq;

using kemu::sqs_dlq::testing::sample_failure_record;

TEST_CASE("an on-failure record reads back as it was written", "[sqs][failure-record]") {
    auto r = sample_failure_record();
    auto got = parse_failure_record(failure_record_json(r));
    REQUIRE(got);
    CHECK(got->queue_name.empty());  // not in the document: the queue is where it was found
    CHECK(got->request_id == r.request_id);
    CHECK(got->function_arn == r.function_arn);
    CHECK(got->condition == FailureCondition::kRetryAttemptsExhausted);
    CHECK(got->approximate_invoke_count == 3);
    CHECK(got->status_code == 200);
    CHECK(got->executed_version == "$LATEST");
    CHECK(got->function_error == std::optional<std::string>("Unhandled"));
    CHECK(got->timestamp_ms == r.timestamp_ms);
    CHECK(got->shard_id == r.shard_id);
    CHECK(got->start_sequence_number == r.start_sequence_number);
    CHECK(got->end_sequence_number == r.end_sequence_number);
    CHECK(got->first_arrival_ms == r.first_arrival_ms);
    CHECK(got->last_arrival_ms == r.last_arrival_ms);
    CHECK(got->batch_size == 2);
    CHECK(got->stream_arn == r.stream_arn);
    CHECK(failure_record_json(*got) == failure_record_json(r));
}

TEST_CASE("a partial batch failure and a record too old read back too", "[sqs][failure-record]") {
    auto r = sample_failure_record();
    r.function_error.reset();  // JSON null: the function returned batchItemFailures
    auto partial = parse_failure_record(failure_record_json(r));
    REQUIRE(partial);
    CHECK_FALSE(partial->function_error);
    CHECK(failure_record_json(*partial) == failure_record_json(r));

    r.condition = FailureCondition::kRecordAgeExceeded;  // no responseContext
    auto old = parse_failure_record(failure_record_json(r));
    REQUIRE(old);
    CHECK(old->condition == FailureCondition::kRecordAgeExceeded);
    CHECK(failure_record_json(*old) == failure_record_json(r));
}

TEST_CASE("only a JSON object with a KinesisBatchInfo object is an on-failure record",
          "[sqs][failure-record]") {
    CHECK_FALSE(parse_failure_record("not a failure record"));
    CHECK_FALSE(parse_failure_record("[1,2]"));
    CHECK_FALSE(parse_failure_record(R"({"requestContext":{}})"));
    CHECK_FALSE(parse_failure_record(R"({"KinesisBatchInfo":"shardId-0"})"));
    // Inside one, what is missing is left empty for the caller to judge.
    auto bare = parse_failure_record(R"({"KinesisBatchInfo":{"batchSize":"2"},"timestamp":"x"})");
    REQUIRE(bare);
    CHECK(bare->shard_id.empty());
    CHECK(bare->start_sequence_number.empty());
    CHECK(bare->batch_size == 0);
    CHECK(bare->timestamp_ms == 0);
}
