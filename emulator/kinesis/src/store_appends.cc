// Appends: PutRecord and PutRecords. Both route each record to its open shard, admit it against
// the shard's write limits, then go through one append protocol (append_drawn below).

#include <algorithm>

#include <boost/container/small_vector.hpp>
#include <rocksdb/write_batch.h>

#include "errors.h"
#include "kinesis/store.h"
#include "record_codec.h"
#include "store_impl.h"

namespace kemu::kinesis {
namespace {

// The open shard whose hash range holds `hash`. REQUIRES: s.mu held (any mode).
int route(const Stream& s, u128 hash) {
    const auto& v = s.open_by_start;
    auto it = std::upper_bound(v.begin(), v.end(), hash,
                               [&](u128 h, int idx) { return h < s.shards[idx].range.start; });
    if (it == v.begin()) return -1;
    int idx = *(it - 1);
    return s.shards[idx].range.contains(hash) ? idx : -1;
}

int route(const Stream& s, const PutInput& in) {
    return route(
        s, in.explicit_hash_key ? *in.explicit_hash_key : hash_partition_key(in.partition_key));
}

// Write limits (only with shard limits on), in one-second buckets: a provisioned stream's
// shard takes 1,000 records and 1 MiB (data and partition keys) a second. AWS: an on-demand
// stream starts with a write capacity of 4 MB/s or 4,000 records/s for the whole stream
// (https://docs.aws.amazon.com/streams/latest/dev/how-do-i-size-a-stream.html); kemu keeps it
// there, as it does not scale.
struct WriteLimit {
    int64_t records;
    int64_t bytes;
};
constexpr WriteLimit kShardWriteLimit{1000, 1 << 20};
constexpr WriteLimit kOnDemandWriteLimit{4000, 4 << 20};

bool admit_write(ShardRuntime& rt, int64_t now, int64_t records, int64_t bytes, WriteLimit limit) {
    std::lock_guard lock(rt.mu);
    int64_t sec = now / 1000;
    if (rt.write_window != sec) {
        rt.write_window = sec;
        rt.write_bytes = 0;
        rt.write_records = 0;
    }
    if (rt.write_records + records > limit.records || rt.write_bytes + bytes > limit.bytes)
        return false;
    rt.write_records += records;
    rt.write_bytes += bytes;
    return true;
}

bool admit(Store::Impl& im, Stream& s, int shard, const PutInput& in, int64_t now) {
    if (!im.limits_on()) return true;
    auto bytes = static_cast<int64_t>(in.data.size() + in.partition_key.size());
    bool ok = s.mode == StreamMode::kOnDemand
                  ? admit_write(s.stream_writes, now, 1, bytes, kOnDemandWriteLimit)
                  : admit_write(*s.runtime[shard], now, 1, bytes, kShardWriteLimit);
    if (ok) return true;
    s.counters.write_throttled.fetch_add(1, std::memory_order_relaxed);
    return false;
}

uint64_t draw_seq(SeqGroup& g, const ShardMeta& sh, int64_t record_secs) {
    if (g.fresh) {
        // Keeps the first record above the shard's starting sequence number (same second).
        g.next = record_secs <= sh.create_secs ? 1 : 0;
        g.fresh = false;
    }
    return g.next++;
}

// One record to append: its shard (already routed and admitted) and its input.
struct Append {
    int shard;
    const PutInput* in;
};

// The append protocol, for one record or a batch. Each record's sequence index is drawn under
// its shard group's mutex (the groups locked in index order, so concurrent batches cannot
// deadlock); the RocksDB write happens without the mutexes, so concurrent appends share one WAL
// write; then each group publishes its visible end (the lowest index still being written), so
// readers never see index N+1 before N. A failed write leaves gaps that readers step over.
// Returns the sequence numbers in `appends`' order. REQUIRES: s.mu held shared, `appends`
// not empty.
Result<std::vector<std::string>> append_drawn(Store::Impl& im, Stream& s,
                                              const std::vector<Append>& appends, int64_t now) {
    boost::container::small_vector<int, 4> groups;
    for (const auto& a : appends)
        groups.push_back(a.shard / 5);
    std::sort(groups.begin(), groups.end());
    groups.erase(std::unique(groups.begin(), groups.end()), groups.end());

    boost::container::small_vector<std::unique_lock<std::mutex>, 4> locks;
    for (int g : groups)
        locks.emplace_back(s.groups[g]->mu);
    // Each group's indexes drawn here, [first, last]: consecutive, as the group's lock is held.
    struct Drawn {
        uint64_t first = 0, last = 0;
        bool any = false;
    };
    boost::container::small_vector<Drawn, 4> drawn(groups.size());
    size_t value_bytes = 0;
    for (const auto& a : appends)
        value_bytes += a.in->data.size() + a.in->partition_key.size() + 64;
    rocksdb::WriteBatch batch(value_bytes + 16);
    std::vector<std::string> out;
    out.reserve(appends.size());
    int64_t bytes = 0;
    for (const auto& a : appends) {
        const auto& sh = s.shards[a.shard];
        auto& rt = *s.runtime[a.shard];
        int gi = a.shard / 5;
        auto& g = *s.groups[gi];
        int64_t arrival = std::max(now, rt.last_arrival_ms.load(std::memory_order_relaxed));
        int64_t record_secs = std::max(arrival / 1000, sh.create_secs);
        uint64_t seq = draw_seq(g, sh, record_secs);
        g.writing.insert(g.writing.end(), seq);
        auto& d = drawn[std::lower_bound(groups.begin(), groups.end(), gi) - groups.begin()];
        if (!d.any) d.first = seq;
        d.last = seq;
        d.any = true;
        rt.last_arrival_ms.store(arrival, std::memory_order_relaxed);
        batch.Put(im.db.records(), records_key(s.id, a.shard, seq),
                  encode_value(arrival, s.encrypted, a.in->partition_key, a.in->data));
        out.push_back(encode_sequence({2, sh.create_secs, a.shard, seq, record_secs}));
        bytes += static_cast<int64_t>(a.in->data.size());
    }
    locks.clear();

    auto st = im.db.write(batch);
    for (size_t i = 0; i < groups.size(); ++i) {
        auto& g = *s.groups[groups[i]];
        std::lock_guard glock(g.mu);
        // Written, or abandoned: a gap readers skip.
        g.writing.erase(g.writing.lower_bound(drawn[i].first),
                        g.writing.upper_bound(drawn[i].last));
        g.publish();
    }
    if (!st.ok()) return errors::internal_failure();
    s.counters.incoming_records.fetch_add(static_cast<int64_t>(appends.size()),
                                          std::memory_order_relaxed);
    s.counters.incoming_bytes.fetch_add(bytes, std::memory_order_relaxed);
    return out;
}

// The stream, if it takes appends now (ACTIVE or UPDATING).
bool writable(const Stream& s) {
    return s.status == StreamStatus::kActive || s.status == StreamStatus::kUpdating;
}

}  // namespace

Result<PutResult> Store::put(const StreamKey& key, const PutInput& in) {
    auto& im = *impl_;
    auto s = im.find(key);
    if (!s) return errors::stream_not_found(key);
    std::shared_lock lock(s->mu);
    if (!writable(*s)) return errors::stream_not_found(key);
    int idx = route(*s, in);
    if (idx < 0) return errors::internal_failure();
    int64_t now = im.clock.now_ms();
    if (!admit(im, *s, idx, in, now)) return errors::rate_exceeded(key, shard_id(idx));
    auto seqs = append_drawn(im, *s, {{idx, &in}}, now);
    if (!seqs) return seqs.error();
    PutResult out{shard_id(idx), std::move(seqs->front()), s->encrypted};
    lock.unlock();
    im.notify(key);
    return out;
}

Result<PutBatchResult> Store::put_batch(const StreamKey& key, const std::vector<PutInput>& in) {
    auto& im = *impl_;
    auto s = im.find(key);
    if (!s) return errors::stream_not_found(key);
    std::shared_lock lock(s->mu);
    if (!writable(*s)) return errors::stream_not_found(key);
    int64_t now = im.clock.now_ms();
    PutBatchResult out;
    out.encrypted = s->encrypted;
    out.records.resize(in.size());
    std::vector<Append> appends;
    std::vector<size_t> entry_of;  // appends[i] answers out.records[entry_of[i]]
    for (size_t i = 0; i < in.size(); ++i) {
        int idx = route(*s, in[i]);
        auto& e = out.records[i];
        AwsError refusal{};
        if (idx < 0) {
            refusal = errors::internal_failure();
        } else if (!admit(im, *s, idx, in[i], now)) {
            refusal = errors::rate_exceeded(key, shard_id(idx));
        } else {
            appends.push_back({idx, &in[i]});
            entry_of.push_back(i);
            continue;
        }
        e.error_code = std::string(refusal.shape());
        e.error_message = std::move(refusal.message);
        ++out.failed;
    }
    if (appends.empty()) return out;
    auto seqs = append_drawn(im, *s, appends, now);
    if (!seqs) return seqs.error();
    for (size_t i = 0; i < appends.size(); ++i) {
        auto& e = out.records[entry_of[i]];
        e.shard_id = shard_id(appends[i].shard);
        e.sequence_number = std::move((*seqs)[i]);
    }
    lock.unlock();
    im.notify(key);
    return out;
}

}  // namespace kemu::kinesis
