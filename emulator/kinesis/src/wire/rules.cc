#include "rules.h"

#include <map>
#include <string>

#include "core/kinesis_metrics.h"

namespace kemu::kinesis::wire {
namespace {

using T = FieldType;

FieldRule stream_name() {
    FieldRule r{"StreamName"};
    r.min_len = 1;
    r.max_len = 128;
    r.pattern = &kStreamNamePattern;
    r.stream_name = true;
    return r;
}
FieldRule optional_stream_name() {
    auto r = stream_name();
    r.stream_name = false;
    return r;
}
FieldRule stream_arn() {
    FieldRule r{"StreamARN"};
    r.min_len = 1;
    r.max_len = 2048;
    r.pattern = &kStreamArnPattern;
    return r;
}
FieldRule shard_id(const char* name, bool required) {
    FieldRule r{name};
    r.required = required;
    r.min_len = 1;
    r.max_len = 128;
    r.pattern = &kShardIdPattern;
    return r;
}
FieldRule integer(const char* name, bool required, long long lo, long long hi = LLONG_MAX) {
    FieldRule r{name, T::kInteger};
    r.required = required;
    r.min_value = lo;
    r.max_value = hi;
    return r;
}
FieldRule text(const char* name, bool required, long lo, long hi,
               const Pattern* pattern = nullptr) {
    FieldRule r{name};
    r.required = required;
    r.min_len = lo;
    r.max_len = hi;
    r.pattern = pattern;
    return r;
}
FieldRule enumeration(const char* name, bool required, std::vector<std::string> values) {
    FieldRule r{name};
    r.required = required;
    r.enum_values = std::move(values);
    return r;
}
FieldRule typed(const char* name, T type) {
    return FieldRule(name, type);
}

FieldRule data(bool required) {
    FieldRule r{"Data", T::kBlob};
    r.required = required;
    r.max_len = 1048576;
    return r;
}
FieldRule partition_key() {
    return text("PartitionKey", true, 1, 256);
}
FieldRule explicit_hash_key() {
    return text("ExplicitHashKey", false, -1, -1, &kHashKeyPattern);
}

using RuleMap = std::map<std::string, Rules, std::less<>>;

// Tags on CreateStream, AddTagsToStream, RegisterStreamConsumer: 1-200 entries a call.
FieldRule tags() {
    FieldRule r{"Tags", T::kMap};
    r.min_len = 1;
    r.max_len = 200;
    return r;
}

// Streams: create, delete, describe, list.
void add_stream_rules(RuleMap& m) {
    FieldRule mode{"StreamModeDetails", T::kStruct};
    mode.members = {enumeration("StreamMode", true, {"PROVISIONED", "ON_DEMAND"})};
    auto create_tags = tags();
    auto create_name = stream_name();
    create_name.required = true;  // CreateStream has no StreamARN to stand in for it
    m["CreateStream"] = {integer("ShardCount", false, 1, 100000),
                         create_name,
                         mode,
                         create_tags,
                         typed("WarmThroughputMiBps", T::kInteger),
                         integer("MaxRecordSizeInKiB", false, 1024, 10240)};
    m["DeleteStream"] = {stream_name(), typed("EnforceConsumerDeletion", T::kBoolean), stream_arn(),
                         typed("StreamId", T::kString)};
    m["DescribeStream"] = {integer("Limit", false, 1, 10000),
                           shard_id("ExclusiveStartShardId", false), stream_name(), stream_arn(),
                           typed("StreamId", T::kString)};
    m["DescribeStreamSummary"] = {stream_name(), stream_arn(), typed("StreamId", T::kString)};
    m["ListStreams"] = {integer("Limit", false, 1, 10000),
                        text("ExclusiveStartStreamName", false, 1, 128, &kStreamNamePattern),
                        text("NextToken", false, 1, 1048576)};
    FieldRule filter{"ShardFilter", T::kStruct};
    filter.members = {enumeration("Type", true,
                                  {"AFTER_SHARD_ID", "AT_TRIM_HORIZON", "FROM_TRIM_HORIZON",
                                   "AT_LATEST", "AT_TIMESTAMP", "FROM_TIMESTAMP"}),
                      shard_id("ShardId", false), typed("Timestamp", T::kTimestamp)};
    m["ListShards"] = {shard_id("ExclusiveStartShardId", false),
                       integer("MaxResults", false, 1, 10000),
                       text("NextToken", false, 1, 1048576),
                       typed("StreamCreationTimestamp", T::kTimestamp),
                       optional_stream_name(),
                       filter,
                       stream_arn(),
                       typed("StreamId", T::kString)};
}

void add_record_rules(RuleMap& m) {
    m["PutRecord"] = {text("SequenceNumberForOrdering", false, -1, -1, &kSequenceNumberPattern),
                      partition_key(),
                      explicit_hash_key(),
                      data(true),
                      stream_name(),
                      stream_arn(),
                      typed("StreamId", T::kString)};
    FieldRule records{"Records", T::kList};
    records.required = true;
    records.min_len = 1;
    records.max_len = 500;
    records.members = {partition_key(), explicit_hash_key(), data(true)};
    records.entry_type = "com.amazonaws.kinesis.v20131202.PutRecordsRequestEntry";
    m["PutRecords"] = {records, stream_name(), stream_arn(), typed("StreamId", T::kString)};
    m["GetShardIterator"] = {shard_id("ShardId", true),
                             enumeration("ShardIteratorType", true,
                                         {"AFTER_SEQUENCE_NUMBER", "LATEST", "AT_TIMESTAMP",
                                          "AT_SEQUENCE_NUMBER", "TRIM_HORIZON"}),
                             text("StartingSequenceNumber", false, -1, -1, &kSequenceNumberPattern),
                             stream_name(),
                             typed("Timestamp", T::kTimestamp),
                             stream_arn(),
                             typed("StreamId", T::kString)};
    m["GetRecords"] = {integer("Limit", false, 1, 10000), text("ShardIterator", true, 1, 512),
                       stream_arn(), typed("StreamId", T::kString)};
}

// Resharding and settings: retention, tags, encryption, monitoring, limits.
void add_setting_rules(RuleMap& m) {
    m["SplitShard"] = {text("NewStartingHashKey", true, -1, -1, &kHashKeyPattern), stream_name(),
                       shard_id("ShardToSplit", true), stream_arn(), typed("StreamId", T::kString)};
    m["MergeShards"] = {shard_id("ShardToMerge", true), shard_id("AdjacentShardToMerge", true),
                        stream_name(), stream_arn(), typed("StreamId", T::kString)};
    m["UpdateShardCount"] = {integer("TargetShardCount", true, 1),
                             enumeration("ScalingType", true, {"UNIFORM_SCALING"}), stream_name(),
                             stream_arn(), typed("StreamId", T::kString)};
    Rules retention = {integer("RetentionPeriodHours", true, 1), stream_name(), stream_arn(),
                       typed("StreamId", T::kString)};
    m["IncreaseStreamRetentionPeriod"] = retention;
    m["DecreaseStreamRetentionPeriod"] = retention;
    auto add_tags = tags();
    add_tags.required = true;
    m["AddTagsToStream"] = {add_tags, stream_name(), stream_arn(), typed("StreamId", T::kString)};
    FieldRule tag_keys{"TagKeys", T::kList};
    tag_keys.required = true;
    tag_keys.min_len = 1;
    tag_keys.max_len = 50;
    tag_keys.element_constraint =
        "Member must satisfy constraint: [Member must have length less than or equal to 128, "
        "Member must have length greater than or equal to 1]";
    m["RemoveTagsFromStream"] = {tag_keys, stream_name(), stream_arn(),
                                 typed("StreamId", T::kString)};
    m["ListTagsForStream"] = {integer("Limit", false, 1, 50),
                              text("ExclusiveStartTagKey", false, 1, 128), stream_name(),
                              stream_arn(), typed("StreamId", T::kString)};
    Rules encryption = {enumeration("EncryptionType", true, {"NONE", "KMS"}),
                        text("KeyId", true, 1, 2048), stream_name(), stream_arn(),
                        typed("StreamId", T::kString)};
    m["StartStreamEncryption"] = encryption;
    m["StopStreamEncryption"] = encryption;
    FieldRule metrics{"ShardLevelMetrics", T::kList};
    metrics.required = true;
    metrics.min_len = 1;
    metrics.max_len = static_cast<long>(kKinesisShardLevelMetrics.size());  // AWS: 1-7 names
    Rules monitoring = {metrics, stream_name(), stream_arn(), typed("StreamId", T::kString)};
    m["EnableEnhancedMonitoring"] = monitoring;
    m["DisableEnhancedMonitoring"] = monitoring;
    m["DescribeLimits"] = {};
}

// Enhanced fan-out: the consumer actions and SubscribeToShard.
void add_consumer_rules(RuleMap& m) {
    auto required_arn = stream_arn();
    required_arn.required = true;
    auto consumer_name = [](bool required) {
        return text("ConsumerName", required, 1, 128, &kConsumerNamePattern);
    };
    auto consumer_arn = [](bool required) {
        return text("ConsumerARN", required, 1, 2048, &kConsumerArnPattern);
    };
    m["RegisterStreamConsumer"] = {required_arn, consumer_name(true), tags(),
                                   typed("StreamId", T::kString)};
    Rules lookup = {stream_arn(), consumer_name(false), consumer_arn(false),
                    typed("StreamId", T::kString)};
    m["DescribeStreamConsumer"] = lookup;
    m["DeregisterStreamConsumer"] = lookup;
    m["ListStreamConsumers"] = {
        required_arn, text("NextToken", false, 1, 1048576), integer("MaxResults", false, 1, 10000),
        typed("StreamCreationTimestamp", T::kTimestamp), typed("StreamId", T::kString)};
    FieldRule position{"StartingPosition", T::kStruct};
    position.required = true;
    position.members = {enumeration("Type", true,
                                    {"AFTER_SEQUENCE_NUMBER", "LATEST", "AT_TIMESTAMP",
                                     "AT_SEQUENCE_NUMBER", "TRIM_HORIZON"}),
                        text("SequenceNumber", false, -1, -1, &kSequenceNumberPattern),
                        typed("Timestamp", T::kTimestamp)};
    m["SubscribeToShard"] = {consumer_arn(true), shard_id("ShardId", true), position,
                             typed("StreamId", T::kString)};
}

RuleMap make_rules() {
    RuleMap m;
    add_stream_rules(m);
    add_record_rules(m);
    add_setting_rules(m);
    add_consumer_rules(m);
    return m;
}

}  // namespace

const Rules* rules_for(std::string_view action) {
    static const auto kRules = make_rules();
    auto it = kRules.find(action);
    return it == kRules.end() ? nullptr : &it->second;
}

}  // namespace kemu::kinesis::wire
