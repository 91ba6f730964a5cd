#pragma once
// The in-memory state of one stream, and its persisted form. Private to the store.

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <shared_mutex>
#include <string>
#include <vector>

#include <boost/container/flat_set.hpp>

#include "kinesis/types.h"

namespace kemu::kinesis {

struct ShardMeta {
    int index = 0;
    std::optional<int> parent;
    std::optional<int> adjacent_parent;
    HashRange range{};
    int64_t create_secs = 0;  // the time in its sequence numbers
    int64_t created_ms = 0;
    std::optional<int64_t> closed_ms;
    bool open() const { return !closed_ms.has_value(); }
};

// An enhanced fan-out consumer. Its status is a function of time (no timers): CREATING until
// `active_ms`, then ACTIVE; once deregistered, DELETING until `gone_ms`, then gone.
struct ConsumerMeta {
    std::string name;
    int64_t created_ms = 0;
    int64_t active_ms = 0;
    std::optional<int64_t> gone_ms;  // set by deregistration
    std::map<std::string, std::string> tags;
    bool gone(int64_t now) const { return gone_ms && now >= *gone_ms; }
    ConsumerStatus status(int64_t now) const {
        if (gone_ms) return ConsumerStatus::kDeleting;
        return now >= active_ms ? ConsumerStatus::kActive : ConsumerStatus::kCreating;
    }
};

// A change whose effect waits for the status delay (UPDATING → ACTIVE).
struct PendingOp {
    enum Kind { kNone, kSplit, kMerge, kShardCount, kStartEncryption, kStopEncryption };
    Kind kind = kNone;
    int a = 0;
    int b = 0;
    u128 key = 0;
    std::string key_id;
};

// The sequence counter shared by a group of five shards (shards 0-4 draw from one counter, 5-9
// from the next, as AWS's numbers show; docs/aws/kinesis.md, Sequence numbers). A writer draws
// its index under `mu` and writes without it, so concurrent appends reach RocksDB together
// (group commit); readers stop before `visible_end`, below which every drawn index is written
// (or abandoned after a failed write), so none ever sees index N+1 before N.
struct SeqGroup {
    std::mutex mu;
    uint64_t next = 0;  // guarded by mu
    bool fresh = true;  // no record drawn yet; guarded by mu
    // Drawn, not yet written; guarded by mu. Sequence indexes are drawn in increasing order, so
    // this sorted vector only grows at its end (no node allocated per record, as a std::set did).
    boost::container::flat_set<uint64_t> writing;
    std::atomic<uint64_t> visible_end{0};

    // REQUIRES: mu held.
    void publish() {
        visible_end.store(writing.empty() ? next : *writing.begin(), std::memory_order_release);
    }
};

struct ShardRuntime {
    std::atomic<int64_t> last_arrival_ms{0};
    // Throughput windows (only with shard limits on), guarded by `mu`.
    std::mutex mu;
    int64_t write_window = -1;
    int64_t write_bytes = 0;
    int64_t write_records = 0;
    int64_t read_window = -1;
    int64_t read_calls = 0;
    int64_t read_bytes = 0;
};

struct StreamCounters {
    std::atomic<int64_t> incoming_records{0};
    std::atomic<int64_t> incoming_bytes{0};
    std::atomic<int64_t> write_throttled{0};
    std::atomic<int64_t> read_throttled{0};
    std::atomic<int64_t> get_records_calls{0};
    std::atomic<int64_t> get_records_records{0};
    std::atomic<int64_t> iterator_age_ms{0};
    std::atomic<int64_t> iterator_age_ms_max{0};
    std::atomic<int64_t> iterator_age_window_max{-1};  // since the last take; -1: no call
};

struct Stream {
    std::shared_mutex mu;     // shared: appends and reads; exclusive: control plane
    StreamCounters counters;  // runtime only; lock-free
    // Persisted:
    uint64_t id = 0;
    StreamKey key;
    StreamStatus status = StreamStatus::kCreating;
    int64_t due_ms = 0;  // when the current transition completes (0: none)
    PendingOp pending;
    StreamMode mode = StreamMode::kProvisioned;
    int64_t created_ms = 0;
    int retention_hours = 24;
    // Records that arrived before this had expired under an earlier, shorter retention; raising
    // the retention does not bring them back (AWS).
    int64_t expired_before_ms = 0;
    bool encrypted = false;
    std::string key_id;
    std::map<std::string, std::string> tags;
    std::vector<std::string> metrics;
    std::vector<ShardMeta> shards;        // all shards ever, by index
    std::vector<ConsumerMeta> consumers;  // registration order; gone ones pruned on writes
    // Name -> creation second of its latest registration, so a re-registration in the same
    // second still gets a new ARN. In memory only: after a restart the second has passed.
    std::map<std::string, int64_t> consumer_seconds;
    // Runtime:
    std::vector<std::unique_ptr<SeqGroup>> groups;       // index / 5
    std::vector<std::unique_ptr<ShardRuntime>> runtime;  // by index
    ShardRuntime stream_writes;          // an on-demand stream's write window, for the whole stream
    std::vector<int> open_by_start;      // open shard indexes by range start
    std::atomic<int64_t> due_atomic{0};  // mirror of due_ms for the fast path
};

}  // namespace kemu::kinesis
