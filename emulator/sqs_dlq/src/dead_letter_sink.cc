// AWS's on-failure record for a Kinesis event source (see docs/aws/sqs.md, The on-failure
// record), written and read back.

#include "sqs_dlq/dead_letter_sink.h"

#include <cstdio>
#include <ctime>

#include <nlohmann/json.hpp>

#include "core/encoding.h"

namespace kemu::sqs_dlq {

std::string_view failure_condition_name(FailureCondition condition) {
    return condition == FailureCondition::kRecordAgeExceeded ? "RecordAgeExceeded"
                                                             : "RetryAttemptsExhausted";
}

std::string failure_record_json(const FailureRecord& r) {
    // ordered_json keeps AWS's key order, which operators reading the queue are used to.
    nlohmann::ordered_json j;
    j["requestContext"] = {{"requestId", r.request_id},
                           {"functionArn", r.function_arn},
                           {"condition", failure_condition_name(r.condition)},
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

namespace {

// "2024-06-10T14:55:02.118Z", as iso8601_ms writes it; 0 for anything else.
int64_t parse_iso8601_ms(const std::string& text) {
    std::tm tm{};
    int ms = 0;
    char z = 0;
    if (text.size() != 24 ||
        std::sscanf(text.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d.%3d%c", &tm.tm_year, &tm.tm_mon,
                    &tm.tm_mday, &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &ms, &z) != 8 ||
        z != 'Z')
        return 0;
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    return int64_t{timegm(&tm)} * 1000 + ms;
}

std::string string_member(const nlohmann::json& j, const char* key) {
    auto it = j.find(key);
    return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

int int_member(const nlohmann::json& j, const char* key) {
    auto it = j.find(key);
    return it != j.end() && it->is_number_integer() ? it->get<int>() : 0;
}

// A member that should be an object, or an empty one.
const nlohmann::json& object_member(const nlohmann::json& j, const char* key) {
    static const nlohmann::json kEmpty = nlohmann::json::object();
    auto it = j.find(key);
    return it != j.end() && it->is_object() ? *it : kEmpty;
}

}  // namespace

std::optional<FailureRecord> parse_failure_record(std::string_view text) {
    auto j = nlohmann::json::parse(text, nullptr, false);
    if (j.is_discarded() || !j.is_object()) return std::nullopt;
    auto info_it = j.find("KinesisBatchInfo");
    if (info_it == j.end() || !info_it->is_object()) return std::nullopt;
    const auto& info = *info_it;
    const auto& request = object_member(j, "requestContext");
    FailureRecord r;
    r.request_id = string_member(request, "requestId");
    r.function_arn = string_member(request, "functionArn");
    r.condition = string_member(request, "condition") ==
                          failure_condition_name(FailureCondition::kRecordAgeExceeded)
                      ? FailureCondition::kRecordAgeExceeded
                      : FailureCondition::kRetryAttemptsExhausted;
    r.approximate_invoke_count = int_member(request, "approximateInvokeCount");
    const auto& response = object_member(j, "responseContext");
    r.status_code = int_member(response, "statusCode");
    r.executed_version = string_member(response, "executedVersion");
    auto error = response.find("functionError");
    r.function_error = error != response.end() && error->is_string()
                           ? std::optional<std::string>(error->get<std::string>())
                           : std::nullopt;
    r.timestamp_ms = parse_iso8601_ms(string_member(j, "timestamp"));
    r.shard_id = string_member(info, "shardId");
    r.start_sequence_number = string_member(info, "startSequenceNumber");
    r.end_sequence_number = string_member(info, "endSequenceNumber");
    r.first_arrival_ms = parse_iso8601_ms(string_member(info, "approximateArrivalOfFirstRecord"));
    r.last_arrival_ms = parse_iso8601_ms(string_member(info, "approximateArrivalOfLastRecord"));
    r.batch_size = int_member(info, "batchSize");
    r.stream_arn = string_member(info, "streamArn");
    return r;
}

}  // namespace kemu::sqs_dlq
