// Record actions: PutRecord, PutRecords, GetShardIterator, GetRecords, and the records
// renderer SubscribeToShard events share.

#include <cstdio>
#include <map>

#include "../errors.h"
#include "action_io.h"
#include "core/encoding.h"

namespace kemu::kinesis::wire {
namespace json = boost::json;
namespace {

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
        return errors::stream_not_found(key);
    }
    return e;
}

}  // namespace

Out put_record(Context& ctx, const json::object& in) {
    auto key = stream_key(ctx, in);
    if (!key) return key.error();
    auto ehk = explicit_hash_key(in);
    if (!ehk) return after_lookup(ctx, *key, ehk.error());
    if (auto seq = opt_string(in, "SequenceNumberForOrdering")) {
        auto p = decode_sequence(*seq);
        if (!p || p->record_secs * 1000 > ctx.clock.now_ms() + 1000) {
            return after_lookup(ctx, *key, errors::bad_ordering_number(*key, *seq));
        }
    }
    auto data = base64_decode(in.at("Data").as_string());
    std::string_view pk = in.at("PartitionKey").as_string();
    if (data->size() + pk.size() > (1u << 20)) {
        return after_lookup(ctx, *key, errors::record_too_large());
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
        // Each record's data and key count against 1 MiB, as in PutRecord; one over it fails
        // the whole request (AWS's PutRecords reference: "Each record in the request can be as
        // large as 1 MiB ... including partition keys").
        if (datas.back().size() + pk.size() > (1u << 20)) {
            return after_lookup(ctx, *key, errors::record_too_large());
        }
        total += datas.back().size() + pk.size();
        inputs.push_back({pk, *ehk, datas.back()});
    }
    if (total > (5u << 20)) {
        return after_lookup(ctx, *key, errors::records_too_large());
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

}  // namespace kemu::kinesis::wire
