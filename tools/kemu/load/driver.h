#pragma once
// The sending side of `kemu load`: an open-model sender (measures.h's Pacer) through the front
// door or straight to the stream, and a poller of /_kemu/status once a second. Nothing is
// retried: a throttled event is counted, not sent again, so the offered rate stays the rate.

#include <atomic>
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/config.h"
#include "measures.h"
#include "progress.h"

namespace kemu::load {

struct SendPlan {
    std::string endpoint;
    std::string path;      // the front door's path, or "/" for Kinesis
    bool kinesis = false;  // PutRecords straight to `stream`
    std::string stream;
    int per_request = 1;      // events per request; 1 through the front door: the single-event path
    double rate = 10;         // events/s
    std::vector<Stage> ramp;  // when not empty, the schedule instead of `rate`
    int64_t duration_ms = 5000;
    int workers = 32;  // requests in flight at most (k6's preAllocatedVUs)
    std::string body_template, key_template;
    uint64_t seed = 1;
    LiveCounters* live = nullptr;  // when set, each answered request is counted there
};

struct RequestOutcome {
    int64_t due_us = 0;         // from the start
    bool sent = false;          // false: the run stopped (Ctrl-C) before it was due
    int status = 0;             // HTTP status; 0: no answer
    int64_t latency_us = 0;     // from the due time to the answer
    int64_t start_late_us = 0;  // how late it left (all workers busy)
    int events = 0;
    int accepted = 0;           // events in the stream
    int partial_throttled = 0;  // PutRecords entries with ProvisionedThroughputExceededException
    int partial_failed = 0;     // entries with another error code
};

struct SendRun {
    int64_t start_wall_ms = 0;  // the system clock at due time 0
    std::vector<RequestOutcome> requests;
    int64_t elapsed_ms = 0;  // from the start to the last answer (or the stop)
};

// Event `index`'s data and partition key.
std::string event_data(const SendPlan& plan, int64_t index);
std::string event_key(const SendPlan& plan, int64_t index);

// Runs the plan until every request is answered or `stop` is set.
SendRun send_load(const SendPlan& plan, const std::atomic<bool>& stop);

// Polls GET /_kemu/status once a second into `samples` ({"t_ms", "status"}) until `stop_polling`,
// showing `event_type`'s progress line after each (progress.h), with what `live` counted.
void poll_status(const std::string& endpoint, const std::string& event_type, int64_t start_wall_ms,
                 const std::atomic<bool>& stop_polling, std::vector<nlohmann::json>* samples,
                 LiveCounters* live = nullptr);

}  // namespace kemu::load
