#pragma once
// SubscribeToShard's push side (docs/aws/kinesis.md, SubscribeToShard): one Subscription per
// successful call, a BodySource the edge pulls event-stream messages from, and the hub that
// enforces AWS's rules per consumer + shard (one call a second, one subscription at a time,
// take-over after 5 s).
//
// A subscription keeps only a cursor (a shard iterator), never records: each pull reads what is
// readable now, capped per event; appends wake it, and idle subscriptions send an empty event
// every heartbeat so KCL does not give up on them.

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "core/aws_error.h"
#include "core/clock.h"
#include "core/http.h"
#include "kinesis/store.h"

namespace kemu::kinesis::wire {

struct SubscribeOptions {
    int64_t lifetime_ms = 300'000;  // Default: 300 000 (AWS); then the stream ends normally
    int64_t heartbeat_ms = 5'000;   // Default: 5 000; an empty event after this much silence
    int max_records = 10'000;       // Default: 10 000 records per event
    size_t max_bytes = 1u << 20;    // Default: 1 MiB of record data per event
};

// What a successful call subscribes to.
struct SubscribeTarget {
    StreamKey stream;
    std::string consumer_arn;
    std::string consumer_name;
    std::string shard_id;  // canonical ("shardId-000000000000")
    std::string iterator;  // the resolved starting position
    bool cbor = false;     // event payloads in CBOR (the request was CBOR)
};

class Subscription;

// Thread-safe.
class SubscriptionHub {
public:
    SubscriptionHub(Store& store, const Clock& clock, SubscribeOptions options = {});
    ~SubscriptionHub();

    // The last of AWS's checks before a subscription opens: LimitExceeded (a call for this consumer
    // + shard less than 1 s ago), ResourceInUse (a subscription succeeded less than 5 s ago);
    // otherwise takes over any older open subscription (it gets a ResourceInUse exception event)
    // and returns the body.
    Result<std::shared_ptr<BodySource>> subscribe(SubscribeTarget target);

    // Ends every open subscription of the consumer with an exception event carrying `why`.
    void end_consumer(const std::string& consumer_arn, const AwsError& why);

private:
    struct Pair {
        int64_t last_call_ms = -1;
        int64_t last_success_ms = -1;
        std::weak_ptr<Subscription> active;
    };
    Store& store_;
    const Clock& clock_;
    SubscribeOptions options_;
    std::mutex mu_;
    std::map<std::string, Pair> pairs_;  // "{consumer ARN} {shard id}"
};

}  // namespace kemu::kinesis::wire
