#pragma once
// kinesis::Store: streams, shards and records in RocksDB. No HTTP, no JSON.
//
// Thread-safe. Control-plane calls take a per-stream exclusive lock; appends take the stream's
// shared lock, draw their index under the lock of their shard group, write outside it and
// publish the group's visible end; readers stop there, so a reader never sees sequence N+1
// before N. A record is acknowledged only after its write returned (WAL on: it survives
// `kill -9`).
//
// Status transitions (CREATING→ACTIVE, UPDATING→ACTIVE, DELETING→gone) are applied lazily when
// their delay has passed, on the next call that touches the stream; with the default delay of 0
// they are immediate.
//
// Errors: every call returns Result<T>; the AwsErrorCodes are those AWS returns for the action
// (ResourceNotFound, ResourceInUse, InvalidArgument, LimitExceeded, Validation,
// ExpiredIterator, ProvisionedThroughputExceeded, InternalFailure), with AWS's message text.

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/aws_error.h"
#include "core/clock.h"
#include "core/db.h"
#include "kinesis/types.h"

namespace kemu::kinesis {

struct StoreOptions {
    int64_t create_delay_ms = 0;      // Default: 0 (AWS: seconds; kinesalite 500 ms)
    int64_t delete_delay_ms = 0;      // Default: 0
    int64_t update_delay_ms = 0;      // Default: 0 (split, merge, shard count, encryption)
    int shard_limit = 500;            // Default: 500 open shards per account and region
    int on_demand_stream_limit = 50;  // Default: 50
    bool shard_limits =
        false;  // Default: off. Per-shard throughput limits (docs/aws/kinesis.md, Limits).
    int64_t consumer_delay_ms = 500;  // Default: 500. CREATING → ACTIVE and DELETING → gone.
    int max_consumers = 20;           // Default: 20 registered consumers per stream
    int max_creating_consumers = 5;   // Default: 5 consumers CREATING at once per stream
};

// What a stream reader may do: all the Lambda runner uses.
class Reader {
public:
    virtual ~Reader() = default;
    // Unexpired shards in index order. ResourceNotFound when the stream does not exist.
    virtual Result<std::vector<ShardDesc>> shards(const StreamKey& key) = 0;
    // An opaque iterator token (valid 300 s, and across restarts). `shard` is parsed leniently.
    virtual Result<std::string> get_shard_iterator(const StreamKey& key, std::string_view shard,
                                                   const IteratorStart& start) = 0;
    // Up to `limit` records (1..10000, at most 10 MiB, at least one if any) from the iterator's
    // position. Empty is not an error. The next iterator is fresh even when nothing was read.
    virtual Result<ReadBatch> get_records(std::string_view iterator, int limit) = 0;
    // Calls `fn` (on the appending thread, after the write) whenever records are appended to
    // the stream. `fn` must be quick and must not call back into the store. Returns an id for
    // unsubscribe_from_appends.
    virtual uint64_t subscribe_to_appends(const StreamKey& key, std::function<void()> fn) = 0;
    virtual void unsubscribe_from_appends(uint64_t id) = 0;
};

class Store : public Reader {
public:
    Store(Db& db, const Clock& clock, StoreOptions options);
    ~Store() override;

    // Loads streams and sequence counters from the database; finishes pending transitions.
    // Throws on a corrupt database (a bug or broken storage, not client input).
    void load();

    Result<void> create_stream(const StreamKey& key, std::optional<int> shard_count,
                               std::optional<StreamMode> mode, const std::vector<Tag>& tags);
    Result<void> delete_stream(const StreamKey& key, bool enforce_consumer_deletion);
    Result<StreamDesc> describe_stream(const StreamKey& key);
    // Streams of the account and region in byte order of their names.
    std::vector<StreamSummary> list_streams(const std::string& account, const std::string& region);
    Limits describe_limits(const std::string& account, const std::string& region);

    Result<PutResult> put(const StreamKey& key, const PutInput& in);
    Result<PutBatchResult> put_batch(const StreamKey& key, const std::vector<PutInput>& in);

    // `new_start`: the NewStartingHashKey's decimal digits (any size; AWS names the shard by
    // its full id and its range when the key is out of it).
    Result<void> split_shard(const StreamKey& key, std::string_view shard,
                             std::string_view new_start);
    Result<void> split_shard(const StreamKey& key, std::string_view shard, u128 new_start) {
        return split_shard(key, shard, u128_to_string(new_start));
    }
    Result<void> merge_shards(const StreamKey& key, std::string_view shard,
                              std::string_view adjacent);
    // Returns the open shard count before the change.
    Result<int> update_shard_count(const StreamKey& key, int target);
    Result<void> increase_retention(const StreamKey& key, int hours);
    Result<void> decrease_retention(const StreamKey& key, int hours);
    Result<void> add_tags(const StreamKey& key, const std::vector<Tag>& tags);
    Result<void> remove_tags(const StreamKey& key, const std::vector<std::string>& keys);
    Result<std::vector<Tag>> list_tags(const StreamKey& key);  // sorted by key (UTF-16 order)
    Result<void> start_encryption(const StreamKey& key, const std::string& key_id);
    Result<void> stop_encryption(const StreamKey& key);
    // Returns {before, after}.
    Result<std::pair<std::vector<std::string>, std::vector<std::string>>> set_monitoring(
        const StreamKey& key, const std::vector<std::string>& metrics, bool enable);

    // Reader
    Result<std::vector<ShardDesc>> shards(const StreamKey& key) override;
    Result<std::string> get_shard_iterator(const StreamKey& key, std::string_view shard,
                                           const IteratorStart& start) override;
    Result<ReadBatch> get_records(std::string_view iterator, int limit) override;
    uint64_t subscribe_to_appends(const StreamKey& key, std::function<void()> fn) override;
    void unsubscribe_from_appends(uint64_t id) override;

    // Enhanced fan-out consumers (docs/aws/kinesis.md, Enhanced fan-out: consumers). Lookups are by
    // name; the adapter resolves ARNs. ResourceNotFound (stream or consumer), ResourceInUse (name
    // taken, stream not ACTIVE, consumer not ACTIVE for deregistration), LimitExceeded (20 per
    // stream, 5 CREATING).
    Result<ConsumerDesc> register_consumer(const StreamKey& key, const std::string& name,
                                           const std::vector<Tag>& tags);
    Result<ConsumerDesc> describe_consumer(const StreamKey& key, const std::string& name);
    // Every consumer not yet gone, by creation time, then name.
    Result<std::vector<ConsumerDesc>> list_consumers(const StreamKey& key);
    // ACTIVE → DELETING; gone after the consumer delay. Returns the consumer as it was.
    Result<ConsumerDesc> deregister_consumer(const StreamKey& key, const std::string& name);

    // SubscribeToShard's read: like get_records from `iterator`, but not counted in the
    // GetRecords metrics nor throttled (enhanced fan-out has its own pipe), capped at `limit`
    // records and `max_bytes` of data (at least one record when any), and with the
    // continuation sequence number. Errors: get_records's (the stream or shard went).
    Result<SubscriptionRead> read_for_subscription(std::string_view iterator, int limit,
                                                   size_t max_bytes);

    // Deletes records past their stream's retention (range deletes). Called periodically.
    void trim_expired();
    // Turns the per-shard throughput limits on or off while running (`kemu test`'s fault; the
    // budgets count from then on).
    void set_shard_limits(bool on);

    std::string stream_arn(const StreamKey& key) const;
    // ResourceNotFound when the stream does not exist.
    Result<StreamMetrics> metrics(const StreamKey& key);
    // The largest GetRecords.IteratorAgeMilliseconds since the previous call (one consumer of
    // this: the alarm evaluator); nullopt when no GetRecords call was made meanwhile.
    std::optional<int64_t> take_iterator_age_window(const StreamKey& key);

    struct Impl;  // opaque; public only so the module's own files can name it

private:
    std::unique_ptr<Impl> impl_;
};

}  // namespace kemu::kinesis
