#pragma once
// One factory per AWS sentence the Kinesis engine and adapter answer with (texts as AWS words
// them; see docs/aws/kinesis.md, Errors). Nothing else in the module spells them.

#include <ctime>
#include <string>
#include <string_view>
#include <vector>

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

inline AwsError invalid_next_token() {
    return {AwsErrorCode::kInvalidArgument, "Invalid NextToken."};
}
inline AwsError next_token_expired() {
    return {AwsErrorCode::kExpiredNextToken, "The NextToken has expired."};
}
inline AwsError internal_failure() {
    return {AwsErrorCode::kInternalFailure, "Internal service failure."};
}
// A version-0 (old, small) StartingSequenceNumber: AWS answers a 500 whose body has only
// `__type`, no message.
inline AwsError old_sequence_number() {
    return {AwsErrorCode::kInternalFailure, ""};
}

// ---- CreateStream, resharding --------------------------------------------------------------

inline AwsError shard_count_required() {
    return {AwsErrorCode::kInvalidArgument,
            "ShardCount cannot be null when creating stream in PROVISIONED StreamMode"};
}
inline AwsError on_demand_stream_limit(const std::string& account, const std::string& region) {
    return {AwsErrorCode::kLimitExceeded,
            "This request would exceed the on-demand stream limit for the account " + account +
                " in " + region + "."};
}
inline AwsError bad_split_key(const StreamKey& k, const std::string& new_start,
                              const std::string& shard, const std::string& range_start,
                              const std::string& range_end) {
    return {AwsErrorCode::kInvalidArgument,
            "NewStartingHashKey " + new_start + " used in SplitShard() on shard " + shard + " in " +
                where(k) + " is not both greater than one plus the shard's StartingHashKey " +
                range_start + " and less than the shard's EndingHashKey " + range_end + "."};
}
inline AwsError not_adjacent(const StreamKey& k, const std::string& a, const std::string& b) {
    return {AwsErrorCode::kInvalidArgument,
            "Shards " + a + " and " + b + " in " + where(k) +
                " are not an adjacent pair of shards eligible for merging"};
}
inline AwsError scale_up_limit(int open, int target) {
    return {AwsErrorCode::kLimitExceeded,
            "UpdateShardCount cannot scale up over double your current open shard count. "
            "Current open shard count: " +
                std::to_string(open) + " Target shard count: " + std::to_string(target)};
}
inline AwsError scale_down_limit(int open, int target) {
    return {AwsErrorCode::kLimitExceeded,
            "UpdateShardCount cannot scale down below half your current open shard count. "
            "Current open shard count: " +
                std::to_string(open) + " Target shard count: " + std::to_string(target)};
}

// ---- retention, tags -----------------------------------------------------------------------

inline AwsError retention_too_short(int hours) {
    return {AwsErrorCode::kInvalidArgument,
            "Minimum allowed retention period is 24 hours. Requested retention period (" +
                std::to_string(hours) + " hours) is too short."};
}
inline AwsError retention_too_long(int hours) {
    return {AwsErrorCode::kInvalidArgument,
            "Maximum allowed retention period is 8760 hours. Requested retention period (" +
                std::to_string(hours) + " hours) is too long."};
}
inline AwsError retention_not_longer(const StreamKey& k, int hours, int current) {
    return {AwsErrorCode::kInvalidArgument,
            "Requested retention period (" + std::to_string(hours) + " hours) for stream " +
                k.name + " can not be shorter than existing retention period (" +
                std::to_string(current) + " hours). Use DecreaseRetentionPeriod API."};
}
inline AwsError retention_not_shorter(const StreamKey& k, int hours, int current) {
    return {AwsErrorCode::kInvalidArgument,
            "Requested retention period (" + std::to_string(hours) + " hours) for stream " +
                k.name + " can not be longer than existing retention period (" +
                std::to_string(current) + " hours). Use IncreaseRetentionPeriod API."};
}
// AWS allows 50 tags per stream, but its refusal still names the old limit of 10: the text is
// AWS's, word for word (kinesalite, written against AWS, keeps the same), so clients matching
// it keep working. See docs/aws/kinesis.md, Tags.
inline AwsError too_many_tags(const StreamKey& k) {
    return {AwsErrorCode::kInvalidArgument,
            "Failed to add tags to stream " + k.name + " under account " + k.account +
                " because a given stream cannot have more than 10 tags associated with it."};
}

// ---- iterators -----------------------------------------------------------------------------

// A time as Java's Date.toString() prints it in UTC, as AWS's iterator messages do.
inline std::string java_date(int64_t ms) {
    std::time_t t = static_cast<std::time_t>(ms / 1000);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[64];
    std::strftime(buf, sizeof buf, "%a %b %d %H:%M:%S UTC %Y", &tm);
    return buf;
}
inline AwsError iterator_expired(int64_t created_ms, int64_t now) {
    return {AwsErrorCode::kExpiredIterator,
            "Iterator expired. The iterator was created at time " + java_date(created_ms) +
                " while right now it is " + java_date(now) +
                " which is further in the future than the tolerated delay of 300000 "
                "milliseconds."};
}
// `type` is the ShardIteratorType; `tail` says what came with it.
inline AwsError must_either(std::string_view type, const char* tail) {
    return {AwsErrorCode::kInvalidArgument,
            "Must either specify (1) AT_SEQUENCE_NUMBER or AFTER_SEQUENCE_NUMBER and "
            "StartingSequenceNumber or (2) TRIM_HORIZON or LATEST and no "
            "StartingSequenceNumber. Request specified " +
                std::string(type) + tail};
}
// `because` is empty or starts with a space.
inline AwsError bad_starting_sequence(const StreamKey& k, const std::string& value,
                                      const std::string& shard, std::string_view because) {
    return {AwsErrorCode::kInvalidArgument,
            "StartingSequenceNumber " + value + " used in GetShardIterator on shard " + shard +
                " in " + where(k) + " is invalid" + std::string(because) + "."};
}
inline AwsError sequence_of_other_shard(const std::string& encoded, const std::string& shard) {
    return {AwsErrorCode::kInvalidArgument,
            "Invalid StartingSequenceNumber. It encodes " + encoded +
                ", while it was used in a call to a shard with " + shard};
}
inline AwsError timestamp_required() {
    return {AwsErrorCode::kInvalidArgument,
            "Must specify timestampInMillis parameter for iterator of type AT_TIMESTAMP. "
            "Current request has no timestamp parameter."};
}
inline AwsError timestamp_in_future(int64_t t, int64_t now) {
    return {AwsErrorCode::kInvalidArgument,
            "The timestampInMillis parameter cannot be greater than the "
            "currentTimestampInMillis. timestampInMillis: " +
                std::to_string(t) + ", currentTimestampInMillis: " + std::to_string(now)};
}

// ---- request arguments (the wire adapter) ------------------------------------------------------

// `other` is the member that came with NextToken.
inline AwsError next_token_and(std::string_view other) {
    return {AwsErrorCode::kInvalidArgument,
            "NextToken and " + std::string(other) + " cannot be provided together."};
}
inline AwsError stream_name_or_token_required() {
    return {AwsErrorCode::kInvalidArgument, "Either NextToken or StreamName should be provided."};
}
inline AwsError filter_shard_required() {
    return {AwsErrorCode::kInvalidArgument,
            "Must specify ShardId in ShardFilter when Type is AFTER_SHARD_ID."};
}
inline AwsError filter_timestamp_required(const std::string& type) {
    return {AwsErrorCode::kInvalidArgument,
            "Must specify Timestamp in ShardFilter when Type is " + type + "."};
}
inline AwsError arn_and_name_differ(const std::string& arn, const std::string& name) {
    return {AwsErrorCode::kInvalidArgument,
            "StreamARN " + arn + " and StreamName " + name + " refer to different streams."};
}
inline AwsError invalid_stream_arn() {
    return {AwsErrorCode::kInvalidArgument, "Invalid StreamARN."};
}
inline AwsError bad_ordering_number(const StreamKey& k, const std::string& v) {
    return {AwsErrorCode::kInvalidArgument, "ExclusiveMinimumSequenceNumber " + v +
                                                " used in PutRecord on stream " + k.name +
                                                " under account " + k.account + " is invalid."};
}
inline AwsError record_too_large() {
    return {AwsErrorCode::kInvalidArgument,
            "The size of the record (data and partition key) exceeds 1 MiB."};
}
inline AwsError records_too_large() {
    return {AwsErrorCode::kInvalidArgument, "Records size exceeds 5 MB limit"};
}
inline AwsError shard_count_above_max(int target) {
    return {AwsErrorCode::kLimitExceeded,
            "UpdateShardCount cannot scale above 10000 shards. Target shard count: " +
                std::to_string(target)};
}
inline AwsError encryption_none() {
    return {AwsErrorCode::kInvalidArgument,
            "Encryption type NONE is not supported for this operation."};
}
// A '%' in a tag key or value.
inline AwsError tag_percent(const StreamKey& k, bool adding) {
    return {AwsErrorCode::kInvalidArgument,
            std::string(adding ? "Failed to add tags to stream "
                               : "Failed to remove tags from stream ") +
                k.name + " under account " + k.account +
                " because some tags contained illegal characters. The allowed characters are "
                "Unicode letters, white-spaces, '_',',','/','=','+','-','@'."};
}
inline AwsError tag_characters() {
    return {AwsErrorCode::kInvalidArgument,
            "Some tags contain invalid characters. Valid characters: Unicode letters, digits, "
            "white space, _ . / = + - % @."};
}

// ---- authentication (structure only; signatures are not verified) ---------------------------

inline AwsError signature_twice() {
    return {AwsErrorCode::kInvalidSignature,
            "Found both 'X-Amz-Algorithm' as a query-string param and 'Authorization' as HTTP "
            "header."};
}
inline AwsError missing_authentication_token() {
    return {AwsErrorCode::kMissingAuthenticationToken, "Missing Authentication Token"};
}
// What an Authorization header lacks, each part a sentence of its own, in AWS's order.
inline AwsError incomplete_authorization_header(bool credential, bool signature,
                                                bool signed_headers, bool date,
                                                std::string_view header) {
    std::string msg;
    if (!credential) msg += "Authorization header requires 'Credential' parameter. ";
    if (!signature) msg += "Authorization header requires 'Signature' parameter. ";
    if (!signed_headers) msg += "Authorization header requires 'SignedHeaders' parameter. ";
    if (!date) {
        msg +=
            "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' "
            "header. ";
    }
    return {AwsErrorCode::kIncompleteSignature, msg + "Authorization=" + std::string(header)};
}
// `missing`: the query-string parameters absent or empty, in AWS's order.
inline AwsError incomplete_query_signature(const std::vector<std::string_view>& missing) {
    std::string msg;
    for (auto p : missing)
        msg += "AWS query-string parameters must include '" + std::string(p) + "'. ";
    return {AwsErrorCode::kIncompleteSignature, msg + "Re-examine the query-string parameters."};
}
// The pipeline's answer to a method other than POST, or an unusable target.
inline constexpr std::string_view kUnknownServiceOperation =
    "Unable to determine service/operation name to be authorized";

// ---- consumers and subscriptions -----------------------------------------------------------

inline AwsError consumer_exists(const std::string& name) {
    return {AwsErrorCode::kResourceInUse, "Consumer " + name + " exists"};
}
inline AwsError too_many_consumers(int limit) {
    return {AwsErrorCode::kLimitExceeded,
            "Only " + std::to_string(limit) + " consumers can be registered to a stream at once"};
}
inline AwsError too_many_creating_consumers(int limit) {
    return {AwsErrorCode::kLimitExceeded,
            "Only " + std::to_string(limit) + " consumers can be created at the same time"};
}
inline AwsError consumer_arn_conflict(const std::string& arn) {
    return {AwsErrorCode::kInvalidArgument,
            "ConsumerARN " + arn + " does not match the given StreamARN or ConsumerName."};
}
inline AwsError consumer_identity_required() {
    return {AwsErrorCode::kInvalidArgument,
            "ConsumerArn or both ConsumerName and StreamARN are required for this request."};
}
inline AwsError subscribe_rate_exceeded(const std::string& consumer_arn, const std::string& shard) {
    return {AwsErrorCode::kLimitExceeded,
            "Rate exceeded for consumer " + consumer_arn + " and shard " + shard};
}
inline AwsError subscription_in_use(const StreamKey& k, const std::string& shard,
                                    const std::string& consumer) {
    return {AwsErrorCode::kResourceInUse,
            "Another active subscription exists for this consumer: " + k.account + ":" + k.name +
                ":" + shard + ":" + consumer};
}

}  // namespace kemu::kinesis::errors
