#pragma once
// One factory per AWS sentence (spec/kinesis.md §3–§4). Nothing else in the module spells them.

#include <string>

#include "core/aws_error.h"
#include "kinesis/types.h"

namespace kemu::kinesis::errors {

inline std::string where(const StreamKey& k) {
    return "stream " + k.name + " under account " + k.account;
}

inline AwsError stream_not_found(const StreamKey& k) {
    return {AwsErrorCode::kResourceNotFound,
            "Stream " + k.name + " under account " + k.account + " not found."};
}
inline AwsError stream_exists(const StreamKey& k) {
    return {AwsErrorCode::kResourceInUse,
            "Stream " + k.name + " under account " + k.account + " already exists."};
}
inline AwsError not_active(const StreamKey& k, std::string_view status) {
    return {AwsErrorCode::kResourceInUse, "Stream " + k.name + " under account " + k.account +
                                              " not ACTIVE, instead in state " +
                                              std::string(status)};
}
inline AwsError could_not_find_shard(const StreamKey& k, std::string_view given) {
    return {AwsErrorCode::kResourceNotFound,
            "Could not find shard " + std::string(given) + " in " + where(k) + "."};
}
inline AwsError shard_does_not_exist(const StreamKey& k, const std::string& shard) {
    return {AwsErrorCode::kResourceNotFound,
            "Shard " + shard + " in " + where(k) + " does not exist"};
}
inline AwsError shard_limit(const std::string& account, const std::string& region, int open,
                            int limit, int n) {
    return {AwsErrorCode::kLimitExceeded,
            "This request would exceed the shard limit for the account " + account + " in " +
                region + ". Current shard count for the account: " + std::to_string(open) +
                ". Limit: " + std::to_string(limit) +
                ". Number of additional shards that would have resulted from this request: " +
                std::to_string(n) +
                ". Refer to the AWS Service Limits page "
                "(http://docs.aws.amazon.com/general/latest/gr/aws_service_limits.html) for "
                "current limits and how to request higher limits."};
}
inline AwsError on_demand(const StreamKey& k) {
    return {AwsErrorCode::kValidation, "Request is invalid. Stream " + k.name + " under account " +
                                           k.account + " is in On-Demand mode."};
}
inline AwsError shard_closed(const StreamKey& k, const std::string& shard) {
    return {AwsErrorCode::kInvalidArgument,
            "Shard " + shard + " in " + where(k) +
                " has already been merged or split, and thus is not eligible for merging or "
                "splitting."};
}
inline std::string rate_exceeded_text(const StreamKey& k, const std::string& shard) {
    return "Rate exceeded for shard " + shard + " in " + where(k) + ".";
}
inline AwsError rate_exceeded(const StreamKey& k, const std::string& shard) {
    return {AwsErrorCode::kProvisionedThroughputExceeded, rate_exceeded_text(k, shard)};
}
inline AwsError invalid_iterator() {
    return {AwsErrorCode::kInvalidArgument, "Invalid ShardIterator."};
}
inline AwsError invalid_explicit_hash_key(const std::string& v) {
    return {AwsErrorCode::kInvalidArgument,
            "Invalid ExplicitHashKey. ExplicitHashKey must be in the range: [0, 2^128-1]. "
            "Specified value was " +
                v};
}

inline AwsError consumer_not_found(const std::string& arn_or_name, const std::string& account) {
    return {AwsErrorCode::kResourceNotFound,
            "Consumer " + arn_or_name + ", account " + account + " not found."};
}
inline AwsError consumer_not_active(const std::string& name, int64_t created_ms,
                                    const StreamKey& k) {
    return {AwsErrorCode::kResourceInUse, "Consumer " + name + " with creation timestamp " +
                                              std::to_string(created_ms / 1000) +
                                              " under stream: " + k.name + " , account " +
                                              k.account + " is not in ACTIVE status."};
}
inline AwsError stream_has_consumers(const StreamKey& k) {
    return {AwsErrorCode::kResourceInUse,
            "Stream " + k.name + " under account " + k.account + " has registered consumers."};
}

}  // namespace kemu::kinesis::errors
