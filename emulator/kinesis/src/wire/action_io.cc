// The shared readers and writers of the action files (action_io.h).

#include "action_io.h"

#include <cmath>

#include "../errors.h"

namespace kemu::kinesis::wire {
namespace json = boost::json;

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
std::optional<int64_t> opt_timestamp_ms(const json::object& in, std::string_view name) {
    auto* v = field(in, name);
    if (!v) return std::nullopt;
    return static_cast<int64_t>(std::llround(v->to_number<double>() * 1000.0));
}

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
            return errors::arn_and_name_differ(*arn, *name);
        }
        return StreamKey{parts[4], parts[3], arn_name};
    }
    return StreamKey{ctx.account, ctx.region, name.value_or("")};
}

ActionOutput empty() {
    return {true, {}};
}
ActionOutput body(const json::object& o) {
    return {false, json::serialize(o)};
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

}  // namespace kemu::kinesis::wire
