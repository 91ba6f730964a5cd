// Paged listings: ListStreams and ListShards, with their sealed NextTokens.

#include <algorithm>
#include <charconv>

#include "../errors.h"
#include "../token.h"
#include "action_io.h"

namespace kemu::kinesis::wire {
namespace json = boost::json;
namespace {

// Which stream a ListShards page reads, where it starts and which shards it keeps: from the
// request, or carried over in the NextToken of the page before.
struct ShardQuery {
    StreamKey key;
    int after = -1;  // the index of ExclusiveStartShardId (or the last shard of the page before)
    std::string filter_type = "FROM_TRIM_HORIZON";
    std::optional<std::string> filter_shard;
    std::optional<int64_t> filter_ts;
};

Result<ShardQuery> query_from_token(const json::object& in, const std::string& token, int64_t now) {
    for (const char* other : {"StreamName", "StreamARN", "ExclusiveStartShardId",
                              "StreamCreationTimestamp", "ShardFilter"}) {
        if (field(in, other)) {
            return errors::next_token_and(other);
        }
    }
    auto plain = unseal_token(token);
    if (!plain) return errors::invalid_next_token();
    auto f = split(*plain, '/');
    int64_t issued = 0;
    if (f.size() != 9 || f[0] != "sh" ||
        std::from_chars(f[1].data(), f[1].data() + f[1].size(), issued).ec != std::errc()) {
        return errors::invalid_next_token();
    }
    if (now - issued > 300'000) return errors::next_token_expired();
    ShardQuery q;
    q.key = {std::string(f[2]), std::string(f[3]), std::string(f[4])};
    q.after = parse_shard_id(f[5]).value_or(-1);
    q.filter_type = std::string(f[6]);
    if (!f[7].empty()) q.filter_shard = std::string(f[7]);
    if (!f[8].empty()) q.filter_ts = std::stoll(std::string(f[8]));
    return q;
}

Result<ShardQuery> query_from_request(Context& ctx, const json::object& in) {
    ShardQuery q;
    auto k = stream_key(ctx, in);
    if (!k) return k.error();
    q.key = *k;
    if (auto ex = opt_string(in, "ExclusiveStartShardId")) {
        q.after = parse_shard_id(*ex).value_or(-1);
    }
    auto* f = field(in, "ShardFilter");
    if (!f) return q;
    const auto& o = f->as_object();
    q.filter_type = std::string(o.at("Type").as_string());
    q.filter_shard = opt_string(o, "ShardId");
    q.filter_ts = opt_timestamp_ms(o, "Timestamp");
    if (q.filter_type == "AFTER_SHARD_ID" && !q.filter_shard) {
        return errors::filter_shard_required();
    }
    if ((q.filter_type == "AT_TIMESTAMP" || q.filter_type == "FROM_TIMESTAMP") && !q.filter_ts) {
        return errors::filter_timestamp_required(q.filter_type);
    }
    return q;
}

// The ShardFilter's test.
bool keep_shard(const ShardDesc& s, const ShardQuery& q, const StreamDesc& d, int64_t now) {
    const auto& type = q.filter_type;
    if (type == "AFTER_SHARD_ID") {
        return s.index > (q.filter_shard ? parse_shard_id(*q.filter_shard).value_or(-1) : -1);
    }
    if (type == "AT_LATEST") return s.open();
    if (type == "AT_TRIM_HORIZON") {
        // Open at the trim horizon: not closed before it.
        int64_t horizon = now - static_cast<int64_t>(d.retention_hours) * 3600'000;
        bool keep = s.created_ms <= horizon || !s.parent;
        return keep && (!s.closed_ms || *s.closed_ms >= horizon);
    }
    if (type == "AT_TIMESTAMP") {
        return s.created_ms <= *q.filter_ts && (s.open() || *s.closed_ms >= *q.filter_ts);
    }
    if (type == "FROM_TIMESTAMP") return s.open() || *s.closed_ms >= *q.filter_ts;
    return true;
}

}  // namespace

Out list_streams(Context& ctx, const json::object& in) {
    auto token = opt_string(in, "NextToken");
    auto start = opt_string(in, "ExclusiveStartStreamName");
    if (token && start) {
        return errors::next_token_and("ExclusiveStartStreamName");
    }
    std::string after = start.value_or("");
    if (token) {
        auto plain = unseal_token(*token);
        if (!plain) return errors::invalid_next_token();
        auto f = split(*plain, '/');
        if (f.size() != 5 || f[0] != "ls" || f[2] != ctx.account || f[3] != ctx.region) {
            return errors::invalid_next_token();
        }
        after = std::string(f[4]);
    }
    int64_t limit = std::min<int64_t>(opt_int(in, "Limit").value_or(100), 100);
    json::array names, summaries;
    bool more = false;
    for (const auto& s : ctx.store.list_streams(ctx.account, ctx.region)) {
        if (!after.empty() && s.name <= after) continue;
        if (static_cast<int64_t>(names.size()) >= limit) {
            more = true;
            break;
        }
        names.push_back(json::string(s.name));
        summaries.push_back(
            json::object{{"StreamName", s.name},
                         {"StreamARN", s.arn},
                         {"StreamStatus", to_string(s.status)},
                         {"StreamModeDetails", json::object{{"StreamMode", to_string(s.mode)}}},
                         {"StreamCreationTimestamp", s.creation_secs}});
    }
    json::object out{{"StreamNames", names}, {"HasMoreStreams", more}};
    if (more) {
        // CLI v1/v2 paginate on NextToken and stop after page one without it.
        out["NextToken"] =
            seal_token("ls/" + std::to_string(ctx.clock.now_ms()) + "/" + ctx.account + "/" +
                       ctx.region + "/" + std::string(names.back().as_string()));
    }
    out["StreamSummaries"] = std::move(summaries);
    return body(out);
}

Out list_shards(Context& ctx, const json::object& in) {
    auto token = opt_string(in, "NextToken");
    bool has_name = field(in, "StreamName"), has_arn = field(in, "StreamARN");
    if (!token && !has_name && !has_arn) {
        return errors::stream_name_or_token_required();
    }
    int64_t now = ctx.clock.now_ms();
    auto q = token ? query_from_token(in, *token, now) : query_from_request(ctx, in);
    if (!q) return q.error();
    const StreamKey& key = q->key;
    auto d = ctx.store.describe_stream(key);
    if (!d) return d.error();
    if (!token) {
        if (auto ts = opt_timestamp_ms(in, "StreamCreationTimestamp");
            ts && *ts / 1000 != d->creation_secs) {
            return errors::stream_not_found(key);
        }
    }
    int64_t limit = std::min<int64_t>(opt_int(in, "MaxResults").value_or(1000), 1000);
    json::array shards;
    std::optional<int> last;
    bool more = false;
    for (const auto& s : d->shards) {
        if (s.index <= q->after || !keep_shard(s, *q, *d, now)) continue;
        if (static_cast<int64_t>(shards.size()) >= limit) {
            more = true;
            break;
        }
        shards.push_back(shard_json(s));
        last = s.index;
    }
    json::object out{{"Shards", std::move(shards)}};
    if (more && last) {
        out["NextToken"] = seal_token("sh/" + std::to_string(now) + "/" + key.account + "/" +
                                      key.region + "/" + key.name + "/" + std::to_string(*last) +
                                      "/" + q->filter_type + "/" + q->filter_shard.value_or("") +
                                      "/" + (q->filter_ts ? std::to_string(*q->filter_ts) : ""));
    }
    return body(out);
}

}  // namespace kemu::kinesis::wire
