#include <ctime>
#include <nlohmann/json.hpp>

#include "sqs/dead_letter_sink.h"

namespace kemu::sqs {
namespace {

// 2024-06-10T14:55:02.118Z
std::string iso8601_ms(int64_t ms) {
    std::time_t secs = static_cast<std::time_t>(ms / 1000);
    std::tm tm{};
    gmtime_r(&secs, &tm);
    char buf[96];
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                  tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                  static_cast<int>(ms % 1000));
    return buf;
}

}  // namespace

std::string failure_record_json(const FailureRecord& r) {
    // ordered_json keeps AWS's key order, which operators reading the queue are used to.
    nlohmann::ordered_json j;
    j["requestContext"] = {
        {"requestId", r.request_id},
        {"functionArn", r.function_arn},
        {"condition", r.condition == FailureCondition::kRecordAgeExceeded ? "RecordAgeExceeded"
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
    j["timestamp"] = iso8601_ms(r.timestamp_ms);
    j["KinesisBatchInfo"] = {{"shardId", r.shard_id},
                             {"startSequenceNumber", r.start_sequence_number},
                             {"endSequenceNumber", r.end_sequence_number},
                             {"approximateArrivalOfFirstRecord", iso8601_ms(r.first_arrival_ms)},
                             {"approximateArrivalOfLastRecord", iso8601_ms(r.last_arrival_ms)},
                             {"batchSize", r.batch_size},
                             {"streamArn", r.stream_arn}};
    return j.dump();
}

}  // namespace kemu::sqs
