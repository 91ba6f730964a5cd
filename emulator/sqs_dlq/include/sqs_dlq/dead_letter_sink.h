#pragma once
// The Lambda runner's one door into SQS: enqueue the on-failure record of a discarded batch
// (docs/aws/sqs.md, The on-failure record) on a flow's dead-letter queue. No HTTP involved.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/aws_error.h"

namespace kemu::sqs_dlq {

enum class FailureCondition { kRetryAttemptsExhausted, kRecordAgeExceeded };

// "RetryAttemptsExhausted" or "RecordAgeExceeded", as the record's condition says it.
std::string_view failure_condition_name(FailureCondition condition);

// What Lambda writes for a Kinesis batch it gave up on. The records themselves are not part of
// it: a consumer re-reads the shard range (startSequenceNumber..endSequenceNumber).
struct FailureRecord {
    std::string queue_name;  // the flow's DLQ, e.g. dev-orders-dlq
    std::string request_id;  // the last attempt's request id
    std::string function_arn;
    FailureCondition condition = FailureCondition::kRetryAttemptsExhausted;
    int approximate_invoke_count = 1;
    // responseContext; absent for kRecordAgeExceeded.
    int status_code = 200;
    std::string executed_version = "$LATEST";
    std::optional<std::string> function_error = "Unhandled";  // nullopt renders JSON null
    int64_t timestamp_ms = 0;                                 // when the batch was discarded
    std::string shard_id;
    std::string start_sequence_number;
    std::string end_sequence_number;
    int64_t first_arrival_ms = 0;
    int64_t last_arrival_ms = 0;
    int batch_size = 0;
    std::string stream_arn;
};

// The JSON document AWS sends as the SQS message body (key order as AWS writes it).
std::string failure_record_json(const FailureRecord& record);

// Reads back what failure_record_json writes (queue_name stays empty: the queue is where the
// message was found). nullopt when `json` is not an on-failure record, that is not a JSON
// object with a KinesisBatchInfo object. A member missing or of the wrong type inside is left
// empty or zero (a timestamp that is not ISO-8601 with milliseconds too), for the caller to
// judge; a responseContext without functionError, or with null, gives nullopt.
std::optional<FailureRecord> parse_failure_record(std::string_view json);

class DeadLetterSink {
public:
    virtual ~DeadLetterSink() = default;
    // Enqueues the record on record.queue_name. Errors: QueueDoesNotExist.
    virtual Result<void> send(const FailureRecord& record) = 0;
};

}  // namespace kemu::sqs_dlq
