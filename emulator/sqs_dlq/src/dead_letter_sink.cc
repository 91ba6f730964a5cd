#include "sqs/dead_letter_sink.h"

#include <ctime>

#include <nlohmann/json.hpp>

#include "core/encoding.h"

namespace kemu::sqs {

std::string failure_record_json(const FailureRecord& r) {
    // ordered_json keeps AWS's key order, which operators reading the queue are used to.
    nlohmann::ordered_json j;
    j["requestContext"] = {{"requestId", r.request_id},
                           {"functionArn", r.function_arn},
                           {"condition", r.condition == FailureCondition::kRecordAgeExceeded
                                             ? "RecordAgeExceeded"
                                             : "RetryAttemptsExhausted"},
                           {"approximateInvokeCount", r.approximate_invoke_count}};
    if (r.condition != FailureCondition::kRecordAgeExceeded) {
        nlohmann::ordered_json rc;
        rc["statusCode"] = r.status_code;
        rc["executedVersion"] = r.executed_version;
        if (r.function_error) {
            rc["functionError"] = *r.function_error;
        } else {
            rc["functionError"] = nullptr;
        }
        j["responseContext"] = rc;
    }
    j["version"] = "1.0";
    j["timestamp"] = kemu::iso8601_ms(r.timestamp_ms);
    j["KinesisBatchInfo"] = {
        {"shardId", r.shard_id},
        {"startSequenceNumber", r.start_sequence_number},
        {"endSequenceNumber", r.end_sequence_number},
        {"approximateArrivalOfFirstRecord", kemu::iso8601_ms(r.first_arrival_ms)},
        {"approximateArrivalOfLastRecord", kemu::iso8601_ms(r.last_arrival_ms)},
        {"batchSize", r.batch_size},
        {"streamArn", r.stream_arn}};
    return j.dump();
}

}  // namespace kemu::sqs
