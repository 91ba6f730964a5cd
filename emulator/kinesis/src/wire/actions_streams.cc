// Stream actions: create, delete, describe, resharding (split, merge, shard count), limits.

#include <algorithm>

#include "../errors.h"
#include "action_io.h"

namespace kemu::kinesis::wire {
namespace json = boost::json;
Out create_stream(Context& ctx, const json::object& in) {
    std::optional<StreamMode> mode;
    if (auto* d = field(in, "StreamModeDetails")) {
        mode = d->as_object().at("StreamMode").as_string() == "ON_DEMAND"
                   ? StreamMode::kOnDemand
                   : StreamMode::kProvisioned;
    }
    std::vector<Tag> tags;
    if (auto* t = field(in, "Tags")) {
        for (const auto& kv : t->as_object()) {
            tags.push_back({std::string(kv.key()),
                            kv.value().is_string() ? std::string(kv.value().as_string()) : ""});
        }
    }
    std::optional<int> count;
    if (auto c = opt_int(in, "ShardCount")) count = static_cast<int>(*c);
    StreamKey key{ctx.account, ctx.region, *opt_string(in, "StreamName")};
    auto r = ctx.store.create_stream(key, count, mode, tags);
    if (!r) return r.error();
    return empty();
}

Out delete_stream(Context& ctx, const json::object& in) {
    auto key = stream_key(ctx, in);
    if (!key) return key.error();
    auto* e = field(in, "EnforceConsumerDeletion");
    auto r = ctx.store.delete_stream(*key, e && e->as_bool());
    if (!r) return r.error();
    return empty();
}

Out describe_stream(Context& ctx, const json::object& in) {
    auto key = stream_key(ctx, in);
    if (!key) return key.error();
    auto d = ctx.store.describe_stream(*key);
    if (!d) return d.error();
    int64_t limit = std::min<int64_t>(opt_int(in, "Limit").value_or(100), 100);
    int after = -1;
    if (auto ex = opt_string(in, "ExclusiveStartShardId")) {
        after = parse_shard_id(*ex).value_or(-1);
    }
    json::array shards;
    bool more = false;
    for (const auto& s : d->shards) {
        if (s.index <= after) continue;
        if (static_cast<int64_t>(shards.size()) >= limit) {
            more = true;
            break;
        }
        shards.push_back(shard_json(s));
    }
    json::object sd{{"StreamName", d->name},
                    {"StreamARN", d->arn},
                    {"StreamStatus", to_string(d->status)},
                    {"StreamModeDetails", json::object{{"StreamMode", to_string(d->mode)}}},
                    {"Shards", std::move(shards)},
                    {"HasMoreShards", more},
                    {"RetentionPeriodHours", d->retention_hours},
                    {"StreamCreationTimestamp", d->creation_secs},
                    {"EnhancedMonitoring", enhanced_monitoring(d->shard_level_metrics)},
                    {"EncryptionType", d->encrypted ? "KMS" : "NONE"}};
    if (d->encrypted) sd["KeyId"] = d->key_id;
    return body({{"StreamDescription", std::move(sd)}});
}

Out describe_stream_summary(Context& ctx, const json::object& in) {
    auto key = stream_key(ctx, in);
    if (!key) return key.error();
    auto d = ctx.store.describe_stream(*key);
    if (!d) return d.error();
    json::object sd{{"StreamName", d->name},
                    {"StreamARN", d->arn},
                    {"StreamStatus", to_string(d->status)},
                    {"StreamModeDetails", json::object{{"StreamMode", to_string(d->mode)}}},
                    {"RetentionPeriodHours", d->retention_hours},
                    {"StreamCreationTimestamp", d->creation_secs},
                    {"EnhancedMonitoring", enhanced_monitoring(d->shard_level_metrics)},
                    {"EncryptionType", d->encrypted ? "KMS" : "NONE"},
                    {"OpenShardCount", d->open_shard_count},
                    {"ConsumerCount", d->consumer_count}};
    if (d->encrypted) sd["KeyId"] = d->key_id;
    return body({{"StreamDescriptionSummary", std::move(sd)}});
}

Out split_shard(Context& ctx, const json::object& in) {
    auto key = stream_key(ctx, in);
    if (!key) return key.error();
    auto r = ctx.store.split_shard(*key, in.at("ShardToSplit").as_string(),
                                   in.at("NewStartingHashKey").as_string());
    if (!r) return r.error();
    return empty();
}

Out merge_shards(Context& ctx, const json::object& in) {
    auto key = stream_key(ctx, in);
    if (!key) return key.error();
    auto r = ctx.store.merge_shards(*key, in.at("ShardToMerge").as_string(),
                                    in.at("AdjacentShardToMerge").as_string());
    if (!r) return r.error();
    return empty();
}

Out update_shard_count(Context& ctx, const json::object& in) {
    auto key = stream_key(ctx, in);
    if (!key) return key.error();
    int target = static_cast<int>(*opt_int(in, "TargetShardCount"));
    if (target > 10000) {
        return errors::shard_count_above_max(target);
    }
    auto r = ctx.store.update_shard_count(*key, target);
    if (!r) return r.error();
    return body({{"StreamName", key->name},
                 {"CurrentShardCount", *r},
                 {"TargetShardCount", target},
                 {"StreamARN", ctx.store.stream_arn(*key)}});
}

Out describe_limits(Context& ctx, const json::object&) {
    auto l = ctx.store.describe_limits(ctx.account, ctx.region);
    return body({{"ShardLimit", l.shard_limit},
                 {"OpenShardCount", l.open_shard_count},
                 {"OnDemandStreamCount", l.on_demand_stream_count},
                 {"OnDemandStreamCountLimit", l.on_demand_stream_count_limit}});
}

}  // namespace kemu::kinesis::wire
