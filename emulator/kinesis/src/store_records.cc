// The record path: appends, shard iterators, reads, retention trimming, and loading state at
// start-up.

#include <algorithm>
#include <charconv>
#include <cstring>
#include <ctime>
#include <stdexcept>

#include <rocksdb/iterator.h>
#include <rocksdb/write_batch.h>

#include "core/encoding.h"
#include "errors.h"
#include "kinesis/store.h"
#include "store_impl.h"
#include "token.h"

namespace kemu::kinesis {
namespace {

constexpr int64_t kIteratorLifetimeMs = 300'000;
constexpr size_t kMaxReadBytes = 10u << 20;

std::string encode_value(int64_t arrival_ms, bool encrypted, std::string_view pk,
                         std::string_view data) {
    std::string v;
    v.resize(11 + pk.size() + data.size());
    auto a = static_cast<uint64_t>(arrival_ms);
    for (int i = 0; i < 8; ++i)
        v[i] = static_cast<char>(a >> (8 * i));
    v[8] = encrypted ? 1 : 0;
    v[9] = static_cast<char>(pk.size() & 0xff);
    v[10] = static_cast<char>(pk.size() >> 8);
    std::memcpy(v.data() + 11, pk.data(), pk.size());
    std::memcpy(v.data() + 11 + pk.size(), data.data(), data.size());
    return v;
}

struct StoredRecord {
    int64_t arrival_ms;
    bool encrypted;
    std::string_view pk;
    std::string_view data;
};

StoredRecord decode_value(std::string_view v) {
    if (v.size() < 11) throw std::runtime_error("kinesis: corrupt record");
    uint64_t a = 0;
    for (int i = 0; i < 8; ++i)
        a |= static_cast<uint64_t>(static_cast<uint8_t>(v[i])) << (8 * i);
    size_t pk_len =
        static_cast<uint8_t>(v[9]) | (static_cast<size_t>(static_cast<uint8_t>(v[10])) << 8);
    if (v.size() < 11 + pk_len) throw std::runtime_error("kinesis: corrupt record");
    return {static_cast<int64_t>(a), v[8] != 0, v.substr(11, pk_len), v.substr(11 + pk_len)};
}

uint64_t key_seq(std::string_view k) {
    uint64_t s = 0;
    for (int i = 12; i < 20; ++i)
        s = (s << 8) | static_cast<uint8_t>(k[i]);
    return s;
}

std::string_view type_name(IteratorType t) {
    switch (t) {
        case IteratorType::kAtSequenceNumber:
            return "AT_SEQUENCE_NUMBER";
        case IteratorType::kAfterSequenceNumber:
            return "AFTER_SEQUENCE_NUMBER";
        case IteratorType::kTrimHorizon:
            return "TRIM_HORIZON";
        case IteratorType::kLatest:
            return "LATEST";
        case IteratorType::kAtTimestamp:
            return "AT_TIMESTAMP";
    }
    return "";
}

std::string java_date(int64_t ms) {
    std::time_t t = static_cast<std::time_t>(ms / 1000);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[64];
    std::strftime(buf, sizeof buf, "%a %b %d %H:%M:%S UTC %Y", &tm);
    return buf;
}

struct IteratorPos {
    int64_t created_ms;
    StreamKey key;
    uint64_t stream_id;
    int shard;
    uint64_t seq_ix;
};

std::string make_iterator(const IteratorPos& p) {
    char ms[32];
    std::snprintf(ms, sizeof ms, "%014lld", static_cast<long long>(p.created_ms));
    std::string plain = std::string(ms) + "/" + p.key.account + "/" + p.key.region + "/" +
                        std::to_string(p.stream_id) + "/" + std::to_string(p.shard) + "/" +
                        std::to_string(p.seq_ix) + "/" + hex_encode(random_bytes(4)) + "/" +
                        p.key.name;
    return seal_token(std::move(plain));
}

template <class T>
bool parse_num(std::string_view s, T* out) {
    auto r = std::from_chars(s.data(), s.data() + s.size(), *out);
    return r.ec == std::errc() && r.ptr == s.data() + s.size() && !s.empty();
}

std::optional<IteratorPos> parse_iterator(std::string_view token) {
    auto plain = unseal_token(token);
    if (!plain) return std::nullopt;
    std::vector<std::string_view> f;
    std::string_view rest = *plain;
    for (int i = 0; i < 7; ++i) {
        auto slash = rest.find('/');
        if (slash == std::string_view::npos) return std::nullopt;
        f.push_back(rest.substr(0, slash));
        rest = rest.substr(slash + 1);
    }
    f.push_back(rest);
    IteratorPos p;
    if (!parse_num(f[0], &p.created_ms) || !parse_num(f[3], &p.stream_id) ||
        !parse_num(f[4], &p.shard) || !parse_num(f[5], &p.seq_ix) || f[7].empty() || p.shard < 0)
        return std::nullopt;  // (the key is public: a sealed token can still be forged)
    // f[6] is a nonce: every GetRecords answers with a new token, even for the same position.
    p.key = {std::string(f[1]), std::string(f[2]), std::string(f[7])};
    return p;
}

// Per-shard throughput windows (spec §6.2), one-second buckets.
bool admit_write(ShardRuntime& rt, int64_t now, int64_t records, int64_t bytes) {
    std::lock_guard lock(rt.mu);
    int64_t sec = now / 1000;
    if (rt.write_window != sec) {
        rt.write_window = sec;
        rt.write_bytes = 0;
        rt.write_records = 0;
    }
    if (rt.write_records + records > 1000 || rt.write_bytes + bytes > (1 << 20)) return false;
    rt.write_records += records;
    rt.write_bytes += bytes;
    return true;
}

bool admit_read(ShardRuntime& rt, int64_t now) {
    std::lock_guard lock(rt.mu);
    int64_t sec = now / 1000;
    if (rt.read_window != sec) {
        // Bytes carry over, draining at 2 MiB for each second that passed: a 10 MiB read
        // blocks the next five seconds, however long the shard then stays idle.
        int64_t elapsed = rt.read_window < 0 ? 1 : std::max<int64_t>(1, sec - rt.read_window);
        rt.read_window = sec;
        rt.read_calls = 0;
        rt.read_bytes = rt.read_bytes - std::min<int64_t>(elapsed, 1 << 20) * (2 << 20);
        rt.read_bytes = std::max<int64_t>(0, rt.read_bytes);
    }
    if (rt.read_calls + 1 > 5 || rt.read_bytes > (2 << 20)) return false;
    rt.read_calls += 1;
    return true;
}

void account_read(ShardRuntime& rt, int64_t bytes) {
    std::lock_guard lock(rt.mu);
    rt.read_bytes += bytes;
}

}  // namespace

// ---- appends ------------------------------------------------------------------------------

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

// The shards split or merged from `sh`, with their parents, as a drained closed shard names
// them (GetRecords and SubscribeToShard).
std::vector<ChildShard> children_of(const Stream& s, const ShardMeta& sh) {
    std::vector<ChildShard> out;
    for (const auto& c : s.shards) {
        if (c.parent != sh.index && c.adjacent_parent != sh.index) continue;
        ChildShard child{shard_id(c.index), {}, c.range};
        if (c.parent) child.parent_shards.push_back(shard_id(*c.parent));
        if (c.adjacent_parent) child.parent_shards.push_back(shard_id(*c.adjacent_parent));
        out.push_back(std::move(child));
    }
    return out;
}

uint64_t draw_seq(SeqGroup& g, const ShardMeta& sh, int64_t record_secs) {
    if (g.fresh) {
        // Keeps the first record above the shard's starting sequence number (same second).
        g.next = record_secs <= sh.create_secs ? 1 : 0;
        g.fresh = false;
    }
    return g.next++;
}

}  // namespace

Result<PutResult> Store::put(const StreamKey& key, const PutInput& in) {
    auto& im = *impl_;
    auto s = im.find(key);
    if (!s) return errors::stream_not_found(key);
    std::shared_lock lock(s->mu);
    if (s->status != StreamStatus::kActive && s->status != StreamStatus::kUpdating) {
        return errors::stream_not_found(key);
    }
    u128 hash = in.explicit_hash_key ? *in.explicit_hash_key : hash_partition_key(in.partition_key);
    int idx = route(*s, hash);
    if (idx < 0) return make_error(AwsErrorCode::kInternalFailure, "Internal service failure.");
    const auto& sh = s->shards[idx];
    auto& rt = *s->runtime[idx];
    int64_t now = im.clock.now_ms();
    if (im.options.shard_limits &&
        !admit_write(rt, now, 1, static_cast<int64_t>(in.data.size() + in.partition_key.size()))) {
        s->counters.write_throttled.fetch_add(1, std::memory_order_relaxed);
        return errors::rate_exceeded(key, shard_id(idx));
    }
    PutResult out;
    out.shard_id = shard_id(idx);
    out.encrypted = s->encrypted;
    {
        // Draw the index under the group's lock, write without it (concurrent appends share
        // one WAL write), then publish what readers may see.
        auto& g = *s->groups[idx / 5];
        int64_t arrival, record_secs;
        uint64_t seq;
        {
            std::lock_guard glock(g.mu);
            arrival = std::max(now, rt.last_arrival_ms.load(std::memory_order_relaxed));
            record_secs = std::max(arrival / 1000, sh.create_secs);
            seq = draw_seq(g, sh, record_secs);
            g.writing.insert(seq);
            rt.last_arrival_ms.store(arrival, std::memory_order_relaxed);
        }
        auto st =
            im.db.raw()->Put(im.db.write_options(), im.db.records(), records_key(s->id, idx, seq),
                             encode_value(arrival, s->encrypted, in.partition_key, in.data));
        {
            std::lock_guard glock(g.mu);
            g.writing.erase(seq);  // written, or abandoned (a gap readers step over)
            g.publish();
        }
        if (!st.ok())
            return make_error(AwsErrorCode::kInternalFailure, "Internal service failure.");
        out.sequence_number = encode_sequence({2, sh.create_secs, idx, seq, record_secs});
    }
    s->counters.incoming_records.fetch_add(1, std::memory_order_relaxed);
    s->counters.incoming_bytes.fetch_add(static_cast<int64_t>(in.data.size()),
                                         std::memory_order_relaxed);
    lock.unlock();
    im.notify(key);
    return out;
}

Result<PutBatchResult> Store::put_batch(const StreamKey& key, const std::vector<PutInput>& in) {
    auto& im = *impl_;
    auto s = im.find(key);
    if (!s) return errors::stream_not_found(key);
    std::shared_lock lock(s->mu);
    if (s->status != StreamStatus::kActive && s->status != StreamStatus::kUpdating) {
        return errors::stream_not_found(key);
    }
    int64_t now = im.clock.now_ms();
    PutBatchResult out;
    out.encrypted = s->encrypted;
    out.records.resize(in.size());
    std::vector<int> shard_of(in.size(), -1);
    std::vector<int> groups;
    for (size_t i = 0; i < in.size(); ++i) {
        u128 hash = in[i].explicit_hash_key ? *in[i].explicit_hash_key
                                            : hash_partition_key(in[i].partition_key);
        int idx = route(*s, hash);
        auto& e = out.records[i];
        if (idx < 0) {
            e.error_code = "InternalFailure";
            e.error_message = "Internal service failure.";
            continue;
        }
        if (im.options.shard_limits &&
            !admit_write(*s->runtime[idx], now, 1,
                         static_cast<int64_t>(in[i].data.size() + in[i].partition_key.size()))) {
            e.error_code = "ProvisionedThroughputExceededException";
            e.error_message = errors::rate_exceeded_text(key, shard_id(idx));
            s->counters.write_throttled.fetch_add(1, std::memory_order_relaxed);
            continue;
        }
        shard_of[i] = idx;
        groups.push_back(idx / 5);
    }
    std::sort(groups.begin(), groups.end());
    groups.erase(std::unique(groups.begin(), groups.end()), groups.end());
    // Lock the groups in index order (no deadlock between concurrent batches).
    std::vector<std::unique_lock<std::mutex>> locks;
    locks.reserve(groups.size());
    for (int g : groups)
        locks.emplace_back(s->groups[g]->mu);

    rocksdb::WriteBatch batch;
    std::vector<std::pair<SeqGroup*, uint64_t>> drawn;  // to publish once written
    int64_t bytes = 0;
    for (size_t i = 0; i < in.size(); ++i) {
        int idx = shard_of[i];
        if (idx < 0) continue;
        const auto& sh = s->shards[idx];
        auto& rt = *s->runtime[idx];
        auto& g = *s->groups[idx / 5];
        int64_t arrival = std::max(now, rt.last_arrival_ms.load(std::memory_order_relaxed));
        int64_t record_secs = std::max(arrival / 1000, sh.create_secs);
        uint64_t seq = draw_seq(g, sh, record_secs);
        g.writing.insert(seq);
        drawn.push_back({&g, seq});
        rt.last_arrival_ms.store(arrival, std::memory_order_relaxed);
        batch.Put(im.db.records(), records_key(s->id, idx, seq),
                  encode_value(arrival, s->encrypted, in[i].partition_key, in[i].data));
        out.records[i].shard_id = shard_id(idx);
        out.records[i].sequence_number =
            encode_sequence({2, sh.create_secs, idx, seq, record_secs});
        bytes += static_cast<int64_t>(in[i].data.size());
    }
    // Write without the group locks (concurrent appends share one WAL write), then publish.
    locks.clear();
    rocksdb::Status st;
    if (batch.Count() > 0) st = im.db.raw()->Write(im.db.write_options(), &batch);
    for (int gi : groups) {
        auto& g = *s->groups[gi];
        std::lock_guard glock(g.mu);
        for (const auto& [dg, seq] : drawn) {
            if (dg == &g) g.writing.erase(seq);  // written, or abandoned: a gap readers skip
        }
        g.publish();
    }
    if (!st.ok()) return make_error(AwsErrorCode::kInternalFailure, "Internal service failure.");
    if (!drawn.empty()) {
        s->counters.incoming_records.fetch_add(static_cast<int64_t>(drawn.size()),
                                               std::memory_order_relaxed);
        s->counters.incoming_bytes.fetch_add(bytes, std::memory_order_relaxed);
    }
    for (const auto& e : out.records)
        out.failed += e.error_code.empty() ? 0 : 1;
    lock.unlock();
    if (batch.Count() > 0) im.notify(key);
    return out;
}

// ---- iterators and reads ------------------------------------------------------------------

Result<std::string> Store::get_shard_iterator(const StreamKey& key, std::string_view shard,
                                              const IteratorStart& start) {
    auto& im = *impl_;
    auto idx = parse_shard_id(shard);
    if (!idx) return errors::could_not_find_shard(key, shard);
    std::string sid = shard_id(*idx);
    auto s = im.find(key);
    if (!s) return errors::shard_does_not_exist(key, sid);
    std::shared_lock lock(s->mu);
    int64_t now = im.clock.now_ms();
    if (s->status == StreamStatus::kCreating || *idx >= static_cast<int>(s->shards.size()) ||
        im.shard_expired(*s, s->shards[*idx], now)) {
        return errors::shard_does_not_exist(key, sid);
    }
    const auto& sh = s->shards[*idx];
    const bool by_number = start.type == IteratorType::kAtSequenceNumber ||
                           start.type == IteratorType::kAfterSequenceNumber;
    auto must_either = [&](const char* tail) {
        return make_error(AwsErrorCode::kInvalidArgument,
                          "Must either specify (1) AT_SEQUENCE_NUMBER or AFTER_SEQUENCE_NUMBER and "
                          "StartingSequenceNumber or (2) TRIM_HORIZON or LATEST and no "
                          "StartingSequenceNumber. Request specified " +
                              std::string(type_name(start.type)) + tail);
    };
    uint64_t pos = 0;
    if (start.sequence_number && start.type != IteratorType::kAtTimestamp) {
        if (!by_number) return must_either(" and also a StartingSequenceNumber.");
        const auto& v = *start.sequence_number;
        auto parts = decode_sequence(v);
        std::string on = "StartingSequenceNumber " + v + " used in GetShardIterator on shard " +
                         sid + " in " + errors::where(key) + " is invalid";
        if (!parts) return make_error(AwsErrorCode::kInvalidArgument, on + ".");
        if (parts->shard_index != *idx) {
            return make_error(AwsErrorCode::kInvalidArgument,
                              "Invalid StartingSequenceNumber. It encodes " +
                                  shard_id(parts->shard_index) +
                                  ", while it was used in a call to a shard with " + sid);
        }
        if (parts->version == 0) {  // AWS answers these with a 500
            return make_error(AwsErrorCode::kInternalFailure, "Internal service failure.");
        }
        if (parts->version != 2 || parts->shard_create_secs != sh.create_secs) {
            return make_error(AwsErrorCode::kInvalidArgument,
                              on + " because it did not come from this stream.");
        }
        pos = parts->seq_ix + (start.type == IteratorType::kAfterSequenceNumber ? 1 : 0);
        // AFTER the shard's own StartingSequenceNumber (index 0 at the shard's creation second,
        // which no record is given: draw_seq) is the shard's beginning, index 0 included. KCL
        // resumes so after a subscription that saw only heartbeats (kinesis-efo.md §3.6).
        if (start.type == IteratorType::kAfterSequenceNumber && parts->seq_ix == 0 &&
            parts->record_secs == sh.create_secs) {
            pos = 0;
        }
    } else if (by_number) {
        return must_either(" and no StartingSequenceNumber.");
    }
    auto tip = [&] { return s->groups[*idx / 5]->visible_end.load(std::memory_order_acquire); };
    switch (start.type) {
        case IteratorType::kTrimHorizon:
            pos = 0;
            break;
        case IteratorType::kLatest:
            pos = tip();
            break;
        case IteratorType::kAtTimestamp: {
            if (!start.timestamp_ms) {
                return make_error(AwsErrorCode::kInvalidArgument,
                                  "Must specify timestampInMillis parameter for iterator of type "
                                  "AT_TIMESTAMP. Current request has no timestamp parameter.");
            }
            int64_t t = *start.timestamp_ms;
            if (t > now) {
                return make_error(AwsErrorCode::kInvalidArgument,
                                  "The timestampInMillis parameter cannot be greater than the "
                                  "currentTimestampInMillis. timestampInMillis: " +
                                      std::to_string(t) +
                                      ", currentTimestampInMillis: " + std::to_string(now));
            }
            // The visible end before the iterator (as get_records does): a record still being
            // written below a written one must not be stepped over. No record qualifies below
            // it: start there, never a hang.
            uint64_t visible = tip();
            pos = visible;
            std::unique_ptr<rocksdb::Iterator> it(
                im.db.raw()->NewIterator(rocksdb::ReadOptions(), im.db.records()));
            std::string first = records_key(s->id, *idx, 0);
            std::string_view prefix(first.data(), 12);
            for (it->Seek(first);
                 it->Valid() && it->key().starts_with(rocksdb::Slice(prefix.data(), prefix.size()));
                 it->Next()) {
                if (key_seq(std::string_view(it->key().data(), it->key().size())) >= visible) break;
                auto rec = decode_value(std::string_view(it->value().data(), it->value().size()));
                if (rec.arrival_ms >= t && im.retained(*s, rec.arrival_ms, now)) {
                    pos = key_seq(std::string_view(it->key().data(), it->key().size()));
                    break;
                }
            }
            break;
        }
        default:
            break;
    }
    return make_iterator({now, s->key, s->id, *idx, pos});
}

Result<StreamMetrics> Store::metrics(const StreamKey& key) {
    auto s = impl_->find(key);
    if (!s) return errors::stream_not_found(key);
    const auto& c = s->counters;
    StreamMetrics m;
    m.incoming_records = c.incoming_records.load(std::memory_order_relaxed);
    m.incoming_bytes = c.incoming_bytes.load(std::memory_order_relaxed);
    m.write_throttled = c.write_throttled.load(std::memory_order_relaxed);
    m.read_throttled = c.read_throttled.load(std::memory_order_relaxed);
    m.get_records_calls = c.get_records_calls.load(std::memory_order_relaxed);
    m.get_records_records = c.get_records_records.load(std::memory_order_relaxed);
    m.get_records_iterator_age_ms = c.iterator_age_ms.load(std::memory_order_relaxed);
    m.get_records_iterator_age_ms_max = c.iterator_age_ms_max.load(std::memory_order_relaxed);
    return m;
}

std::optional<int64_t> Store::take_iterator_age_window(const StreamKey& key) {
    auto s = impl_->find(key);
    if (!s) return std::nullopt;
    int64_t v = s->counters.iterator_age_window_max.exchange(-1, std::memory_order_relaxed);
    if (v < 0) return std::nullopt;
    return v;
}

Result<ReadBatch> Store::get_records(std::string_view iterator, int limit) {
    auto& im = *impl_;
    auto p = parse_iterator(iterator);
    int64_t now = im.clock.now_ms();
    if (!p || p->created_ms > now + 1000) return errors::invalid_iterator();
    if (now - p->created_ms > kIteratorLifetimeMs) {
        return make_error(AwsErrorCode::kExpiredIterator,
                          "Iterator expired. The iterator was created at time " +
                              java_date(p->created_ms) + " while right now it is " +
                              java_date(now) +
                              " which is further in the future than the tolerated delay of "
                              "300000 milliseconds.");
    }
    std::string sid = shard_id(p->shard);
    auto s = im.find(p->key);
    if (!s || s->id != p->stream_id) return errors::shard_does_not_exist(p->key, sid);
    std::shared_lock lock(s->mu);
    if (p->shard >= static_cast<int>(s->shards.size()) ||
        im.shard_expired(*s, s->shards[p->shard], now)) {
        return errors::shard_does_not_exist(p->key, sid);
    }
    const auto& sh = s->shards[p->shard];
    auto& rt = *s->runtime[p->shard];
    if (im.options.shard_limits && !admit_read(rt, now)) {
        s->counters.read_throttled.fetch_add(1, std::memory_order_relaxed);
        return errors::rate_exceeded(p->key, sid);
    }

    ReadBatch out;
    uint64_t next = p->seq_ix;
    bool at_tip = true;
    if (s->status != StreamStatus::kDeleting) {
        size_t bytes = 0;
        // Before the iterator: every index below `visible` was written before it was read.
        uint64_t visible = s->groups[p->shard / 5]->visible_end.load(std::memory_order_acquire);
        std::unique_ptr<rocksdb::Iterator> it(
            im.db.raw()->NewIterator(rocksdb::ReadOptions(), im.db.records()));
        std::string first = records_key(s->id, p->shard, p->seq_ix);
        rocksdb::Slice prefix(first.data(), 12);
        out.records.reserve(static_cast<size_t>(std::min(limit, 1000)));
        for (it->Seek(first); it->Valid() && it->key().starts_with(prefix); it->Next()) {
            uint64_t seq = key_seq(std::string_view(it->key().data(), it->key().size()));
            if (seq >= visible) break;  // still being written around it: the tip for now
            auto rec = decode_value(std::string_view(it->value().data(), it->value().size()));
            if (!im.retained(*s, rec.arrival_ms, now)) {
                next = seq + 1;
                continue;
            }
            size_t size = rec.data.size() + rec.pk.size();
            if (static_cast<int>(out.records.size()) >= limit ||
                (!out.records.empty() && bytes + size > kMaxReadBytes)) {
                at_tip = false;
                break;
            }
            bytes += size;
            int64_t record_secs = std::max(rec.arrival_ms / 1000, sh.create_secs);
            out.records.push_back({encode_sequence({2, sh.create_secs, p->shard, seq, record_secs}),
                                   rec.arrival_ms, std::string(rec.pk), std::string(rec.data),
                                   rec.encrypted});
            next = seq + 1;
        }
        if (im.options.shard_limits) account_read(rt, static_cast<int64_t>(bytes));
    }
    out.millis_behind_latest = (at_tip || out.records.empty())
                                   ? 0
                                   : std::max<int64_t>(0, now - out.records.back().arrival_ms);
    {
        auto& c = s->counters;
        c.get_records_calls.fetch_add(1, std::memory_order_relaxed);
        c.get_records_records.fetch_add(static_cast<int64_t>(out.records.size()),
                                        std::memory_order_relaxed);
        int64_t age = out.millis_behind_latest;
        c.iterator_age_ms.store(age, std::memory_order_relaxed);
        int64_t cur = c.iterator_age_ms_max.load(std::memory_order_relaxed);
        while (age > cur &&
               !c.iterator_age_ms_max.compare_exchange_weak(cur, age, std::memory_order_relaxed)) {
        }
        cur = c.iterator_age_window_max.load(std::memory_order_relaxed);
        while (age > cur && !c.iterator_age_window_max.compare_exchange_weak(
                                cur, age, std::memory_order_relaxed)) {
        }
    }
    if (!sh.open() && at_tip) {
        // AWS: a drained closed shard has no next iterator, and names its children.
        out.child_shards = children_of(*s, sh);
        return out;
    }
    out.next_iterator = make_iterator({now, s->key, s->id, p->shard, next});
    return out;
}

// ---- retention and start-up ---------------------------------------------------------------

void Store::trim_expired() {
    auto& im = *impl_;
    std::vector<std::shared_ptr<Stream>> all;
    {
        std::shared_lock lock(im.map_mu);
        for (auto& [k, s] : im.streams)
            all.push_back(s);
    }
    int64_t now = im.clock.now_ms();
    for (auto& s : all) {
        std::shared_lock lock(s->mu);
        for (const auto& sh : s->shards) {
            std::unique_ptr<rocksdb::Iterator> it(
                im.db.raw()->NewIterator(rocksdb::ReadOptions(), im.db.records()));
            std::string first = records_key(s->id, sh.index, 0);
            rocksdb::Slice prefix(first.data(), 12);
            std::string last_expired;
            for (it->Seek(first); it->Valid() && it->key().starts_with(prefix); it->Next()) {
                auto rec = decode_value(std::string_view(it->value().data(), it->value().size()));
                if (im.retained(*s, rec.arrival_ms, now)) break;
                last_expired = it->key().ToString();
            }
            // The newest record is kept even when expired: it carries the shard's sequence
            // counter across restarts. Reads skip it.
            if (last_expired.empty()) continue;
            im.db.raw()->DeleteRange(im.db.write_options(), im.db.records(), first, last_expired);
        }
    }
}

void Store::load() {
    auto& im = *impl_;
    std::string next_id;
    if (im.db.raw()
            ->Get(rocksdb::ReadOptions(), im.db.meta(), "kinesis/next_stream_id", &next_id)
            .ok()) {
        im.next_stream_id = std::stoull(next_id);
    }
    std::unique_ptr<rocksdb::Iterator> it(
        im.db.raw()->NewIterator(rocksdb::ReadOptions(), im.db.meta()));
    const std::string prefix = "kinesis/stream/";
    std::vector<std::shared_ptr<Stream>> loaded;
    for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
        auto s = std::make_shared<Stream>();
        from_json(it->value().ToString(), s.get());
        im.rebuild_runtime(*s);
        loaded.push_back(s);
    }
    int64_t now = im.clock.now_ms();
    for (auto& s : loaded) {
        // Recover each shard's newest record: the group counters and last arrival times.
        std::unique_ptr<rocksdb::Iterator> rit(
            im.db.raw()->NewIterator(rocksdb::ReadOptions(), im.db.records()));
        for (const auto& sh : s->shards) {
            std::string last = records_key(s->id, sh.index, ~uint64_t{0});
            rit->SeekForPrev(last);
            if (!rit->Valid() || !rit->key().starts_with(rocksdb::Slice(last.data(), 12))) continue;
            uint64_t seq = key_seq(std::string_view(rit->key().data(), rit->key().size()));
            auto rec = decode_value(std::string_view(rit->value().data(), rit->value().size()));
            auto& g = *s->groups[sh.index / 5];
            g.next = std::max(g.next, seq + 1);
            g.fresh = false;
            s->runtime[sh.index]->last_arrival_ms = rec.arrival_ms;
        }
        for (auto& g : s->groups) {
            std::lock_guard glock(g->mu);
            g->publish();
        }
        // A restart finishes any pending transition at once.
        if (s->due_ms != 0) {
            if (s->status == StreamStatus::kDeleting) {
                std::unique_lock lock(im.map_mu);
                im.streams[Impl::map_key(s->key)] = s;
                lock.unlock();
                im.erase(s);
                continue;
            }
            std::unique_lock slock(s->mu);
            im.apply_due(*s, now);
        }
        std::unique_lock lock(im.map_mu);
        im.streams[Impl::map_key(s->key)] = s;
        im.next_stream_id = std::max(im.next_stream_id, s->id + 1);
    }
}

}  // namespace kemu::kinesis

// ---- enhanced fan-out reads ---------------------------------------------------------------

namespace kemu::kinesis {

Result<SubscriptionRead> Store::read_for_subscription(std::string_view iterator, int limit,
                                                      size_t max_bytes) {
    auto& im = *impl_;
    auto p = parse_iterator(iterator);
    if (!p) return errors::invalid_iterator();
    std::string sid = shard_id(p->shard);
    auto s = im.find(p->key);
    if (!s || s->id != p->stream_id) return errors::stream_not_found(p->key);
    std::shared_lock lock(s->mu);
    int64_t now = im.clock.now_ms();
    if (s->status == StreamStatus::kDeleting) return errors::stream_not_found(p->key);
    if (p->shard >= static_cast<int>(s->shards.size()) ||
        im.shard_expired(*s, s->shards[p->shard], now)) {
        return errors::shard_does_not_exist(p->key, sid);
    }
    const auto& sh = s->shards[p->shard];
    auto sequence = [&](uint64_t seq, int64_t arrival_ms) {
        return encode_sequence(
            {2, sh.create_secs, p->shard, seq, std::max(arrival_ms / 1000, sh.create_secs)});
    };
    SubscriptionRead out;
    uint64_t next = p->seq_ix;
    std::string first = records_key(s->id, p->shard, p->seq_ix);
    rocksdb::Slice prefix(first.data(), 12);
    uint64_t visible = s->groups[p->shard / 5]->visible_end.load(std::memory_order_acquire);
    std::unique_ptr<rocksdb::Iterator> it(
        im.db.raw()->NewIterator(rocksdb::ReadOptions(), im.db.records()));
    // The continuation before any record: the last retained record preceding the position.
    if (p->seq_ix > 0) {
        it->SeekForPrev(records_key(s->id, p->shard, p->seq_ix - 1));
        if (it->Valid() && it->key().starts_with(prefix)) {
            auto rec = decode_value(std::string_view(it->value().data(), it->value().size()));
            if (im.retained(*s, rec.arrival_ms, now)) {
                out.continuation = sequence(
                    key_seq(std::string_view(it->key().data(), it->key().size())), rec.arrival_ms);
            }
        }
    }
    if (out.continuation.empty()) out.continuation = im.describe(sh).starting_sequence;
    size_t bytes = 0;
    for (it->Seek(first); it->Valid() && it->key().starts_with(prefix); it->Next()) {
        uint64_t seq = key_seq(std::string_view(it->key().data(), it->key().size()));
        if (seq >= visible) break;  // still being written around it
        auto rec = decode_value(std::string_view(it->value().data(), it->value().size()));
        if (!im.retained(*s, rec.arrival_ms, now)) {
            next = seq + 1;
            continue;
        }
        size_t size = rec.data.size() + rec.pk.size();
        if (static_cast<int>(out.records.size()) >= limit ||
            (!out.records.empty() && bytes + size > max_bytes)) {
            out.more = true;
            break;
        }
        bytes += size;
        out.records.push_back({sequence(seq, rec.arrival_ms), rec.arrival_ms, std::string(rec.pk),
                               std::string(rec.data), rec.encrypted});
        next = seq + 1;
    }
    if (!out.records.empty()) out.continuation = out.records.back().sequence_number;
    out.millis_behind_latest = (!out.more || out.records.empty())
                                   ? 0
                                   : std::max<int64_t>(0, now - out.records.back().arrival_ms);
    if (!sh.open() && !out.more) {
        out.child_shards = children_of(*s, sh);
        return out;
    }
    out.next_iterator = make_iterator({now, s->key, s->id, p->shard, next});
    return out;
}

}  // namespace kemu::kinesis
