// Streams: lifecycle (lazy status transitions), description, retention, tags, encryption,
// monitoring, append subscriptions. Resharding is in store_reshard.cc.

#include "kinesis/store.h"

#include <algorithm>
#include <set>
#include <stdexcept>

#include <rocksdb/write_batch.h>

#include "core/kinesis_metrics.h"
#include "errors.h"
#include "record_codec.h"
#include "store_impl.h"

namespace kemu::kinesis {

using errors::stream_not_found;

constexpr size_t kMaxTagsPerStream = 50;

// ---- Impl helpers -------------------------------------------------------------------------

std::shared_ptr<Stream> Store::Impl::find(const StreamKey& k) {
    std::shared_ptr<Stream> s;
    {
        std::shared_lock lock(map_mu);
        auto it = streams.find(map_key(k));
        if (it == streams.end()) return nullptr;
        s = it->second;
    }
    int64_t due = s->due_atomic.load(std::memory_order_acquire);
    if (due == 0) return s;
    int64_t now = clock.now_ms();
    if (now < due) return s;
    bool gone = false;
    {
        std::unique_lock lock(s->mu);
        if (s->due_ms != 0 && now >= s->due_ms) {
            if (s->status == StreamStatus::kDeleting) {
                gone = true;
            } else {
                apply_due(*s, now);
            }
        }
    }
    if (gone) {
        erase(s);
        return nullptr;
    }
    return s;
}

void Store::Impl::apply_due(Stream& s, int64_t now) {
    switch (s.pending.kind) {
        case PendingOp::kSplit:
            do_split(s, s.pending.a, s.pending.key, now);
            break;
        case PendingOp::kMerge:
            do_merge(s, s.pending.a, s.pending.b, now);
            break;
        case PendingOp::kShardCount:
            do_shard_count(s, s.pending.a, now);
            break;
        case PendingOp::kStartEncryption:
            s.encrypted = true;
            s.key_id = s.pending.key_id;
            break;
        case PendingOp::kStopEncryption:
            s.encrypted = false;
            s.key_id.clear();
            break;
        case PendingOp::kNone:
            break;
    }
    s.pending = {};
    s.status = StreamStatus::kActive;
    s.due_ms = 0;
    s.due_atomic.store(0, std::memory_order_release);
    rebuild_runtime(s);
    persist(s);
}

void Store::Impl::persist(const Stream& s) {
    rocksdb::WriteBatch batch;
    batch.Put(db.meta(), meta_key(s.key), to_json(s));
    auto st = db.write(batch);
    if (!st.ok())
        throw std::runtime_error("kinesis: cannot write stream metadata: " + st.ToString());
}

void Store::Impl::erase(const std::shared_ptr<Stream>& s) {
    {
        std::unique_lock lock(map_mu);
        auto it = streams.find(map_key(s->key));
        if (it != streams.end() && it->second == s) streams.erase(it);
    }
    std::unique_lock lock(s->mu);
    // A put that found the stream before it left the map must not write after this: puts
    // refuse a DELETING stream.
    s->status = StreamStatus::kDeleting;
    rocksdb::WriteBatch batch;
    batch.Delete(db.meta(), meta_key(s->key));
    batch.DeleteRange(db.records(), records_key(s->id, 0, 0), records_key(s->id + 1, 0, 0));
    auto st = db.write(batch);
    if (!st.ok()) throw std::runtime_error("kinesis: cannot delete stream: " + st.ToString());
}

void Store::Impl::rebuild_runtime(Stream& s) {
    size_t n = s.shards.size();
    while (s.runtime.size() < n)
        s.runtime.push_back(std::make_unique<ShardRuntime>());
    while (s.groups.size() < (n + 4) / 5)
        s.groups.push_back(std::make_unique<SeqGroup>());
    s.open_by_start.clear();
    for (const auto& sh : s.shards) {
        if (sh.open()) s.open_by_start.push_back(sh.index);
    }
    std::sort(s.open_by_start.begin(), s.open_by_start.end(),
              [&](int a, int b) { return s.shards[a].range.start < s.shards[b].range.start; });
}

int Store::Impl::open_shards_in(const std::string& account, const std::string& region) {
    int n = 0;
    std::shared_lock lock(map_mu);
    for (const auto& [k, s] : streams) {
        if (s->key.account != account || s->key.region != region) continue;
        std::shared_lock slock(s->mu);
        for (const auto& sh : s->shards)
            n += sh.open() ? 1 : 0;
    }
    return n;
}

ShardDesc Store::Impl::describe(const ShardMeta& sh) const {
    ShardDesc d;
    d.index = sh.index;
    d.parent = sh.parent;
    d.adjacent_parent = sh.adjacent_parent;
    d.range = sh.range;
    d.starting_sequence = encode_sequence({2, sh.create_secs, sh.index, 0, sh.create_secs});
    if (sh.closed_ms) {
        d.ending_sequence = encode_sequence(
            {2, sh.create_secs, sh.index, 0x7fffffffffffffffULL, *sh.closed_ms / 1000});
    }
    d.created_ms = sh.created_ms;
    d.closed_ms = sh.closed_ms;
    return d;
}

void Store::Impl::notify(const StreamKey& k) {
    // The appender published its records (visible_end) and now looks for listeners; a new
    // listener registers and then reads. The two fences (here and in subscribe_to_appends) make
    // at least one side see the other, so a record appended while a listener registers is
    // either read by it or wakes it.
    std::atomic_thread_fence(std::memory_order_seq_cst);
    if (subs_count.load(std::memory_order_relaxed) == 0) return;
    std::vector<std::function<void()>> fns;
    {
        std::lock_guard lock(subs_mu);
        std::string mk = map_key(k);
        for (const auto& [id, sub] : subs) {
            if (sub.stream == mk) fns.push_back(sub.fn);
        }
    }
    for (auto& fn : fns)
        fn();
}

// ---- Store --------------------------------------------------------------------------------

Store::Store(Db& db, const Clock& clock, StoreOptions options)
    : impl_(std::make_unique<Impl>(db, clock, options)) {}

Store::~Store() = default;

void Store::set_shard_limits(bool on) {
    impl_->shard_limits.store(on, std::memory_order_relaxed);
}

std::string Store::stream_arn(const StreamKey& key) const {
    return impl_->arn(key);
}

Result<void> Store::create_stream(const StreamKey& key, std::optional<int> shard_count,
                                  std::optional<StreamMode> mode, const std::vector<Tag>& tags) {
    auto& im = *impl_;
    StreamMode m = mode ? *mode : (shard_count ? StreamMode::kProvisioned : StreamMode::kOnDemand);
    if (m == StreamMode::kProvisioned && !shard_count) {
        return errors::shard_count_required();
    }
    // AWS: an on-demand stream without a shard count starts with 4 shards.
    int n = shard_count ? *shard_count : 4;
    if (im.find(key)) return errors::stream_exists(key);
    int open = im.open_shards_in(key.account, key.region);
    if (open + n > im.options.shard_limit) {
        return errors::shard_limit(key.account, key.region, open, im.options.shard_limit, n);
    }
    if (m == StreamMode::kOnDemand) {
        auto limits = describe_limits(key.account, key.region);
        if (limits.on_demand_stream_count >= limits.on_demand_stream_count_limit) {
            return errors::on_demand_stream_limit(key.account, key.region);
        }
    }
    int64_t now = im.clock.now_ms();
    auto s = std::make_shared<Stream>();
    s->key = key;
    s->mode = m;
    s->created_ms = now;
    // AWS/kinesalite: shards are dated two seconds before the stream's creation.
    int64_t create_secs = (now - 2000) / 1000;
    auto ranges = uniform_ranges(n);
    for (int i = 0; i < n; ++i) {
        s->shards.push_back(
            {i, std::nullopt, std::nullopt, ranges[i], create_secs, now - 2000, std::nullopt});
    }
    for (const auto& t : tags)
        s->tags[t.key] = t.value;
    if (im.options.create_delay_ms > 0) {
        s->status = StreamStatus::kCreating;
        s->due_ms = now + im.options.create_delay_ms;
    } else {
        s->status = StreamStatus::kActive;
    }
    s->due_atomic = s->due_ms;
    im.rebuild_runtime(*s);
    {
        std::unique_lock lock(im.map_mu);
        auto mk = Impl::map_key(key);
        if (im.streams.count(mk)) return errors::stream_exists(key);
        s->id = im.next_stream_id++;
        rocksdb::WriteBatch batch;
        batch.Put(im.db.meta(), "kinesis/next_stream_id", std::to_string(im.next_stream_id));
        auto st = im.db.write(batch);
        if (!st.ok()) throw std::runtime_error("kinesis: cannot write: " + st.ToString());
        im.persist(*s);
        im.streams[mk] = s;
    }
    return {};
}

Result<void> Store::delete_stream(const StreamKey& key, bool enforce_consumer_deletion) {
    auto& im = *impl_;
    auto s = im.find(key);
    if (!s) return stream_not_found(key);
    if (!enforce_consumer_deletion) {
        std::shared_lock lock(s->mu);
        int64_t now = im.clock.now_ms();
        for (const auto& c : s->consumers) {
            // AWS: consumers go with the stream only when the caller says so.
            if (!c.gone(now)) return errors::stream_has_consumers(key);
        }
    }
    if (im.options.delete_delay_ms <= 0) {
        im.erase(s);
        im.notify(key);  // open subscriptions read the stream's end at once
        return {};
    }
    std::unique_lock lock(s->mu);
    if (s->status == StreamStatus::kDeleting) return {};
    s->status = StreamStatus::kDeleting;
    s->pending = {};
    s->due_ms = im.clock.now_ms() + im.options.delete_delay_ms;
    s->due_atomic = s->due_ms;
    im.persist(*s);
    return {};
}

Result<StreamDesc> Store::describe_stream(const StreamKey& key) {
    auto& im = *impl_;
    auto s = im.find(key);
    if (!s) return stream_not_found(key);
    std::shared_lock lock(s->mu);
    int64_t now = im.clock.now_ms();
    StreamDesc d;
    d.name = key.name;
    d.arn = im.arn(s->key);
    d.status = s->status;
    d.mode = s->mode;
    d.creation_secs = (s->created_ms - 2000) / 1000;
    d.retention_hours = s->retention_hours;
    d.shard_level_metrics = s->metrics;
    d.encrypted = s->encrypted;
    d.key_id = s->key_id;
    if (s->status != StreamStatus::kCreating) {
        for (const auto& sh : s->shards) {
            if (im.shard_expired(*s, sh, now)) continue;
            d.shards.push_back(im.describe(sh));
            d.open_shard_count += sh.open() ? 1 : 0;
        }
    }
    for (const auto& c : s->consumers)
        d.consumer_count += c.gone(now) ? 0 : 1;
    return d;
}

std::vector<StreamSummary> Store::list_streams(const std::string& account,
                                               const std::string& region) {
    auto& im = *impl_;
    std::vector<std::shared_ptr<Stream>> found;
    {
        std::shared_lock lock(im.map_mu);
        std::string prefix = account + "/" + region + "/";
        for (auto it = im.streams.lower_bound(prefix);
             it != im.streams.end() && it->first.compare(0, prefix.size(), prefix) == 0; ++it) {
            found.push_back(it->second);
        }
    }
    std::vector<StreamSummary> out;
    for (auto& s0 : found) {
        auto s = im.find(s0->key);  // applies due transitions
        if (!s) continue;
        std::shared_lock lock(s->mu);
        out.push_back(
            {s->key.name, im.arn(s->key), s->status, s->mode, (s->created_ms - 2000) / 1000});
    }
    return out;
}

Limits Store::describe_limits(const std::string& account, const std::string& region) {
    auto& im = *impl_;
    int on_demand = 0;
    {
        std::shared_lock lock(im.map_mu);
        for (const auto& [k, s] : im.streams) {
            if (s->key.account == account && s->key.region == region &&
                s->mode == StreamMode::kOnDemand)
                ++on_demand;
        }
    }
    return {im.options.shard_limit, im.open_shards_in(account, region), on_demand,
            im.options.on_demand_stream_limit};
}

namespace {

Result<void> check_retention(int hours) {
    if (hours < 24) return errors::retention_too_short(hours);
    if (hours > 8760) return errors::retention_too_long(hours);
    return {};
}

}  // namespace

Result<void> Store::increase_retention(const StreamKey& key, int hours) {
    auto& im = *impl_;
    if (auto r = check_retention(hours); !r) return r;
    auto s = im.find(key);
    if (!s) return stream_not_found(key);
    std::unique_lock lock(s->mu);
    if (s->status == StreamStatus::kCreating) return errors::not_active(key, "CREATING");
    if (hours < s->retention_hours) {
        return errors::retention_not_longer(key, hours, s->retention_hours);
    }
    // AWS: increasing the retention never revives data that already expired.
    s->expired_before_ms =
        std::max(s->expired_before_ms,
                 im.clock.now_ms() - static_cast<int64_t>(s->retention_hours) * 3600'000);
    s->retention_hours = hours;
    im.persist(*s);
    return {};
}

Result<void> Store::decrease_retention(const StreamKey& key, int hours) {
    auto& im = *impl_;
    if (auto r = check_retention(hours); !r) return r;
    auto s = im.find(key);
    if (!s) return stream_not_found(key);
    std::unique_lock lock(s->mu);
    if (s->status == StreamStatus::kCreating) return errors::not_active(key, "CREATING");
    if (hours > s->retention_hours) {
        return errors::retention_not_shorter(key, hours, s->retention_hours);
    }
    s->retention_hours = hours;
    im.persist(*s);
    return {};
}

Result<void> Store::add_tags(const StreamKey& key, const std::vector<Tag>& tags) {
    auto& im = *impl_;
    auto s = im.find(key);
    if (!s) return stream_not_found(key);
    std::unique_lock lock(s->mu);
    if (s->status == StreamStatus::kCreating) return errors::not_active(key, "CREATING");
    std::set<std::string> keys;
    for (const auto& [k, v] : s->tags)
        keys.insert(k);
    for (const auto& t : tags)
        keys.insert(t.key);
    // AWS: at most 50 tags per stream, counting the keys it has and those added (an existing
    // key is overwritten). AWS's refusal names 10, an older limit: see errors::too_many_tags.
    // One call may carry up to 200 entries (the Tags map's constraint, rules.cc).
    if (keys.size() > kMaxTagsPerStream) return errors::too_many_tags(key);
    for (const auto& t : tags)
        s->tags[t.key] = t.value;
    im.persist(*s);
    return {};
}

Result<void> Store::remove_tags(const StreamKey& key, const std::vector<std::string>& keys) {
    auto& im = *impl_;
    auto s = im.find(key);
    if (!s) return stream_not_found(key);
    std::unique_lock lock(s->mu);
    if (s->status == StreamStatus::kCreating) return errors::not_active(key, "CREATING");
    for (const auto& k : keys)
        s->tags.erase(k);
    im.persist(*s);
    return {};
}

Result<std::vector<Tag>> Store::list_tags(const StreamKey& key) {
    auto& im = *impl_;
    auto s = im.find(key);
    if (!s) return stream_not_found(key);
    std::shared_lock lock(s->mu);
    std::vector<Tag> out;
    for (const auto& [k, v] : s->tags)
        out.push_back({k, v});
    return out;
}

namespace {

Result<void> begin_update(Store::Impl& im, const StreamKey& key, PendingOp op) {
    auto s = im.find(key);
    if (!s) return stream_not_found(key);
    std::unique_lock lock(s->mu);
    if (s->status != StreamStatus::kActive) return errors::not_active(key, to_string(s->status));
    im.schedule_update(*s, std::move(op));
    return {};
}

}  // namespace

Result<void> Store::start_encryption(const StreamKey& key, const std::string& key_id) {
    return begin_update(*impl_, key, {PendingOp::kStartEncryption, 0, 0, 0, key_id});
}

Result<void> Store::stop_encryption(const StreamKey& key) {
    return begin_update(*impl_, key, {PendingOp::kStopEncryption, 0, 0, 0, {}});
}

Result<std::pair<std::vector<std::string>, std::vector<std::string>>> Store::set_monitoring(
    const StreamKey& key, const std::vector<std::string>& metrics, bool enable) {
    auto& im = *impl_;
    auto s = im.find(key);
    if (!s) return stream_not_found(key);
    std::unique_lock lock(s->mu);
    if (s->status != StreamStatus::kActive) return errors::not_active(key, to_string(s->status));
    auto before = s->metrics;
    const auto& all = kKinesisShardLevelMetrics;
    std::set<std::string, std::less<>> wanted;
    for (const auto& m : metrics) {
        if (m == kKinesisAllShardLevelMetrics) {
            for (auto n : all)
                wanted.emplace(n);
        } else {
            wanted.insert(m);
        }
    }
    std::vector<std::string> after;
    for (auto m : all) {
        bool had = std::find(before.begin(), before.end(), m) != before.end();
        bool named = wanted.count(m) > 0;
        if (enable ? (had || named) : (had && !named)) after.emplace_back(m);
    }
    s->metrics = after;
    im.persist(*s);
    return std::make_pair(before, after);
}

Result<std::vector<ShardDesc>> Store::shards(const StreamKey& key) {
    auto d = describe_stream(key);
    if (!d) return d.error();
    return std::move(d->shards);
}

uint64_t Store::subscribe_to_appends(const StreamKey& key, std::function<void()> fn) {
    auto& im = *impl_;
    std::lock_guard lock(im.subs_mu);
    uint64_t id = im.next_sub++;
    im.subs[id] = {Impl::map_key(key), std::move(fn)};
    im.subs_count.store(static_cast<int>(im.subs.size()), std::memory_order_relaxed);
    std::atomic_thread_fence(std::memory_order_seq_cst);  // see notify()
    return id;
}

void Store::unsubscribe_from_appends(uint64_t id) {
    auto& im = *impl_;
    std::lock_guard lock(im.subs_mu);
    im.subs.erase(id);
    im.subs_count.store(static_cast<int>(im.subs.size()), std::memory_order_relaxed);
}

}  // namespace kemu::kinesis
