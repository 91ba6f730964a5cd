// Reads: shard iterators, GetRecords, SubscribeToShard's reads, and the stream metrics the
// reads keep. GetRecords and a subscription take records through one shard scan (scan_shard)
// and end alike (end_read); they differ in what they count and what they report besides.

#include <algorithm>

#include <rocksdb/iterator.h>

#include "errors.h"
#include "kinesis/store.h"
#include "record_codec.h"
#include "shard_iterator.h"
#include "store_impl.h"

namespace kemu::kinesis {
namespace {

constexpr int64_t kIteratorLifetimeMs = 300'000;
constexpr size_t kMaxReadBytes = 10u << 20;

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

// Per-shard read limits (only with shard limits on): 5 calls a second, and 2 MiB a second of
// records read, in one-second buckets.
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

std::string_view view(const rocksdb::Slice& s) {
    return {s.data(), s.size()};
}

// A walk over one shard's records from a position, in sequence order, that ends at the shard
// group's visible end. The end is loaded before the RocksDB iterator opens, so a record still
// being written below a visible one is never stepped over.
class ShardCursor {
public:
    ShardCursor(Store::Impl& im, const Stream& s, int shard, uint64_t from)
        : visible_(s.groups[shard / 5]->visible_end.load(std::memory_order_acquire)),
          it_(im.db.raw()->NewIterator(rocksdb::ReadOptions(), im.db.records())),
          prefix_(records_key(s.id, shard, from)) {
        it_->Seek(prefix_);
        prefix_.resize(12);  // stream id and shard index
    }
    // A visible record is under the cursor.
    bool valid() const {
        return it_->Valid() && it_->key().starts_with(prefix_) && seq() < visible_;
    }
    void next() { it_->Next(); }
    uint64_t seq() const { return key_seq(view(it_->key())); }
    StoredRecord record() const { return decode_value(view(it_->value())); }
    uint64_t visible_end() const { return visible_; }

private:
    uint64_t visible_;
    std::unique_ptr<rocksdb::Iterator> it_;
    std::string prefix_;
};

std::string record_sequence(const ShardMeta& sh, uint64_t seq, int64_t arrival_ms) {
    return encode_sequence(
        {2, sh.create_secs, sh.index, seq, std::max(arrival_ms / 1000, sh.create_secs)});
}

// What one read took from a shard.
struct ShardScan {
    std::vector<Record> records;
    uint64_t next = 0;  // the position after the last record taken or skipped as expired
    size_t bytes = 0;   // data and partition keys taken
    bool more = false;  // a cap stopped it with records left; else it reached the tip
};

// Up to `limit` retained records and `max_bytes` (the first record always fits) from `from`.
// Expired records are stepped over.
ShardScan scan_shard(Store::Impl& im, const Stream& s, int shard, uint64_t from, int limit,
                     size_t max_bytes, int64_t now) {
    const auto& sh = s.shards[shard];
    ShardScan out;
    out.next = from;
    out.records.reserve(static_cast<size_t>(std::min(limit, 1000)));
    for (ShardCursor c(im, s, shard, from); c.valid(); c.next()) {
        uint64_t seq = c.seq();
        auto rec = c.record();
        if (!im.retained(s, rec.arrival_ms, now)) {
            out.next = seq + 1;
            continue;
        }
        size_t size = rec.data.size() + rec.pk.size();
        if (static_cast<int>(out.records.size()) >= limit ||
            (!out.records.empty() && out.bytes + size > max_bytes)) {
            out.more = true;
            break;
        }
        out.bytes += size;
        out.records.push_back({record_sequence(sh, seq, rec.arrival_ms), rec.arrival_ms,
                               std::string(rec.pk), std::string(rec.data), rec.encrypted});
        out.next = seq + 1;
    }
    return out;
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

// How GetRecords and a subscription's read both end: the scan's records, how far the last one
// is behind the tip (0 at the tip), and the iterator to read on from, except that a closed shard
// read to its end names its children instead (AWS gives no next iterator then).
template <class Read>
void end_read(Read& out, ShardScan& scan, const Stream& s, const ShardMeta& sh, int64_t now) {
    out.records = std::move(scan.records);
    out.millis_behind_latest = (!scan.more || out.records.empty())
                                   ? 0
                                   : std::max<int64_t>(0, now - out.records.back().arrival_ms);
    if (!sh.open() && !scan.more) {
        out.child_shards = children_of(s, sh);
        return;
    }
    out.next_iterator = make_iterator({now, s.key, s.id, sh.index, scan.next});
}

void raise_to(std::atomic<int64_t>& max, int64_t v) {
    int64_t cur = max.load(std::memory_order_relaxed);
    while (v > cur && !max.compare_exchange_weak(cur, v, std::memory_order_relaxed)) {
    }
}

// GetRecords.Success, .Records and .IteratorAgeMilliseconds.
void count_get_records(StreamCounters& c, const ReadBatch& out) {
    c.get_records_calls.fetch_add(1, std::memory_order_relaxed);
    c.get_records_records.fetch_add(static_cast<int64_t>(out.records.size()),
                                    std::memory_order_relaxed);
    int64_t age = out.millis_behind_latest;
    c.iterator_age_ms.store(age, std::memory_order_relaxed);
    raise_to(c.iterator_age_ms_max, age);
    raise_to(c.iterator_age_window_max, age);
}

// The position an AT_/AFTER_SEQUENCE_NUMBER iterator starts at, or why it cannot.
Result<uint64_t> position_of_number(const StreamKey& key, const ShardMeta& sh,
                                    const IteratorStart& start) {
    const auto& v = *start.sequence_number;
    std::string sid = shard_id(sh.index);
    auto parts = decode_sequence(v);
    if (!parts) return errors::bad_starting_sequence(key, v, sid, "");
    if (parts->shard_index != sh.index) {
        return errors::sequence_of_other_shard(shard_id(parts->shard_index), sid);
    }
    if (parts->version == 0) return errors::old_sequence_number();  // AWS: a bare 500
    if (parts->version != 2 || parts->shard_create_secs != sh.create_secs) {
        return errors::bad_starting_sequence(key, v, sid,
                                             " because it did not come from this stream");
    }
    bool after = start.type == IteratorType::kAfterSequenceNumber;
    // AFTER the shard's own StartingSequenceNumber (index 0 at the shard's creation second,
    // which no record is given: draw_seq) is the shard's beginning, index 0 included. KCL
    // resumes so after a subscription that saw only heartbeats: it must neither skip nor
    // repeat a record (docs/aws/kinesis.md, SubscribeToShard).
    if (after && parts->seq_ix == 0 && parts->record_secs == sh.create_secs) return 0;
    return parts->seq_ix + (after ? 1 : 0);
}

// The first visible, retained record that arrived at or after `t`, else the visible end (no
// record qualifies below it: start there, never a hang).
uint64_t position_at_time(Store::Impl& im, const Stream& s, int shard, int64_t t, int64_t now) {
    ShardCursor c(im, s, shard, 0);
    for (; c.valid(); c.next()) {
        auto rec = c.record();
        if (rec.arrival_ms >= t && im.retained(s, rec.arrival_ms, now)) return c.seq();
    }
    return c.visible_end();
}

}  // namespace

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
    uint64_t pos = 0;
    if (start.sequence_number && start.type != IteratorType::kAtTimestamp) {
        if (!by_number) {
            return errors::must_either(type_name(start.type),
                                       " and also a StartingSequenceNumber.");
        }
        auto p = position_of_number(key, sh, start);
        if (!p) return p.error();
        pos = *p;
    } else if (by_number) {
        return errors::must_either(type_name(start.type), " and no StartingSequenceNumber.");
    }
    switch (start.type) {
        case IteratorType::kTrimHorizon:
            pos = 0;
            break;
        case IteratorType::kLatest:
            pos = s->groups[*idx / 5]->visible_end.load(std::memory_order_acquire);
            break;
        case IteratorType::kAtTimestamp:
            if (!start.timestamp_ms) return errors::timestamp_required();
            if (*start.timestamp_ms > now) {
                return errors::timestamp_in_future(*start.timestamp_ms, now);
            }
            pos = position_at_time(im, *s, *idx, *start.timestamp_ms, now);
            break;
        default:
            break;
    }
    return make_iterator({now, s->key, s->id, *idx, pos});
}

Result<ReadBatch> Store::get_records(std::string_view iterator, int limit) {
    auto& im = *impl_;
    auto p = parse_iterator(iterator);
    int64_t now = im.clock.now_ms();
    if (!p || p->created_ms > now + 1000) return errors::invalid_iterator();
    if (now - p->created_ms > kIteratorLifetimeMs) {
        return errors::iterator_expired(p->created_ms, now);
    }
    std::string sid = shard_id(p->shard);
    auto s = im.find(p->key);
    if (!s || s->id != p->stream_id) return errors::shard_does_not_exist(p->key, sid);
    std::shared_lock lock(s->mu);
    if (p->shard >= static_cast<int>(s->shards.size()) ||
        im.shard_expired(*s, s->shards[p->shard], now)) {
        return errors::shard_does_not_exist(p->key, sid);
    }
    auto& rt = *s->runtime[p->shard];
    if (im.limits_on() && !admit_read(rt, now)) {
        s->counters.read_throttled.fetch_add(1, std::memory_order_relaxed);
        return errors::rate_exceeded(p->key, sid);
    }
    // A DELETING stream reads as empty until it is gone.
    ShardScan scan;
    scan.next = p->seq_ix;
    if (s->status != StreamStatus::kDeleting) {
        scan = scan_shard(im, *s, p->shard, p->seq_ix, limit, kMaxReadBytes, now);
        if (im.limits_on()) account_read(rt, static_cast<int64_t>(scan.bytes));
    }
    ReadBatch out;
    end_read(out, scan, *s, s->shards[p->shard], now);
    count_get_records(s->counters, out);
    return out;
}

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
    SubscriptionRead out;
    // The continuation before any record: the last retained record preceding the position,
    // else the shard's starting sequence number.
    if (p->seq_ix > 0) {
        std::unique_ptr<rocksdb::Iterator> it(
            im.db.raw()->NewIterator(rocksdb::ReadOptions(), im.db.records()));
        std::string prev = records_key(s->id, p->shard, p->seq_ix - 1);
        it->SeekForPrev(prev);
        if (it->Valid() && it->key().starts_with(rocksdb::Slice(prev.data(), 12))) {
            auto rec = decode_value(view(it->value()));
            if (im.retained(*s, rec.arrival_ms, now)) {
                out.continuation = record_sequence(sh, key_seq(view(it->key())), rec.arrival_ms);
            }
        }
    }
    if (out.continuation.empty()) out.continuation = im.describe(sh).starting_sequence;
    auto scan = scan_shard(im, *s, p->shard, p->seq_ix, limit, max_bytes, now);
    out.more = scan.more;
    end_read(out, scan, *s, sh, now);
    if (!out.records.empty()) out.continuation = out.records.back().sequence_number;
    return out;
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

}  // namespace kemu::kinesis
