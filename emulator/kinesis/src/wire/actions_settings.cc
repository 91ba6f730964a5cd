// Stream settings: retention, tags, encryption, enhanced monitoring.

#include <algorithm>
#include <cctype>

#include "../errors.h"
#include "action_io.h"

namespace kemu::kinesis::wire {
namespace json = boost::json;
namespace {

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

// AWS: tag text is Unicode letters, digits, white space and _ . / = + - % @. AWS looks the
// stream up first (a missing stream is not found, whatever its tags), then judges every text's
// characters, then any '%' (docs/aws/kinesis.md, Tags).
std::optional<AwsError> check_tags(Context& ctx, const StreamKey& key,
                                   const std::vector<std::string_view>& texts, bool adding) {
    auto allowed = [](unsigned char c) {
        return c >= 0x80 ||  // non-ASCII: letters of other scripts
               std::isalnum(c) || c == ' ' ||
               std::string_view("_./=+-@%").find(static_cast<char>(c)) != std::string_view::npos;
    };
    auto percent = [](std::string_view t) { return t.find('%') != std::string_view::npos; };
    std::optional<AwsError> refusal;
    if (std::any_of(texts.begin(), texts.end(), [&](std::string_view t) {
            return !std::all_of(t.begin(), t.end(), allowed);
        })) {
        refusal = errors::tag_characters();
    } else if (std::any_of(texts.begin(), texts.end(), percent)) {
        refusal = errors::tag_percent(key, adding);
    } else {
        return std::nullopt;
    }
    if (auto exists = ctx.store.list_tags(key); !exists) return exists.error();
    return refusal;
}

template <bool kStart>
Out encryption(Context& ctx, const json::object& in) {
    auto key = stream_key(ctx, in);
    if (!key) return key.error();
    if (in.at("EncryptionType").as_string() != "KMS") {
        return errors::encryption_none();
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

}  // namespace

Out increase_retention(Context& ctx, const json::object& in) {
    return change_retention<true>(ctx, in);
}
Out decrease_retention(Context& ctx, const json::object& in) {
    return change_retention<false>(ctx, in);
}
Out start_encryption(Context& ctx, const json::object& in) {
    return encryption<true>(ctx, in);
}
Out stop_encryption(Context& ctx, const json::object& in) {
    return encryption<false>(ctx, in);
}
Out enable_monitoring(Context& ctx, const json::object& in) {
    return monitoring<true>(ctx, in);
}
Out disable_monitoring(Context& ctx, const json::object& in) {
    return monitoring<false>(ctx, in);
}

Out add_tags(Context& ctx, const json::object& in) {
    auto key = stream_key(ctx, in);
    if (!key) return key.error();
    std::vector<Tag> tags;
    for (const auto& kv : in.at("Tags").as_object()) {
        tags.push_back({std::string(kv.key()),
                        kv.value().is_string() ? std::string(kv.value().as_string()) : ""});
    }
    std::vector<std::string_view> texts;
    for (const auto& t : tags) {
        texts.push_back(t.key);
        texts.push_back(t.value);
    }
    if (auto e = check_tags(ctx, *key, texts, true)) return *e;
    auto r = ctx.store.add_tags(*key, tags);
    if (!r) return r.error();
    return empty();
}

Out remove_tags(Context& ctx, const json::object& in) {
    auto key = stream_key(ctx, in);
    if (!key) return key.error();
    std::vector<std::string> keys;
    for (const auto& k : in.at("TagKeys").as_array()) {
        if (!k.is_null()) keys.emplace_back(k.as_string());  // a null element names no tag
    }
    if (auto e = check_tags(ctx, *key, {keys.begin(), keys.end()}, false)) return *e;
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

}  // namespace kemu::kinesis::wire
