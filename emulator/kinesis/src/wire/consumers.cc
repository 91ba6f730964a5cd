// Enhanced fan-out actions (docs/aws/kinesis.md, Enhanced fan-out): consumers live in the store;
// ARNs are resolved here; SubscribeToShard's checks run in AWS's order before the hub opens the
// stream.

#include <charconv>
#include <cmath>
#include <cstdio>
#include <map>

#include "../errors.h"
#include "../token.h"
#include "action_io.h"
#include "core/encoding.h"
#include "subscribe.h"

namespace kemu::kinesis::wire {
namespace json = boost::json;
namespace {

// arn:aws:kinesis:{region}:{account}:stream/{stream}[/consumer/{name}:{secs}]
struct ParsedArn {
    StreamKey stream;
    std::string consumer;  // empty for a stream ARN
    std::string stamp;
};

std::optional<ParsedArn> parse_arn(std::string_view arn) {
    std::vector<std::string_view> f;
    size_t start = 0;
    for (int i = 0; i < 5; ++i) {
        auto c = arn.find(':', start);
        if (c == std::string_view::npos) return std::nullopt;
        f.push_back(arn.substr(start, c - start));
        start = c + 1;
    }
    std::string_view rest = arn.substr(start);
    auto st = rest.find("stream/");
    if (st == std::string_view::npos) return std::nullopt;
    rest.remove_prefix(st + 7);
    ParsedArn p;
    auto slash = rest.find("/consumer/");
    p.stream = {std::string(f[4]), std::string(f[3]), std::string(rest.substr(0, slash))};
    if (slash != std::string_view::npos) {
        std::string_view c = rest.substr(slash + 10);
        auto colon = c.rfind(':');
        if (colon == std::string_view::npos) return std::nullopt;
        p.consumer = std::string(c.substr(0, colon));
        p.stamp = std::string(c.substr(colon + 1));
    }
    return p;
}

// Consumer (or ConsumerDescription, with the stream's ARN) as JSON text; the timestamp keeps
// its millisecond fraction, as AWS prints it.
std::string consumer_json(const ConsumerDesc& c, bool with_stream) {
    std::string out = "{\"ConsumerName\":";
    append_json_string(out, c.name);
    out += ",\"ConsumerARN\":";
    append_json_string(out, c.arn);
    out += ",\"ConsumerStatus\":\"";
    out += to_string(c.status);
    out += "\",\"ConsumerCreationTimestamp\":";
    append_seconds(out, c.created_ms);
    if (with_stream) {
        out += ",\"StreamARN\":";
        append_json_string(out, c.stream_arn);
    }
    out += "}";
    return out;
}

struct Resolved {
    StreamKey stream;
    ConsumerDesc consumer;
};

// By ConsumerARN, or StreamARN + ConsumerName; all three may come if they agree.
Result<Resolved> resolve(Context& ctx, const json::object& in) {
    auto carn = opt_string(in, "ConsumerARN");
    auto sarn = opt_string(in, "StreamARN");
    auto name = opt_string(in, "ConsumerName");
    if (carn) {
        auto p = parse_arn(*carn);
        if (!p || p->consumer.empty()) return errors::consumer_not_found(*carn, ctx.account);
        if ((sarn && *sarn != carn->substr(0, carn->find("/consumer/"))) ||
            (name && *name != p->consumer)) {
            return errors::consumer_arn_conflict(*carn);
        }
        auto d = ctx.store.describe_consumer(p->stream, p->consumer);
        // A re-registered name has a new ARN: the old one is not found.
        if (!d || d->arn != *carn) return errors::consumer_not_found(*carn, p->stream.account);
        return Resolved{p->stream, *d};
    }
    if (!sarn || !name) {
        return errors::consumer_identity_required();
    }
    auto p = parse_arn(*sarn);
    if (!p) return errors::stream_not_found({ctx.account, ctx.region, *sarn});
    auto d = ctx.store.describe_consumer(p->stream, *name);
    if (!d) return d.error();
    return Resolved{p->stream, *d};
}

}  // namespace

Out register_stream_consumer(Context& ctx, const json::object& in) {
    auto p = parse_arn(*opt_string(in, "StreamARN"));
    if (!p) return errors::invalid_stream_arn();
    std::vector<Tag> tags;
    if (auto it = in.find("Tags"); it != in.end() && it->value().is_object()) {
        for (const auto& kv : it->value().as_object()) {
            tags.push_back({std::string(kv.key()),
                            kv.value().is_string() ? std::string(kv.value().as_string()) : ""});
        }
    }
    auto c = ctx.store.register_consumer(p->stream, *opt_string(in, "ConsumerName"), tags);
    if (!c) return c.error();
    return ActionOutput{false, "{\"Consumer\":" + consumer_json(*c, false) + "}"};
}

Out describe_stream_consumer(Context& ctx, const json::object& in) {
    auto r = resolve(ctx, in);
    if (!r) return r.error();
    return ActionOutput{false,
                        "{\"ConsumerDescription\":" + consumer_json(r->consumer, true) + "}"};
}

Out list_stream_consumers(Context& ctx, const json::object& in) {
    auto token = opt_string(in, "NextToken");
    auto created = in.find("StreamCreationTimestamp");
    bool has_created = created != in.end() && !created->value().is_null();
    if (token && has_created) {
        return errors::next_token_and("StreamCreationTimestamp");
    }
    auto p = parse_arn(*opt_string(in, "StreamARN"));
    if (!p) return errors::invalid_stream_arn();
    int64_t now = ctx.clock.now_ms();
    size_t offset = 0;
    if (token) {
        // "lc/{issued ms}/{offset}/{stream ARN}"
        auto plain = unseal_token(*token);
        auto invalid = [] { return errors::invalid_next_token(); };
        if (!plain || !plain->starts_with("lc/")) return invalid();
        std::string_view rest = std::string_view(*plain).substr(3);
        auto a = rest.find('/');
        auto b = a == std::string_view::npos ? a : rest.find('/', a + 1);
        int64_t issued = 0;
        if (b == std::string_view::npos ||
            std::from_chars(rest.data(), rest.data() + a, issued).ec != std::errc() ||
            std::from_chars(rest.data() + a + 1, rest.data() + b, offset).ec != std::errc() ||
            rest.substr(b + 1) != *opt_string(in, "StreamARN")) {
            return invalid();
        }
        if (now - issued > 300'000) {
            return errors::next_token_expired();
        }
    }
    auto d = ctx.store.describe_stream(p->stream);
    if (!d) return d.error();
    if (has_created && created->value().is_number() &&
        static_cast<int64_t>(std::floor(created->value().to_number<double>())) !=
            d->creation_secs) {
        return errors::stream_not_found(p->stream);
    }
    auto all = ctx.store.list_consumers(p->stream);
    if (!all) return all.error();
    int64_t max = 100;
    if (auto it = in.find("MaxResults"); it != in.end() && it->value().is_number()) {
        max = std::min<int64_t>(100, it->value().to_number<int64_t>());
    }
    std::string out = "{\"Consumers\":[";
    size_t end = std::min(all->size(), offset + static_cast<size_t>(max));
    for (size_t i = offset; i < end; ++i) {
        if (i > offset) out.push_back(',');
        out += consumer_json((*all)[i], false);
    }
    out += "]";
    if (end < all->size()) {
        out += ",\"NextToken\":\"" +
               seal_token("lc/" + std::to_string(now) + "/" + std::to_string(end) + "/" +
                          *opt_string(in, "StreamARN")) +
               "\"";
    }
    out += "}";
    return ActionOutput{false, std::move(out)};
}

Out deregister_stream_consumer(Context& ctx, const json::object& in) {
    auto r = resolve(ctx, in);
    if (!r) return r.error();
    auto d = ctx.store.deregister_consumer(r->stream, r->consumer.name);
    if (!d) return d.error();
    // Open subscriptions of the consumer end with ResourceNotFound (kemu's choice).
    if (ctx.hub) {
        ctx.hub->end_consumer(d->arn, errors::consumer_not_found(d->arn, r->stream.account));
    }
    return ActionOutput{true, {}};
}

Result<std::shared_ptr<BodySource>> subscribe_to_shard(Context& ctx, const json::object& in,
                                                       bool cbor) {
    std::string arn = *opt_string(in, "ConsumerARN");
    auto p = parse_arn(arn);
    if (!p || p->consumer.empty()) return errors::consumer_not_found(arn, ctx.account);
    auto c = ctx.store.describe_consumer(p->stream, p->consumer);
    if (!c || c->arn != arn) return errors::consumer_not_found(arn, p->stream.account);
    if (c->status != ConsumerStatus::kActive) {
        return errors::consumer_not_active(c->name, c->created_ms, p->stream);
    }
    auto d = ctx.store.describe_stream(p->stream);
    if (!d) return d.error();
    if (d->status != StreamStatus::kActive && d->status != StreamStatus::kUpdating) {
        return errors::not_active(p->stream, to_string(d->status));
    }
    const auto& pos = in.at("StartingPosition").as_object();
    IteratorStart start;
    start.type = iterator_type(pos.at("Type").as_string());
    start.sequence_number = opt_string(pos, "SequenceNumber");
    if (auto it = pos.find("Timestamp"); it != pos.end() && it->value().is_number()) {
        start.timestamp_ms =
            static_cast<int64_t>(std::llround(it->value().to_number<double>() * 1000.0));
    }
    std::string_view shard = in.at("ShardId").as_string();
    auto iterator = ctx.store.get_shard_iterator(p->stream, shard, start);
    if (!iterator) return iterator.error();
    if (!ctx.hub) return errors::internal_failure();
    return ctx.hub->subscribe(
        {p->stream, arn, c->name, shard_id(*parse_shard_id(shard)), *iterator, cbor});
}

}  // namespace kemu::kinesis::wire
