// Enhanced fan-out consumers (docs/aws/kinesis.md, Enhanced fan-out: consumers): kept in their
// stream's metadata, so they persist with it and go with it. Status follows from timestamps, as
// streams' lazy transitions do: nothing runs when CREATING ends.

#include <algorithm>

#include "errors.h"
#include "kinesis/store.h"
#include "store_impl.h"

namespace kemu::kinesis {
namespace {

ConsumerDesc describe_consumer_meta(const ConsumerMeta& c, const std::string& stream_arn,
                                    int64_t now) {
    return {c.name, stream_arn + "/consumer/" + c.name + ":" + std::to_string(c.created_ms / 1000),
            c.status(now), c.created_ms, stream_arn};
}

ConsumerMeta* find_live(Stream& s, const std::string& name, int64_t now) {
    for (auto& c : s.consumers) {
        if (c.name == name && !c.gone(now)) return &c;
    }
    return nullptr;
}

}  // namespace

Result<ConsumerDesc> Store::register_consumer(const StreamKey& key, const std::string& name,
                                              const std::vector<Tag>& tags) {
    auto& im = *impl_;
    auto s = im.find(key);
    if (!s) return errors::stream_not_found(key);
    std::unique_lock lock(s->mu);
    if (s->status != StreamStatus::kActive && s->status != StreamStatus::kUpdating) {
        return errors::not_active(key, to_string(s->status));
    }
    int64_t now = im.clock.now_ms();
    std::erase_if(s->consumers, [&](const ConsumerMeta& c) { return c.gone(now); });
    int creating = 0;
    for (const auto& c : s->consumers) {
        creating += c.status(now) == ConsumerStatus::kCreating ? 1 : 0;
    }
    if (static_cast<int>(s->consumers.size()) >= im.options.max_consumers) {
        return errors::too_many_consumers(im.options.max_consumers);
    }
    if (creating >= im.options.max_creating_consumers) {
        return errors::too_many_creating_consumers(im.options.max_creating_consumers);
    }
    if (find_live(*s, name, now)) {
        return errors::consumer_exists(name);
    }
    ConsumerMeta c;
    c.name = name;
    c.created_ms = now;
    // The ARN ends in the creation second. Re-registered within the second of the last one,
    // the consumer is dated the next second: AWS gives a re-registered name a new ARN, and the
    // old ARN is then not found.
    auto [last, fresh] = s->consumer_seconds.try_emplace(name, now / 1000);
    if (!fresh) {
        if (last->second >= now / 1000) c.created_ms = (last->second + 1) * 1000;
        last->second = c.created_ms / 1000;
    }
    c.active_ms = now + std::max<int64_t>(0, im.options.consumer_delay_ms);
    for (const auto& t : tags)
        c.tags[t.key] = t.value;
    s->consumers.push_back(c);
    im.persist(*s);
    return describe_consumer_meta(c, im.arn(key), now);
}

Result<ConsumerDesc> Store::describe_consumer(const StreamKey& key, const std::string& name) {
    auto& im = *impl_;
    auto s = im.find(key);
    if (!s) return errors::stream_not_found(key);
    std::shared_lock lock(s->mu);
    int64_t now = im.clock.now_ms();
    auto* c = find_live(*s, name, now);
    if (!c) return errors::consumer_not_found(name, key.account);
    return describe_consumer_meta(*c, im.arn(key), now);
}

Result<std::vector<ConsumerDesc>> Store::list_consumers(const StreamKey& key) {
    auto& im = *impl_;
    auto s = im.find(key);
    if (!s) return errors::stream_not_found(key);
    std::shared_lock lock(s->mu);
    int64_t now = im.clock.now_ms();
    std::vector<ConsumerDesc> out;
    std::string arn = im.arn(key);
    for (const auto& c : s->consumers) {
        if (!c.gone(now)) out.push_back(describe_consumer_meta(c, arn, now));
    }
    std::stable_sort(out.begin(), out.end(), [](const ConsumerDesc& a, const ConsumerDesc& b) {
        return a.created_ms != b.created_ms ? a.created_ms < b.created_ms : a.name < b.name;
    });
    return out;
}

Result<ConsumerDesc> Store::deregister_consumer(const StreamKey& key, const std::string& name) {
    auto& im = *impl_;
    auto s = im.find(key);
    if (!s) return errors::stream_not_found(key);
    std::unique_lock lock(s->mu);
    int64_t now = im.clock.now_ms();
    auto* c = find_live(*s, name, now);
    if (!c) return errors::consumer_not_found(name, key.account);
    if (c->status(now) != ConsumerStatus::kActive) {
        return errors::consumer_not_active(c->name, c->created_ms, key);
    }
    auto before = describe_consumer_meta(*c, im.arn(key), now);
    c->gone_ms = now + std::max<int64_t>(0, im.options.consumer_delay_ms);
    im.persist(*s);
    return before;
}

}  // namespace kemu::kinesis
