#include "actions.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <map>

#include "../errors.h"
#include "../token.h"
#include "core/encoding.h"

namespace kemu::kinesis::wire {
namespace json = boost::json;
namespace {

using Out = Result<ActionOutput>;

const json::value* field(const json::object& in, std::string_view name) {
    auto it = in.find(name);
    if (it == in.end() || it->value().is_null()) return nullptr;
    return &it->value();
}
std::optional<std::string> opt_string(const json::object& in, std::string_view name) {
    auto* v = field(in, name);
    if (!v) return std::nullopt;
    return std::string(v->as_string());
}
std::optional<int64_t> opt_int(const json::object& in, std::string_view name) {
    auto* v = field(in, name);
    if (!v) return std::nullopt;
    return v->is_int64() ? v->as_int64() : static_cast<int64_t>(v->to_number<double>());
}
// Timestamps arrive as epoch seconds (integer or fraction).
std::optional<int64_t> opt_timestamp_ms(const json::object& in, std::string_view name) {
    auto* v = field(in, name);
    if (!v) return std::nullopt;
    return static_cast<int64_t>(std::llround(v->to_number<double>() * 1000.0));
}

ActionOutput empty() {
    return {true, {}};
}
ActionOutput body(const json::object& o) {
    return {false, json::serialize(o)};
}

// The stream a request names, by StreamARN (its account and region) or StreamName.
Result<StreamKey> stream_key(Context& ctx, const json::object& in) {
    auto name = opt_string(in, "StreamName");
    auto arn = opt_string(in, "StreamARN");
    if (arn) {
        // arn:aws:kinesis:{region}:{account}:stream/{name}
        std::vector<std::string> parts;
        size_t start = 0;
        for (int i = 0; i < 5; ++i) {
            auto c = arn->find(':', start);
            parts.push_back(arn->substr(start, c - start));
            start = c + 1;
        }
        std::string arn_name = arn->substr(start + 7);  // after "stream/"
        if (name && *name != arn_name) {
            return make_error(
                AwsErrorCode::kInvalidArgument,
                "StreamARN " + *arn + " and StreamName " + *name + " refer to different streams.");
        }
        return StreamKey{parts[4], parts[3], arn_name};
    }
    return StreamKey{ctx.account, ctx.region, name.value_or("")};
}

json::object hash_range(const HashRange& r) {
    return {{"StartingHashKey", u128_to_string(r.start)}, {"EndingHashKey", u128_to_string(r.end)}};
}

json::object shard_json(const ShardDesc& s) {
    json::object o;
    o["ShardId"] = shard_id(s.index);
    if (s.parent) o["ParentShardId"] = shard_id(*s.parent);
    if (s.adjacent_parent) o["AdjacentParentShardId"] = shard_id(*s.adjacent_parent);
    o["HashKeyRange"] = hash_range(s.range);
    json::object seq{{"StartingSequenceNumber", s.starting_sequence}};
    if (s.ending_sequence) seq["EndingSequenceNumber"] = *s.ending_sequence;
    o["SequenceNumberRange"] = std::move(seq);
    return o;
}

json::array metrics_json(const std::vector<std::string>& m) {
    json::array a;
    for (const auto& x : m)
        a.push_back(json::string(x));
    return a;
}

json::array enhanced_monitoring(const std::vector<std::string>& m) {
    return json::array{json::object{{"ShardLevelMetrics", metrics_json(m)}}};
}

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

std::vector<std::string_view> split(std::string_view s, char sep) {
    std::vector<std::string_view> out;
    size_t start = 0;
    for (;;) {
        auto p = s.find(sep, start);
        out.push_back(s.substr(start, p == std::string_view::npos ? p : p - start));
        if (p == std::string_view::npos) break;
        start = p + 1;
    }
    return out;
}

AwsError invalid_next_token() {
    return {AwsErrorCode::kInvalidArgument, "Invalid NextToken."};
}

Out list_streams(Context& ctx, const json::object& in) {
    auto token = opt_string(in, "NextToken");
    auto start = opt_string(in, "ExclusiveStartStreamName");
    if (token && start) {
        return make_error(AwsErrorCode::kInvalidArgument,
                          "NextToken and ExclusiveStartStreamName cannot be provided together.");
    }
    std::string after = start.value_or("");
    if (token) {
        auto plain = unseal_token(*token);
        if (!plain) return invalid_next_token();
        auto f = split(*plain, '/');
        if (f.size() != 5 || f[0] != "ls" || f[2] != ctx.account || f[3] != ctx.region) {
            return invalid_next_token();
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
        return make_error(AwsErrorCode::kInvalidArgument,
                          "Either NextToken or StreamName should be provided.");
    }
    std::string filter_type = "FROM_TRIM_HORIZON";
    std::optional<std::string> filter_shard;
    std::optional<int64_t> filter_ts;
    int after = -1;
    StreamKey key;
    int64_t now = ctx.clock.now_ms();
    if (token) {
        for (const char* other : {"StreamName", "StreamARN", "ExclusiveStartShardId",
                                  "StreamCreationTimestamp", "ShardFilter"}) {
            if (field(in, other)) {
                return make_error(
                    AwsErrorCode::kInvalidArgument,
                    std::string("NextToken and ") + other + " cannot be provided together.");
            }
        }
        auto plain = unseal_token(*token);
        if (!plain) return invalid_next_token();
        auto f = split(*plain, '/');
        int64_t issued = 0;
        if (f.size() != 9 || f[0] != "sh" ||
            std::from_chars(f[1].data(), f[1].data() + f[1].size(), issued).ec != std::errc()) {
            return invalid_next_token();
        }
        if (now - issued > 300'000) {
            return make_error(AwsErrorCode::kExpiredNextToken, "The NextToken has expired.");
        }
        key = {std::string(f[2]), std::string(f[3]), std::string(f[4])};
        after = parse_shard_id(f[5]).value_or(-1);
        filter_type = std::string(f[6]);
        if (!f[7].empty()) filter_shard = std::string(f[7]);
        if (!f[8].empty()) filter_ts = std::stoll(std::string(f[8]));
    } else {
        auto k = stream_key(ctx, in);
        if (!k) return k.error();
        key = *k;
        if (auto ex = opt_string(in, "ExclusiveStartShardId"))
            after = parse_shard_id(*ex).value_or(-1);
        if (auto* f = field(in, "ShardFilter")) {
            const auto& o = f->as_object();
            filter_type = std::string(o.at("Type").as_string());
            filter_shard = opt_string(o, "ShardId");
            filter_ts = opt_timestamp_ms(o, "Timestamp");
            if (filter_type == "AFTER_SHARD_ID" && !filter_shard) {
                return make_error(
                    AwsErrorCode::kInvalidArgument,
                    "Must specify ShardId in ShardFilter when Type is AFTER_SHARD_ID.");
            }
            if ((filter_type == "AT_TIMESTAMP" || filter_type == "FROM_TIMESTAMP") && !filter_ts) {
                return make_error(
                    AwsErrorCode::kInvalidArgument,
                    "Must specify Timestamp in ShardFilter when Type is " + filter_type + ".");
            }
        }
    }
    auto d = ctx.store.describe_stream(key);
    if (!d) return d.error();
    if (!token) {
        if (auto ts = opt_timestamp_ms(in, "StreamCreationTimestamp");
            ts && *ts / 1000 != d->creation_secs) {
            return make_error(
                AwsErrorCode::kResourceNotFound,
                "Stream " + key.name + " under account " + key.account + " not found.");
        }
    }
    int64_t limit = std::min<int64_t>(opt_int(in, "MaxResults").value_or(1000), 1000);
    int filter_after = filter_shard ? parse_shard_id(*filter_shard).value_or(-1) : -1;
    json::array shards;
    std::optional<int> last;
    bool more = false;
    for (const auto& s : d->shards) {
        if (s.index <= after) continue;
        bool keep = true;
        if (filter_type == "AFTER_SHARD_ID") {
            keep = s.index > filter_after;
        } else if (filter_type == "AT_LATEST") {
            keep = s.open();
        } else if (filter_type == "AT_TRIM_HORIZON") {
            // Open at the trim horizon: not closed before it.
            int64_t horizon = now - static_cast<int64_t>(d->retention_hours) * 3600'000;
            keep = s.created_ms <= horizon || !s.parent;
            keep = keep && (!s.closed_ms || *s.closed_ms >= horizon);
        } else if (filter_type == "AT_TIMESTAMP") {
            keep = s.created_ms <= *filter_ts && (s.open() || *s.closed_ms >= *filter_ts);
        } else if (filter_type == "FROM_TIMESTAMP") {
            keep = s.open() || *s.closed_ms >= *filter_ts;
        }
        if (!keep) continue;
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
                                      "/" + filter_type + "/" + filter_shard.value_or("") + "/" +
                                      (filter_ts ? std::to_string(*filter_ts) : ""));
    }
    return body(out);
}

// Decoded ExplicitHashKey, or the InvalidArgumentException AWS gives for one out of range.
Result<std::optional<u128>> explicit_hash_key(const json::object& in) {
    auto v = opt_string(in, "ExplicitHashKey");
    if (!v) return std::optional<u128>{};
    auto k = parse_u128(*v);
    if (!k) return errors::invalid_explicit_hash_key(*v);
    return std::optional<u128>{*k};
}

// AWS looks the stream up before it judges a record's arguments; kemu checks only on the error
// path, so the hot path does one lookup.
AwsError after_lookup(Context& ctx, const StreamKey& key, AwsError e) {
    auto d = ctx.store.describe_stream(key);
    if (!d || (d->status != StreamStatus::kActive && d->status != StreamStatus::kUpdating)) {
        return {AwsErrorCode::kResourceNotFound,
                "Stream " + key.name + " under account " + key.account + " not found."};
    }
    return e;
}

Out put_record(Context& ctx, const json::object& in) {
    auto key = stream_key(ctx, in);
    if (!key) return key.error();
    auto ehk = explicit_hash_key(in);
    if (!ehk) return after_lookup(ctx, *key, ehk.error());
    if (auto seq = opt_string(in, "SequenceNumberForOrdering")) {
        auto p = decode_sequence(*seq);
        if (!p || p->record_secs * 1000 > ctx.clock.now_ms() + 1000) {
            return after_lookup(
                ctx, *key,
                {AwsErrorCode::kInvalidArgument,
                 "ExclusiveMinimumSequenceNumber " + *seq + " used in PutRecord on stream " +
                     key->name + " under account " + key->account + " is invalid."});
        }
    }
    auto data = base64_decode(in.at("Data").as_string());
    std::string_view pk = in.at("PartitionKey").as_string();
    if (data->size() + pk.size() > (1u << 20)) {
        return after_lookup(ctx, *key,
                            {AwsErrorCode::kInvalidArgument,
                             "The size of the record (data and partition key) exceeds 1 MiB."});
    }
    auto r = ctx.store.put(*key, {pk, *ehk, *data});
    if (!r) return r.error();
    std::string out;
    out.reserve(160);
    out += R"({"ShardId":")";
    out += r->shard_id;
    out += R"(","SequenceNumber":")";
    out += r->sequence_number;
    out += r->encrypted ? R"(","EncryptionType":"KMS"})" : R"("})";
    return ActionOutput{false, std::move(out)};
}

Out put_records(Context& ctx, const json::object& in) {
    auto key = stream_key(ctx, in);
    if (!key) return key.error();
    const auto& recs = in.at("Records").as_array();
    std::vector<std::string> datas;
    datas.reserve(recs.size());
    std::vector<PutInput> inputs;
    inputs.reserve(recs.size());
    size_t total = 0;
    for (const auto& e : recs) {
        const auto& o = e.as_object();
        auto ehk = explicit_hash_key(o);
        if (!ehk) return after_lookup(ctx, *key, ehk.error());
        datas.push_back(*base64_decode(o.at("Data").as_string()));
        std::string_view pk = o.at("PartitionKey").as_string();
        total += datas.back().size() + pk.size();
        inputs.push_back({pk, *ehk, datas.back()});
    }
    if (total > (5u << 20)) {
        return after_lookup(ctx, *key,
                            {AwsErrorCode::kInvalidArgument, "Records size exceeds 5 MB limit"});
    }
    // The stream's existence is checked before any record is routed.
    auto r = ctx.store.put_batch(*key, inputs);
    if (!r) return r.error();
    std::string out;
    out.reserve(40 + r->records.size() * 120);
    out += R"({"FailedRecordCount":)";
    out += std::to_string(r->failed);
    out += R"(,"Records":[)";
    for (size_t i = 0; i < r->records.size(); ++i) {
        const auto& e = r->records[i];
        if (i) out.push_back(',');
        if (e.error_code.empty()) {
            out += R"({"SequenceNumber":")";
            out += e.sequence_number;
            out += R"(","ShardId":")";
            out += e.shard_id;
            out += R"("})";
        } else {
            out += R"({"ErrorCode":)";
            append_json_string(out, e.error_code);
            out += R"(,"ErrorMessage":)";
            append_json_string(out, e.error_message);
            out += "}";
        }
    }
    out += r->encrypted ? R"(],"EncryptionType":"KMS"})" : "]}";
    return ActionOutput{false, std::move(out)};
}

Out get_shard_iterator(Context& ctx, const json::object& in) {
    auto key = stream_key(ctx, in);
    if (!key) return key.error();
    IteratorStart start;
    start.type = iterator_type(in.at("ShardIteratorType").as_string());
    start.sequence_number = opt_string(in, "StartingSequenceNumber");
    start.timestamp_ms = opt_timestamp_ms(in, "Timestamp");
    auto it = ctx.store.get_shard_iterator(*key, in.at("ShardId").as_string(), start);
    if (!it) return it.error();
    std::string out = R"({"ShardIterator":")" + *it + R"("})";
    return ActionOutput{false, std::move(out)};
}

Out get_records(Context& ctx, const json::object& in) {
    int limit = static_cast<int>(opt_int(in, "Limit").value_or(10000));
    auto r = ctx.store.get_records(in.at("ShardIterator").as_string(), limit);
    if (!r) return r.error();
    std::string out;
    size_t est = 64;
    for (const auto& rec : r->records)
        est += rec.data.size() * 4 / 3 + rec.partition_key.size() + 160;
    out.reserve(est + 600);
    out += R"({"Records":)";
    append_records_json(out, r->records);
    if (r->next_iterator) {
        out += R"(,"NextShardIterator":")";
        out += *r->next_iterator;
        out += "\"";
    }
    out += R"(,"MillisBehindLatest":)";
    out += std::to_string(r->millis_behind_latest);
    if (!r->next_iterator) {
        json::array children;
        for (const auto& c : r->child_shards) {
            json::array parents;
            for (const auto& p : c.parent_shards)
                parents.push_back(json::string(p));
            children.push_back(json::object{{"ShardId", c.shard_id},
                                            {"ParentShards", std::move(parents)},
                                            {"HashKeyRange", hash_range(c.range)}});
        }
        out += R"(,"ChildShards":)";
        out += json::serialize(children);
    }
    out += "}";
    return ActionOutput{false, std::move(out)};
}

Out split_shard(Context& ctx, const json::object& in) {
    auto key = stream_key(ctx, in);
    if (!key) return key.error();
    auto k = parse_u128(in.at("NewStartingHashKey").as_string());
    if (!k) {
        return make_error(
            AwsErrorCode::kInvalidArgument,
            "NewStartingHashKey " + std::string(in.at("NewStartingHashKey").as_string()) +
                " used in SplitShard() on shard " + std::string(in.at("ShardToSplit").as_string()) +
                " in stream " + key->name + " under account " + key->account +
                " is not both greater than one plus the shard's StartingHashKey and "
                "less than the shard's EndingHashKey.");
    }
    auto r = ctx.store.split_shard(*key, in.at("ShardToSplit").as_string(), *k);
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
        return make_error(AwsErrorCode::kLimitExceeded,
                          "UpdateShardCount cannot scale above 10000 shards. Target shard count: " +
                              std::to_string(target));
    }
    auto r = ctx.store.update_shard_count(*key, target);
    if (!r) return r.error();
    return body({{"StreamName", key->name},
                 {"CurrentShardCount", *r},
                 {"TargetShardCount", target},
                 {"StreamARN", ctx.store.stream_arn(*key)}});
}

template <bool kIncrease>
Out change_retention(Context& ctx, const json::object& in) {
    auto key = stream_key(ctx, in);
    if (!key) return key.error();
    int hours = static_cast<int>(*opt_int(in, "RetentionPeriodHours"));
    auto r = kIncrease ? ctx.store.increase_retention(*key, hours)
                       : ctx.store.decrease_retention(*key, hours);
    if (!r) return r.error();
    return empty();
}

// AWS: tag text is Unicode letters, digits, white space and _ . / = + - % @.
std::optional<AwsError> check_tag_chars(const std::string& text, const StreamKey& key,
                                        bool adding) {
    if (text.find('%') != std::string::npos) {
        return AwsError{
            AwsErrorCode::kInvalidArgument,
            std::string(adding ? "Failed to add tags to stream "
                               : "Failed to remove tags from stream ") +
                key.name + " under account " + key.account +
                " because some tags contained illegal characters. The allowed "
                "characters are Unicode letters, white-spaces, '_',',','/','=','+','-','@'."};
    }
    for (unsigned char c : text) {
        if (c >= 0x80) continue;  // non-ASCII: letters of other scripts
        if (std::isalnum(c) || c == ' ' ||
            std::string_view("_./=+-@").find(static_cast<char>(c)) != std::string_view::npos) {
            continue;
        }
        return AwsError{AwsErrorCode::kInvalidArgument,
                        "Some tags contain invalid characters. Valid characters: Unicode letters, "
                        "digits, white space, _ . / = + - % @."};
    }
    return std::nullopt;
}

Out add_tags(Context& ctx, const json::object& in) {
    auto key = stream_key(ctx, in);
    if (!key) return key.error();
    std::vector<Tag> tags;
    for (const auto& kv : in.at("Tags").as_object()) {
        Tag t{std::string(kv.key()),
              kv.value().is_string() ? std::string(kv.value().as_string()) : ""};
        for (const auto* s : {&t.key, &t.value}) {
            if (auto e = check_tag_chars(*s, *key, true)) return *e;
        }
        tags.push_back(std::move(t));
    }
    auto r = ctx.store.add_tags(*key, tags);
    if (!r) return r.error();
    return empty();
}

Out remove_tags(Context& ctx, const json::object& in) {
    auto key = stream_key(ctx, in);
    if (!key) return key.error();
    std::vector<std::string> keys;
    for (const auto& k : in.at("TagKeys").as_array()) {
        if (k.is_null()) continue;  // a null element names no tag
        keys.emplace_back(k.as_string());
        if (auto e = check_tag_chars(keys.back(), *key, false)) return *e;
    }
    auto r = ctx.store.remove_tags(*key, keys);
    if (!r) return r.error();
    return empty();
}

Out list_tags(Context& ctx, const json::object& in) {
    auto key = stream_key(ctx, in);
    if (!key) return key.error();
    auto tags = ctx.store.list_tags(*key);
    if (!tags) return tags.error();
    auto start = opt_string(in, "ExclusiveStartTagKey");
    int64_t limit = opt_int(in, "Limit").value_or(50);
    json::array out;
    bool more = false;
    for (const auto& t : *tags) {
        if (start && t.key <= *start) continue;
        if (static_cast<int64_t>(out.size()) >= limit) {
            more = true;
            break;
        }
        out.push_back(json::object{{"Key", t.key}, {"Value", t.value}});
    }
    return body({{"Tags", std::move(out)}, {"HasMoreTags", more}});
}

template <bool kStart>
Out encryption(Context& ctx, const json::object& in) {
    auto key = stream_key(ctx, in);
    if (!key) return key.error();
    if (in.at("EncryptionType").as_string() != "KMS") {
        return make_error(AwsErrorCode::kInvalidArgument,
                          "Encryption type NONE is not supported for this operation.");
    }
    auto r = kStart ? ctx.store.start_encryption(*key, std::string(in.at("KeyId").as_string()))
                    : ctx.store.stop_encryption(*key);
    if (!r) return r.error();
    return empty();
}

template <bool kEnable>
Out monitoring(Context& ctx, const json::object& in) {
    auto key = stream_key(ctx, in);
    if (!key) return key.error();
    std::vector<std::string> metrics;
    for (const auto& m : in.at("ShardLevelMetrics").as_array()) {
        if (!m.is_null()) metrics.emplace_back(m.as_string());  // a null element names no metric
    }
    auto r = ctx.store.set_monitoring(*key, metrics, kEnable);
    if (!r) return r.error();
    return body({{"StreamName", key->name},
                 {"CurrentShardLevelMetrics", metrics_json(r->first)},
                 {"DesiredShardLevelMetrics", metrics_json(r->second)},
                 {"StreamARN", ctx.store.stream_arn(*key)}});
}

Out describe_limits(Context& ctx, const json::object&) {
    auto l = ctx.store.describe_limits(ctx.account, ctx.region);
    return body({{"ShardLimit", l.shard_limit},
                 {"OpenShardCount", l.open_shard_count},
                 {"OnDemandStreamCount", l.on_demand_stream_count},
                 {"OnDemandStreamCountLimit", l.on_demand_stream_count_limit}});
}

}  // namespace

void append_seconds(std::string& out, int64_t ms) {
    char buf[32];
    int n = std::snprintf(buf, sizeof buf, "%lld.%03lld", static_cast<long long>(ms / 1000),
                          static_cast<long long>(ms % 1000));
    out.append(buf, static_cast<size_t>(n));
}

void append_records_json(std::string& out, const std::vector<Record>& records) {
    out.push_back('[');
    for (size_t i = 0; i < records.size(); ++i) {
        const auto& rec = records[i];
        if (i) out.push_back(',');
        out += R"({"SequenceNumber":")";
        out += rec.sequence_number;
        out += R"(","ApproximateArrivalTimestamp":)";
        append_seconds(out, rec.arrival_ms);
        out += R"(,"Data":")";
        out += base64_encode(rec.data);
        out += R"(","PartitionKey":)";
        append_json_string(out, rec.partition_key);
        if (rec.encrypted) out += R"(,"EncryptionType":"KMS")";
        out.push_back('}');
    }
    out.push_back(']');
}

IteratorType iterator_type(std::string_view name) {
    static const std::map<std::string, IteratorType, std::less<>> kTypes = {
        {"AT_SEQUENCE_NUMBER", IteratorType::kAtSequenceNumber},
        {"AFTER_SEQUENCE_NUMBER", IteratorType::kAfterSequenceNumber},
        {"TRIM_HORIZON", IteratorType::kTrimHorizon},
        {"LATEST", IteratorType::kLatest},
        {"AT_TIMESTAMP", IteratorType::kAtTimestamp}};
    return kTypes.find(name)->second;
}

Action action_for(std::string_view name) {
    static const std::map<std::string, Action, std::less<>> kActions = {
        {"CreateStream", create_stream},
        {"DeleteStream", delete_stream},
        {"DescribeStream", describe_stream},
        {"DescribeStreamSummary", describe_stream_summary},
        {"ListStreams", list_streams},
        {"ListShards", list_shards},
        {"PutRecord", put_record},
        {"PutRecords", put_records},
        {"GetShardIterator", get_shard_iterator},
        {"GetRecords", get_records},
        {"SplitShard", split_shard},
        {"MergeShards", merge_shards},
        {"UpdateShardCount", update_shard_count},
        {"IncreaseStreamRetentionPeriod", change_retention<true>},
        {"DecreaseStreamRetentionPeriod", change_retention<false>},
        {"AddTagsToStream", add_tags},
        {"RemoveTagsFromStream", remove_tags},
        {"ListTagsForStream", list_tags},
        {"StartStreamEncryption", encryption<true>},
        {"StopStreamEncryption", encryption<false>},
        {"EnableEnhancedMonitoring", monitoring<true>},
        {"DisableEnhancedMonitoring", monitoring<false>},
        {"DescribeLimits", describe_limits},
        {"RegisterStreamConsumer", register_stream_consumer},
        {"DescribeStreamConsumer", describe_stream_consumer},
        {"ListStreamConsumers", list_stream_consumers},
        {"DeregisterStreamConsumer", deregister_stream_consumer},
    };
    auto it = kActions.find(name);
    return it == kActions.end() ? nullptr : it->second;
}

}  // namespace kemu::kinesis::wire
