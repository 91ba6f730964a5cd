// The persisted form of a stream's metadata: JSON in the meta column family. Rewritten on every
// control-plane change (rare), never on the record path.

#include <stdexcept>

#include <nlohmann/json.hpp>

#include "store_impl.h"

namespace kemu::kinesis {
namespace {

u128 parse_key(const nlohmann::json& j) {
    auto v = parse_u128(j.get<std::string>());
    if (!v) throw std::runtime_error("corrupt stream metadata: bad hash key");
    return *v;
}

}  // namespace

std::string_view to_string(StreamStatus s) {
    switch (s) {
        case StreamStatus::kCreating:
            return "CREATING";
        case StreamStatus::kActive:
            return "ACTIVE";
        case StreamStatus::kUpdating:
            return "UPDATING";
        case StreamStatus::kDeleting:
            return "DELETING";
    }
    return "ACTIVE";
}

std::string_view to_string(ConsumerStatus s) {
    switch (s) {
        case ConsumerStatus::kCreating:
            return "CREATING";
        case ConsumerStatus::kActive:
            return "ACTIVE";
        case ConsumerStatus::kDeleting:
            return "DELETING";
    }
    return "ACTIVE";
}

std::string_view to_string(StreamMode m) {
    return m == StreamMode::kOnDemand ? "ON_DEMAND" : "PROVISIONED";
}

std::string meta_key(const StreamKey& key) {
    return "kinesis/stream/" + key.account + "/" + key.region + "/" + key.name;
}

std::string to_json(const Stream& s) {
    nlohmann::json j;
    j["id"] = s.id;
    j["account"] = s.key.account;
    j["region"] = s.key.region;
    j["name"] = s.key.name;
    j["status"] = static_cast<int>(s.status);
    j["due_ms"] = s.due_ms;
    j["pending"] = {{"kind", static_cast<int>(s.pending.kind)},
                    {"a", s.pending.a},
                    {"b", s.pending.b},
                    {"key", u128_to_string(s.pending.key)},
                    {"key_id", s.pending.key_id}};
    j["mode"] = static_cast<int>(s.mode);
    j["created_ms"] = s.created_ms;
    j["retention_hours"] = s.retention_hours;
    j["expired_before_ms"] = s.expired_before_ms;
    j["encrypted"] = s.encrypted;
    j["key_id"] = s.key_id;
    j["tags"] = s.tags;
    j["metrics"] = s.metrics;
    auto& shards = j["shards"] = nlohmann::json::array();
    for (const auto& sh : s.shards) {
        nlohmann::json o = {{"index", sh.index},
                            {"start", u128_to_string(sh.range.start)},
                            {"end", u128_to_string(sh.range.end)},
                            {"create_secs", sh.create_secs},
                            {"created_ms", sh.created_ms}};
        if (sh.parent) o["parent"] = *sh.parent;
        if (sh.adjacent_parent) o["adjacent_parent"] = *sh.adjacent_parent;
        if (sh.closed_ms) o["closed_ms"] = *sh.closed_ms;
        shards.push_back(std::move(o));
    }
    auto& consumers = j["consumers"] = nlohmann::json::array();
    for (const auto& c : s.consumers) {
        nlohmann::json o = {{"name", c.name},
                            {"created_ms", c.created_ms},
                            {"active_ms", c.active_ms},
                            {"tags", c.tags}};
        if (c.gone_ms) o["gone_ms"] = *c.gone_ms;
        consumers.push_back(std::move(o));
    }
    return j.dump();
}

void from_json(const std::string& text, Stream* s) {
    auto j = nlohmann::json::parse(text);
    s->id = j.at("id").get<uint64_t>();
    s->key = {j.at("account"), j.at("region"), j.at("name")};
    s->status = static_cast<StreamStatus>(j.at("status").get<int>());
    s->due_ms = j.at("due_ms").get<int64_t>();
    const auto& p = j.at("pending");
    s->pending.kind = static_cast<PendingOp::Kind>(p.at("kind").get<int>());
    s->pending.a = p.at("a");
    s->pending.b = p.at("b");
    s->pending.key = parse_key(p.at("key"));
    s->pending.key_id = p.at("key_id");
    s->mode = static_cast<StreamMode>(j.at("mode").get<int>());
    s->created_ms = j.at("created_ms");
    s->retention_hours = j.at("retention_hours");
    s->expired_before_ms = j.value("expired_before_ms", int64_t{0});
    s->encrypted = j.at("encrypted");
    s->key_id = j.at("key_id");
    s->tags = j.at("tags").get<std::map<std::string, std::string>>();
    s->metrics = j.at("metrics").get<std::vector<std::string>>();
    s->shards.clear();
    for (const auto& o : j.at("shards")) {
        ShardMeta sh;
        sh.index = o.at("index");
        sh.range = {parse_key(o.at("start")), parse_key(o.at("end"))};
        sh.create_secs = o.at("create_secs");
        sh.created_ms = o.at("created_ms");
        if (o.contains("parent")) sh.parent = o["parent"].get<int>();
        if (o.contains("adjacent_parent")) sh.adjacent_parent = o["adjacent_parent"].get<int>();
        if (o.contains("closed_ms")) sh.closed_ms = o["closed_ms"].get<int64_t>();
        s->shards.push_back(sh);
    }
    s->consumers.clear();
    for (const auto& o : j.value("consumers", nlohmann::json::array())) {
        ConsumerMeta c;
        c.name = o.at("name");
        c.created_ms = o.at("created_ms");
        c.active_ms = o.at("active_ms");
        c.tags = o.at("tags").get<std::map<std::string, std::string>>();
        if (o.contains("gone_ms")) c.gone_ms = o["gone_ms"].get<int64_t>();
        s->consumers.push_back(std::move(c));
    }
    s->due_atomic = s->due_ms;
}

}  // namespace kemu::kinesis
