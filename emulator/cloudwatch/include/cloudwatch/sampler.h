#pragma once
// The sampler: CloudWatch's view of every service. Once a second it reads the engines' metric
// snapshots (lock-free atomics: kinesis::StreamMetrics, lambda_runner::FunctionMetrics, the front
// door's MetricsSnapshot, SQS queue depths) and turns them into that second's datapoints, one
// per series, for the history and the alarms:
//   counts (Invocations, IncomingRecords, ...)  the increase in that second, when the resource
//       was active (a Lambda function: invoked or erred; others: any count moved)
//   timings (Duration, Latency)                 sum and count of that second's samples
//   iterator ages                               the largest value since the previous second
//                                               (only when there were reads or invocations)
//   levels (queue depths, concurrency)          the value read, every second
// Only the sampler takes the engines' "since last take" windows, so it is their one consumer.
// It also renders kemu's own cumulative metrics (kemu_..._total counters and friends).
//
// This is the module's only part that knows the services; the history, the alarms, the log
// store and the exposition do not.

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "apigw/front_door.h"
#include "cloudwatch/exposition.h"
#include "cloudwatch/series.h"
#include "kinesis/store.h"
#include "lambda_runner/metrics.h"
#include "sqs_dlq/queue_store.h"

namespace kemu::cloudwatch {

struct FunctionSource {
    std::string name;                         // FunctionName
    lambda_runner::FunctionMetrics* metrics;  // lives as long as the sampler
};

struct SamplerSources {
    kinesis::Store* store = nullptr;
    std::string account, region;
    std::vector<std::string> streams;  // StreamName of each stream to watch
    std::vector<FunctionSource> functions;
    sqs_dlq::QueueStore* queues = nullptr;  // every queue is watched
    std::shared_ptr<apigw::FrontDoor> front_door;
    std::string api_name;  // ApiName
};

class Sampler {
public:
    explicit Sampler(SamplerSources sources);
    // One second's datapoints. Call once a second (the deltas are since the previous call).
    std::vector<Datapoint> tick();
    // kemu's own metrics, cumulative since start, read now.
    void render_own(Exposition& out) const;
    const SamplerSources& sources() const { return sources_; }

    // A metric's reading from an engine: a cumulative count or sum, or a level.
    struct Reading {
        std::string_view metric;
        double value = 0;
        double count = 0;     // timings: the number of samples summed in `value`
        bool always = false;  // levels: a datapoint even when the resource was idle
    };

private:
    void emit(const ServiceMetrics& svc, const std::string& resource,
              const std::vector<Reading>& readings, bool lambda_activity,
              std::vector<Datapoint>& out);
    double delta(const std::string& id, double now);

    SamplerSources sources_;
    std::mutex mu_;
    std::map<std::string, double> previous_;  // cumulative value per series id (and "#count")
};

}  // namespace kemu::cloudwatch
