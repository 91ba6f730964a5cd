#pragma once
// kinesis::Store's private parts, shared by store.cc (streams, shards, control plane),
// store_appends.cc, store_reads.cc, store_retention.cc and store_consumers.cc.
//
// RocksDB layout:
//   meta:    "kinesis/stream/{account}/{region}/{name}" -> stream JSON (stream_codec.cc)
//            "kinesis/next_stream_id" -> decimal
//   records: one key per record (record_codec.h)

#include <algorithm>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <unordered_map>

#include "kinesis/store.h"
#include "stream_state.h"

namespace kemu::kinesis {

std::string meta_key(const StreamKey& key);
std::string to_json(const Stream& s);
// Fills a Stream from its JSON; throws on corrupt data.
void from_json(const std::string& text, Stream* s);

struct Store::Impl {
    Db& db;
    const Clock& clock;
    StoreOptions options;
    // options.shard_limits, switchable while running (Store::set_shard_limits).
    std::atomic<bool> shard_limits;

    std::shared_mutex map_mu;
    std::map<std::string, std::shared_ptr<Stream>> streams;  // "account/region/name"
    uint64_t next_stream_id = 1;                             // guarded by map_mu (exclusive)

    std::mutex subs_mu;
    std::atomic<int> subs_count{0};
    uint64_t next_sub = 1;
    struct Sub {
        std::string stream;  // map key
        std::function<void()> fn;
    };
    std::unordered_map<uint64_t, Sub> subs;

    Impl(Db& d, const Clock& c, StoreOptions o)
        : db(d), clock(c), options(o), shard_limits(o.shard_limits) {}
    bool limits_on() const { return shard_limits.load(std::memory_order_relaxed); }

    static std::string map_key(const StreamKey& k) {
        return k.account + "/" + k.region + "/" + k.name;
    }
    std::string arn(const StreamKey& k) const {
        return "arn:aws:kinesis:" + k.region + ":" + k.account + ":stream/" + k.name;
    }

    // The stream, with any due transition applied; null when it does not exist (or just went).
    std::shared_ptr<Stream> find(const StreamKey& k);
    // REQUIRES: s->mu held exclusively.
    void apply_due(Stream& s, int64_t now);
    void persist(const Stream& s);
    void erase(const std::shared_ptr<Stream>& s);
    void rebuild_runtime(Stream& s);
    int open_shards_in(const std::string& account, const std::string& region);

    // UPDATING until the update delay has passed, then `op` applies (at once with no delay).
    // REQUIRES: s.mu held exclusively.
    void schedule_update(Stream& s, PendingOp op);
    // Shard surgery (store_reshard.cc), REQUIRES s->mu exclusive. Each returns the new shard
    // indexes.
    std::vector<int> do_split(Stream& s, int index, u128 key, int64_t now);
    int do_merge(Stream& s, int index, int adjacent, int64_t now);
    void do_shard_count(Stream& s, int target, int64_t now);

    void notify(const StreamKey& k);
    bool retained(const Stream& s, int64_t arrival_ms, int64_t now) const {
        return arrival_ms >= std::max(now - static_cast<int64_t>(s.retention_hours) * 3600'000,
                                      s.expired_before_ms);
    }
    bool shard_expired(const Stream& s, const ShardMeta& sh, int64_t now) const {
        return sh.closed_ms && !retained(s, *sh.closed_ms, now);
    }
    ShardDesc describe(const ShardMeta& sh) const;
};

}  // namespace kemu::kinesis
