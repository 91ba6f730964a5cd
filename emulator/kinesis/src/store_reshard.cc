// Resharding: SplitShard, MergeShards, UpdateShardCount. Each schedules its change (UPDATING),
// which applies when the update delay has passed (do_split, do_merge, do_shard_count): parents
// close, children open with new ranges, dated the next second.

#include <algorithm>

#include "errors.h"
#include "kinesis/store.h"
#include "store_impl.h"

namespace kemu::kinesis {

std::vector<int> Store::Impl::do_split(Stream& s, int index, u128 key, int64_t now) {
    auto& parent = s.shards[index];
    parent.closed_ms = now;
    int64_t child_secs = now / 1000 + 1;
    HashRange r = parent.range;
    int a = static_cast<int>(s.shards.size());
    ShardMeta left{a, index, std::nullopt, {r.start, key - 1}, child_secs, now, std::nullopt};
    ShardMeta right{a + 1, index, std::nullopt, {key, r.end}, child_secs, now, std::nullopt};
    s.shards.push_back(left);
    s.shards.push_back(right);
    return {a, a + 1};
}

int Store::Impl::do_merge(Stream& s, int index, int adjacent, int64_t now) {
    s.shards[index].closed_ms = now;
    s.shards[adjacent].closed_ms = now;
    int c = static_cast<int>(s.shards.size());
    ShardMeta child{c,
                    index,
                    adjacent,
                    {s.shards[index].range.start, s.shards[adjacent].range.end},
                    now / 1000 + 1,
                    now,
                    std::nullopt};
    s.shards.push_back(child);
    return c;
}

// Splits every open shard at each target boundary inside it, then merges the pieces that fall
// in one target range, so the lineage uses only ParentShardId/AdjacentParentShardId.
void Store::Impl::do_shard_count(Stream& s, int target, int64_t now) {
    auto ranges = uniform_ranges(target);
    std::vector<int> open;
    for (const auto& sh : s.shards) {
        if (sh.open()) open.push_back(sh.index);
    }
    std::sort(open.begin(), open.end(),
              [&](int a, int b) { return s.shards[a].range.start < s.shards[b].range.start; });
    std::vector<int> pieces;
    for (int idx : open) {
        int cur = idx;
        for (const auto& t : ranges) {
            const auto& r = s.shards[cur].range;
            if (t.start > r.start && t.start <= r.end) {
                auto kids = do_split(s, cur, t.start, now);
                pieces.push_back(kids[0]);
                cur = kids[1];
            }
        }
        pieces.push_back(cur);
    }
    for (const auto& t : ranges) {
        int acc = -1;
        for (int p : pieces) {
            const auto& r = s.shards[p].range;
            if (r.start < t.start || r.end > t.end) continue;
            acc = acc < 0 ? p : do_merge(s, acc, p, now);
        }
    }
}

void Store::Impl::schedule_update(Stream& s, PendingOp op) {
    s.pending = std::move(op);
    s.status = StreamStatus::kUpdating;
    int64_t now = clock.now_ms();
    s.due_ms = now + options.update_delay_ms;
    s.due_atomic = s.due_ms;
    if (options.update_delay_ms <= 0) {
        apply_due(s, now);
    } else {
        persist(s);
    }
}

namespace {

// Lookup, state and shard checks shared by SplitShard and MergeShards: an index past the last
// shard is not found, a closed shard cannot be split or merged again.
Result<int> resolve_open_shard(const StreamKey& key, const Stream& s, int index) {
    if (index >= static_cast<int>(s.shards.size())) {
        return errors::could_not_find_shard(key, shard_id(index));
    }
    if (!s.shards[index].open()) return errors::shard_closed(key, shard_id(index));
    return index;
}

}  // namespace

Result<void> Store::split_shard(const StreamKey& key, std::string_view shard,
                                std::string_view new_start) {
    auto& im = *impl_;
    auto idx = parse_shard_id(shard);
    if (!idx) return errors::could_not_find_shard(key, shard);
    auto s = im.find(key);
    if (!s) return errors::stream_not_found(key);
    {
        std::shared_lock lock(s->mu);
        if (s->mode == StreamMode::kOnDemand) return errors::on_demand(key);
        if (s->status != StreamStatus::kActive)
            return errors::not_active(key, to_string(s->status));
        auto r = resolve_open_shard(key, *s, *idx);
        if (!r) return r.error();
    }
    int open = im.open_shards_in(key.account, key.region);
    if (open + 1 > im.options.shard_limit) {
        return errors::shard_limit(key.account, key.region, open, im.options.shard_limit, 1);
    }
    std::unique_lock lock(s->mu);
    if (s->status != StreamStatus::kActive) return errors::not_active(key, to_string(s->status));
    auto r = resolve_open_shard(key, *s, *idx);
    if (!r) return r.error();
    const auto& range = s->shards[*idx].range;
    auto k = parse_u128(new_start);  // nullopt: past 2^128-1, so past every shard's end
    if (!k || *k <= range.start + 1 || *k >= range.end) {
        return errors::bad_split_key(key, std::string(new_start), shard_id(*idx),
                                     u128_to_string(range.start), u128_to_string(range.end));
    }
    im.schedule_update(*s, {PendingOp::kSplit, *idx, 0, *k, {}});
    lock.unlock();
    im.notify(key);  // readers parked at a shard's tip (SubscribeToShard) see it close
    return {};
}

Result<void> Store::merge_shards(const StreamKey& key, std::string_view shard,
                                 std::string_view adjacent) {
    auto& im = *impl_;
    auto a = parse_shard_id(shard);
    if (!a) return errors::could_not_find_shard(key, shard);
    auto b = parse_shard_id(adjacent);
    if (!b) return errors::could_not_find_shard(key, adjacent);
    auto s = im.find(key);
    if (!s) return errors::stream_not_found(key);
    std::unique_lock lock(s->mu);
    if (s->mode == StreamMode::kOnDemand) return errors::on_demand(key);
    if (s->status != StreamStatus::kActive) return errors::not_active(key, to_string(s->status));
    for (int i : {*a, *b}) {
        auto r = resolve_open_shard(key, *s, i);
        if (!r) return r.error();
    }
    const auto& ra = s->shards[*a].range;
    const auto& rb = s->shards[*b].range;
    if (ra.end == kMaxHashKey || ra.end + 1 != rb.start) {
        return errors::not_adjacent(key, shard_id(*a), shard_id(*b));
    }
    im.schedule_update(*s, {PendingOp::kMerge, *a, *b, 0, {}});
    lock.unlock();
    im.notify(key);
    return {};
}

Result<int> Store::update_shard_count(const StreamKey& key, int target) {
    auto& im = *impl_;
    auto s = im.find(key);
    if (!s) return errors::stream_not_found(key);
    int open = 0;
    {
        std::shared_lock lock(s->mu);
        if (s->mode == StreamMode::kOnDemand) return errors::on_demand(key);
        if (s->status != StreamStatus::kActive)
            return errors::not_active(key, to_string(s->status));
        for (const auto& sh : s->shards)
            open += sh.open() ? 1 : 0;
    }
    if (target > 2 * open) return errors::scale_up_limit(open, target);
    if (2 * target < open) return errors::scale_down_limit(open, target);
    int account_open = im.open_shards_in(key.account, key.region);
    if (account_open - open + target > im.options.shard_limit) {
        return errors::shard_limit(key.account, key.region, account_open, im.options.shard_limit,
                                   target - open);
    }
    if (target == open) return open;
    std::unique_lock lock(s->mu);
    if (s->status != StreamStatus::kActive) return errors::not_active(key, to_string(s->status));
    im.schedule_update(*s, {PendingOp::kShardCount, target, 0, 0, {}});
    lock.unlock();
    im.notify(key);
    return open;
}

}  // namespace kemu::kinesis
