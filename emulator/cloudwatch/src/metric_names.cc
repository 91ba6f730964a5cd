#include "cloudwatch/metric_names.h"

namespace kemu::cloudwatch {
namespace {

using namespace names;

constexpr uint8_t kSumOnly = kSum;
constexpr uint8_t kLevels = kAverage | kMaximum;
constexpr uint8_t kTimings = kAverage | kMaximum | kSampleCount;

constexpr MetricName kKinesisList[] = {
    {kIncomingRecords, "Count", kSumOnly, Kind::kCount, "Records written to the stream."},
    {kIncomingBytes, "Bytes", kSumOnly, Kind::kCount, "Data bytes written to the stream."},
    {kWriteThrottled, "Count", kSumOnly, Kind::kCount, "Records rejected by write throttling."},
    {kReadThrottled, "Count", kSumOnly, Kind::kCount, "GetRecords calls rejected by throttling."},
    {kGetRecordsSuccess, "Count", kSumOnly, Kind::kCount, "Successful GetRecords calls."},
    {kGetRecordsRecords, "Count", kSumOnly, Kind::kCount, "Records returned by GetRecords."},
    {kGetRecordsIteratorAge, "Milliseconds", kLevels, Kind::kGauge,
     "Age of the last record returned by GetRecords, over every consumer."},
};

constexpr MetricName kLambdaList[] = {
    {kInvocations, "Count", kSumOnly, Kind::kCount, "Function invocations, retries included."},
    {kErrors, "Count", kSumOnly, Kind::kCount, "Invocations that ended in a function error."},
    {kThrottles, "Count", kSumOnly, Kind::kCount, "Invocations refused for lack of concurrency."},
    {kDuration, "Milliseconds", kTimings, Kind::kTiming, "Handler time per invocation."},
    {kConcurrentExecutions, "Count", kMaximum, Kind::kGauge,
     "Execution environments busy with an invocation."},
    {kIteratorAge, "Milliseconds", kLevels, Kind::kGauge,
     "Age of the last record of each invoked batch."},
    {kInvokedEventCount, "Count", kSumOnly, Kind::kCount, "Records sent to the function."},
    {kFailedInvokeEventCount, "Count", kSumOnly, Kind::kCount,
     "Records of invocations that failed."},
    {kDroppedEventCount, "Count", kSumOnly, Kind::kCount,
     "Records discarded for their age or retry count."},
    {kFilteredOutEventCount, "Count", kSumOnly, Kind::kCount,
     "Records no filter criteria pattern matched: never sent, checkpointed past."},
    {kOnFailureDelivered, "Count", kSumOnly, Kind::kCount,
     "Failure records delivered to the on-failure destination."},
    {kDestinationDeliveryFailures, "Count", kSumOnly, Kind::kCount,
     "Failure records that could not be delivered."},
};

constexpr MetricName kSqsList[] = {
    {kMessagesVisible, "Count", kLevels, Kind::kGauge, "Messages available for retrieval."},
    {kMessagesNotVisible, "Count", kLevels, Kind::kGauge, "Messages in flight."},
    {kMessagesDelayed, "Count", kLevels, Kind::kGauge, "Messages delayed, not yet available."},
};

constexpr MetricName kApiGatewayList[] = {
    {kCount, "Count", kSumOnly, Kind::kCount, "Requests to the API."},
    {k4xxError, "Count", kSumOnly, Kind::kCount, "Requests answered with a 4XX status."},
    {k5xxError, "Count", kSumOnly, Kind::kCount, "Requests answered with a 5XX status."},
    {kLatency, "Milliseconds", kTimings, Kind::kTiming, "Request in to response out."},
    {kIntegrationLatency, "Milliseconds", kTimings, Kind::kTiming,
     "Time spent in the Kinesis integration."},
};

const ServiceMetrics kKinesisService{kKinesis, "StreamName", kKinesisList};
const ServiceMetrics kLambdaService{kLambda, "FunctionName", kLambdaList};
const ServiceMetrics kSqsService{kSqs, "QueueName", kSqsList};
const ServiceMetrics kApiGatewayService{kApiGateway, "ApiName", kApiGatewayList};
const ServiceMetrics* const kAll[] = {&kKinesisService, &kLambdaService, &kSqsService,
                                      &kApiGatewayService};

}  // namespace

std::string_view statistic_name(Statistic s) {
    switch (s) {
        case kSum:
            return "Sum";
        case kAverage:
            return "Average";
        case kMaximum:
            return "Maximum";
        case kMinimum:
            return "Minimum";
        case kSampleCount:
            return "SampleCount";
    }
    return "";
}

const ServiceMetrics& kinesis_metrics() {
    return kKinesisService;
}
const ServiceMetrics& lambda_metrics() {
    return kLambdaService;
}
const ServiceMetrics& sqs_metrics() {
    return kSqsService;
}
const ServiceMetrics& apigateway_metrics() {
    return kApiGatewayService;
}
std::span<const ServiceMetrics* const> all_services() {
    return kAll;
}

const MetricName* find_metric(std::string_view ns, std::string_view metric) {
    for (const auto* s : kAll) {
        if (s->ns != ns) continue;
        for (const auto& m : s->metrics) {
            if (m.name == metric) return &m;
        }
    }
    return nullptr;
}

}  // namespace kemu::cloudwatch
