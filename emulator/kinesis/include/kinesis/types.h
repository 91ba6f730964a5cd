#pragma once
// Plain values the Kinesis engine exchanges with its adapters and readers.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "kinesis/numbers.h"

namespace kemu::kinesis {

// Where a stream lives: account and region (from the request's credentials) and its name.
struct StreamKey {
    std::string account;
    std::string region;
    std::string name;
};

enum class StreamStatus { kCreating, kActive, kUpdating, kDeleting };
std::string_view to_string(StreamStatus s);

enum class StreamMode { kProvisioned, kOnDemand };
std::string_view to_string(StreamMode m);

struct ShardDesc {
    int index = 0;
    std::optional<int> parent;
    std::optional<int> adjacent_parent;
    HashRange range{};
    std::string starting_sequence;
    std::optional<std::string> ending_sequence;  // set once the shard is closed
    int64_t created_ms = 0;                      // when the shard opened
    std::optional<int64_t> closed_ms;
    bool open() const { return !ending_sequence.has_value(); }
};

struct StreamDesc {
    std::string name;
    std::string arn;
    StreamStatus status = StreamStatus::kActive;
    StreamMode mode = StreamMode::kProvisioned;
    int64_t creation_secs = 0;  // StreamCreationTimestamp (whole seconds)
    int retention_hours = 24;
    std::vector<std::string> shard_level_metrics;
    bool encrypted = false;
    std::string key_id;
    std::vector<ShardDesc> shards;  // unexpired, index order; empty while CREATING
    int open_shard_count = 0;
    int consumer_count = 0;
};

struct Tag {
    std::string key;
    std::string value;
};

struct PutInput {
    std::string_view partition_key;
    std::optional<u128> explicit_hash_key;
    std::string_view data;
};

struct PutResult {
    std::string shard_id;
    std::string sequence_number;
    bool encrypted = false;
};

// One entry of a PutRecords answer: either a shard and sequence number, or an error.
struct PutEntryResult {
    std::string shard_id;
    std::string sequence_number;
    std::string error_code;  // empty on success
    std::string error_message;
};

struct PutBatchResult {
    std::vector<PutEntryResult> records;  // request order
    int failed = 0;
    bool encrypted = false;
};

enum class IteratorType {
    kAtSequenceNumber,
    kAfterSequenceNumber,
    kTrimHorizon,
    kLatest,
    kAtTimestamp
};

struct IteratorStart {
    IteratorType type = IteratorType::kTrimHorizon;
    std::optional<std::string> sequence_number;
    std::optional<int64_t> timestamp_ms;
};

struct Record {
    std::string sequence_number;
    int64_t arrival_ms = 0;
    std::string partition_key;
    std::string data;
    bool encrypted = false;
};

struct ChildShard {
    std::string shard_id;
    std::vector<std::string> parent_shards;
    HashRange range{};
};

struct ReadBatch {
    std::vector<Record> records;
    std::optional<std::string> next_iterator;  // absent once a closed shard is drained
    int64_t millis_behind_latest = 0;
    std::vector<ChildShard> child_shards;  // set when next_iterator is absent
};

// Enhanced fan-out consumers (docs/aws/kinesis.md, Enhanced fan-out: consumers).
enum class ConsumerStatus { kCreating, kActive, kDeleting };
std::string_view to_string(ConsumerStatus s);

struct ConsumerDesc {
    std::string name;
    std::string arn;  // {StreamARN}/consumer/{name}:{creation epoch seconds}
    ConsumerStatus status = ConsumerStatus::kCreating;
    int64_t created_ms = 0;
    std::string stream_arn;
};

// One SubscribeToShard read (Store::read_for_subscription).
struct SubscriptionRead {
    std::vector<Record> records;
    std::optional<std::string> next_iterator;  // absent once a closed shard is drained
    // The last record delivered, or before any: the last record preceding the position, else
    // the shard's starting sequence number. Resuming AFTER it neither skips nor repeats.
    std::string continuation;
    int64_t millis_behind_latest = 0;
    bool more = false;                     // a cap was hit: more records are readable now
    std::vector<ChildShard> child_shards;  // set when next_iterator is absent
};

struct StreamSummary {
    std::string name;
    std::string arn;
    StreamStatus status;
    StreamMode mode;
    int64_t creation_secs;
};

// Stream-level CloudWatch metrics (namespace AWS/Kinesis, dimension StreamName), counted since
// kemu started.
struct StreamMetrics {
    int64_t incoming_records = 0;                 // IncomingRecords
    int64_t incoming_bytes = 0;                   // IncomingBytes (data bytes)
    int64_t write_throttled = 0;                  // WriteProvisionedThroughputExceeded (records)
    int64_t read_throttled = 0;                   // ReadProvisionedThroughputExceeded (calls)
    int64_t get_records_calls = 0;                // GetRecords.Success
    int64_t get_records_records = 0;              // GetRecords.Records
    int64_t get_records_iterator_age_ms = 0;      // GetRecords.IteratorAgeMilliseconds, last call
    int64_t get_records_iterator_age_ms_max = 0;  // ... its maximum
};

struct Limits {
    int shard_limit;
    int open_shard_count;
    int on_demand_stream_count;
    int on_demand_stream_count_limit;
};

}  // namespace kemu::kinesis
