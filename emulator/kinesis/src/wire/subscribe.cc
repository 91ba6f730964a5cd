#include "subscribe.h"

#include <algorithm>
#include <cstdio>
#include <functional>
#include <optional>

#include "../errors.h"
#include "actions.h"
#include "cbor.h"
#include "core/encoding.h"
#include "event_stream.h"

namespace kemu::kinesis::wire {
namespace {

constexpr std::string_view kJsonType = "application/json";
constexpr std::string_view kCborType = "application/x-amz-cbor-1.1";
// The event stream's own member for a service failure (the JSON protocol's error is
// InternalFailure): SubscribeToShardEventStream names its exceptions apart from the action's.
constexpr std::string_view kInternalFailureEvent = "InternalFailureException";

// The SubscribeToShardEvent object as JSON text (docs/aws/kinesis.md, SubscribeToShard).
std::string event_json(const SubscriptionRead& r) {
    std::string out;
    size_t est = 96;
    for (const auto& rec : r.records)
        est += rec.data.size() * 4 / 3 + rec.partition_key.size() + 160;
    out.reserve(est);
    out += R"({"Records":)";
    append_records_json(out, r.records);
    if (r.next_iterator) {
        out += R"(,"ContinuationSequenceNumber":")";
        out += r.continuation;
        out += "\"";
    }
    out += R"(,"MillisBehindLatest":)";
    out += std::to_string(r.millis_behind_latest);
    if (!r.next_iterator) {
        // AWS: shard end: no continuation, the children named.
        out += R"(,"ChildShards":[)";
        for (size_t i = 0; i < r.child_shards.size(); ++i) {
            const auto& c = r.child_shards[i];
            if (i) out.push_back(',');
            out += R"({"ShardId":")" + c.shard_id + R"(","ParentShards":[)";
            for (size_t j = 0; j < c.parent_shards.size(); ++j) {
                if (j) out.push_back(',');
                out += "\"" + c.parent_shards[j] + "\"";
            }
            out += R"(],"HashKeyRange":{"StartingHashKey":")" + u128_to_string(c.range.start) +
                   R"(","EndingHashKey":")" + u128_to_string(c.range.end) + R"("}})";
        }
        out += "]";
    }
    out += "}";
    return out;
}

}  // namespace

class Subscription final : public BodySource, public std::enable_shared_from_this<Subscription> {
public:
    Subscription(Store& store, const Clock& clock, SubscribeOptions options, SubscribeTarget t)
        : store_(store),
          clock_(clock),
          options_(options),
          target_(std::move(t)),
          cursor_(target_.iterator),
          started_ms_(clock.now_ms()) {}

    ~Subscription() override { stop_listening(); }

    void start(std::function<void()> wake) override {
        {
            std::lock_guard lock(mu_);
            wake_ = std::move(wake);
        }
        std::weak_ptr<Subscription> weak = weak_from_this();
        uint64_t id = store_.subscribe_to_appends(target_.stream, [weak] {
            if (auto self = weak.lock()) self->on_append();
        });
        std::lock_guard lock(mu_);
        append_sub_ = id;
    }

    Piece pull() override {
        bool dirty = false;
        {
            std::lock_guard lock(mu_);
            if (finished_) return end();
            if (terminal_ && sent_initial_) {  // initial-response always comes first
                // Taken over or deregistered: the exception event, then the end.
                auto bytes = std::move(*terminal_);
                terminal_.reset();
                finished_ = true;
                return data(std::move(bytes));
            }
            dirty = dirty_;
            dirty_ = false;
        }
        if (!sent_initial_) {
            sent_initial_ = true;
            // AWS: `initial-response` first, at once; botocore and Go v1 require it.
            return data(initial_response_event(target_.cbor ? "" : "{}",
                                               target_.cbor ? kCborType : kJsonType));
        }
        if (end_next_) return finish();
        int64_t now = clock_.now_ms();
        int64_t ends_at = started_ms_ + options_.lifetime_ms;
        if (now >= ends_at) return finish();  // AWS: the subscription lasts 5 minutes
        bool heartbeat_due = now - last_sent_ms_ >= options_.heartbeat_ms;
        if (sent_event_ && !dirty && !heartbeat_due) {
            return {Piece::kPending,
                    {},
                    std::min(last_sent_ms_ + options_.heartbeat_ms, ends_at) - now};
        }
        auto r = store_.read_for_subscription(cursor_, options_.max_records, options_.max_bytes);
        if (!r) {
            std::string_view type = r.error().code == AwsErrorCode::kResourceNotFound
                                        ? aws_error_shape(AwsErrorCode::kResourceNotFound)
                                        : kInternalFailureEvent;
            end_next_ = true;
            return data(exception_event(type, r.error().message));
        }
        if (r->next_iterator) cursor_ = *r->next_iterator;
        bool shard_end = !r->next_iterator;
        if (r->more) {
            std::lock_guard lock(mu_);
            dirty_ = true;
        }
        if (sent_event_ && r->records.empty() && !shard_end && !heartbeat_due) {
            return {Piece::kPending,
                    {},
                    std::min(last_sent_ms_ + options_.heartbeat_ms, ends_at) - now};
        }
        sent_event_ = true;
        last_sent_ms_ = now;
        end_next_ = shard_end;
        std::string payload = event_json(*r);
        if (target_.cbor) payload = json_to_cbor(payload);
        return data(subscribe_to_shard_event(payload, target_.cbor ? kCborType : kJsonType));
    }

    void cancel(bool) override {
        {
            std::lock_guard lock(mu_);
            finished_ = true;
        }
        stop_listening();
    }

    // Ends the subscription with this exception event (from any thread).
    void terminate(std::string exception_bytes) {
        std::function<void()> wake;
        {
            std::lock_guard lock(mu_);
            if (finished_) return;
            terminal_ = std::move(exception_bytes);
            wake = wake_;
        }
        if (wake) wake();
    }

private:
    static Piece data(std::string bytes) { return {Piece::kData, std::move(bytes), -1}; }
    static Piece end() { return {Piece::kEnd, {}, -1}; }
    Piece finish() {
        {
            std::lock_guard lock(mu_);
            finished_ = true;
        }
        stop_listening();
        return end();
    }

    void on_append() {
        std::function<void()> wake;
        {
            std::lock_guard lock(mu_);
            if (finished_) return;
            dirty_ = true;
            wake = wake_;
        }
        if (wake) wake();
    }

    void stop_listening() {
        uint64_t id = 0;
        {
            std::lock_guard lock(mu_);
            std::swap(id, append_sub_);
        }
        if (id) store_.unsubscribe_from_appends(id);
    }

    Store& store_;
    const Clock& clock_;
    SubscribeOptions options_;
    SubscribeTarget target_;
    // Touched by pull() only (one edge thread at a time).
    std::string cursor_;
    int64_t started_ms_;
    int64_t last_sent_ms_ = 0;
    bool sent_initial_ = false;
    bool sent_event_ = false;
    bool end_next_ = false;
    // Shared with appenders and the hub.
    std::mutex mu_;
    std::function<void()> wake_;
    uint64_t append_sub_ = 0;
    bool dirty_ = false;
    bool finished_ = false;
    std::optional<std::string> terminal_;
};

SubscriptionHub::SubscriptionHub(Store& store, const Clock& clock, SubscribeOptions options)
    : store_(store), clock_(clock), options_(options) {}

SubscriptionHub::~SubscriptionHub() = default;

Result<std::shared_ptr<BodySource>> SubscriptionHub::subscribe(SubscribeTarget t) {
    AwsError in_use = errors::subscription_in_use(t.stream, t.shard_id, t.consumer_name);
    std::shared_ptr<Subscription> old;
    std::shared_ptr<Subscription> sub;
    {
        std::lock_guard lock(mu_);
        int64_t now = clock_.now_ms();
        auto& p = pairs_[t.consumer_arn + " " + t.shard_id];
        if (p.last_call_ms >= 0 && now - p.last_call_ms < 1000) {
            return errors::subscribe_rate_exceeded(t.consumer_arn, t.shard_id);
        }
        p.last_call_ms = now;
        // AWS: a second subscription within 5 s of the last successful one is refused; later
        // ones take over.
        if (p.last_success_ms >= 0 && now - p.last_success_ms < 5000) {
            return in_use;
        }
        old = p.active.lock();
        sub = std::make_shared<Subscription>(store_, clock_, options_, std::move(t));
        p.active = sub;
        p.last_success_ms = now;
    }
    if (old) old->terminate(exception_event(in_use.shape(), in_use.message));
    return std::shared_ptr<BodySource>(std::move(sub));
}

void SubscriptionHub::end_consumer(const std::string& consumer_arn, const AwsError& why) {
    std::vector<std::shared_ptr<Subscription>> open;
    {
        std::lock_guard lock(mu_);
        std::string prefix = consumer_arn + " ";
        for (auto it = pairs_.lower_bound(prefix);
             it != pairs_.end() && it->first.compare(0, prefix.size(), prefix) == 0; ++it) {
            if (auto s = it->second.active.lock()) open.push_back(std::move(s));
        }
    }
    for (auto& s : open)
        s->terminate(exception_event(why.shape(), why.message));
}

}  // namespace kemu::kinesis::wire
