#pragma once
// The one list of the CloudWatch metrics kemu emits, per service: name, unit, the statistics
// the metrics endpoint shows, and how the sampler reads each second's datapoint. The sampler,
// the alarms, the history and the Prometheus exposition all take their names from here.
// Units and meanings: docs/aws/cloudwatch.md, "Metrics kemu emits".

#include <cstdint>
#include <span>
#include <string_view>

namespace kemu::cloudwatch {

// CloudWatch's statistics. Bits, so a metric can list several.
enum Statistic : uint8_t {
    kSum = 1,
    kAverage = 2,
    kMaximum = 4,
    kMinimum = 8,
    kSampleCount = 16,
};
std::string_view statistic_name(Statistic s);  // "Sum", "Average", ...
inline constexpr Statistic kAllStatistics[] = {kSum, kAverage, kMaximum, kMinimum, kSampleCount};

// How a second's datapoint is made from the engine's counters.
enum class Kind : uint8_t {
    kCount,  // a cumulative counter: the datapoint is the increase in that second
    kGauge,  // a level read at each second (queue depth, concurrency)
    kTiming  // a duration: sum and count increase; the datapoint's average is their ratio
};

struct MetricName {
    std::string_view name;  // as CloudWatch names it: "GetRecords.IteratorAgeMilliseconds"
    std::string_view unit;  // "Count", "Bytes", "Milliseconds"
    uint8_t statistics;     // the Statistic bits the metrics endpoint renders
    Kind kind;
    std::string_view help;  // one line for # HELP
};

struct ServiceMetrics {
    std::string_view ns;         // "AWS/Kinesis"
    std::string_view dimension;  // "StreamName"
    std::span<const MetricName> metrics;
};

namespace names {
// AWS/Kinesis, dimension StreamName.
inline constexpr std::string_view kKinesis = "AWS/Kinesis";
inline constexpr std::string_view kIncomingRecords = "IncomingRecords";
inline constexpr std::string_view kIncomingBytes = "IncomingBytes";
inline constexpr std::string_view kWriteThrottled = "WriteProvisionedThroughputExceeded";
inline constexpr std::string_view kReadThrottled = "ReadProvisionedThroughputExceeded";
inline constexpr std::string_view kGetRecordsSuccess = "GetRecords.Success";
inline constexpr std::string_view kGetRecordsRecords = "GetRecords.Records";
inline constexpr std::string_view kGetRecordsIteratorAge = "GetRecords.IteratorAgeMilliseconds";
// AWS/Lambda, dimension FunctionName.
inline constexpr std::string_view kLambda = "AWS/Lambda";
inline constexpr std::string_view kInvocations = "Invocations";
inline constexpr std::string_view kErrors = "Errors";
inline constexpr std::string_view kThrottles = "Throttles";
inline constexpr std::string_view kDuration = "Duration";
inline constexpr std::string_view kConcurrentExecutions = "ConcurrentExecutions";
inline constexpr std::string_view kIteratorAge = "IteratorAge";
inline constexpr std::string_view kInvokedEventCount = "InvokedEventCount";
inline constexpr std::string_view kFailedInvokeEventCount = "FailedInvokeEventCount";
inline constexpr std::string_view kDroppedEventCount = "DroppedEventCount";
inline constexpr std::string_view kFilteredOutEventCount = "FilteredOutEventCount";
inline constexpr std::string_view kOnFailureDelivered = "OnFailureDestinationDeliveredEventCount";
inline constexpr std::string_view kDestinationDeliveryFailures = "DestinationDeliveryFailures";
// AWS/SQS, dimension QueueName.
inline constexpr std::string_view kSqs = "AWS/SQS";
inline constexpr std::string_view kMessagesVisible = "ApproximateNumberOfMessagesVisible";
inline constexpr std::string_view kMessagesNotVisible = "ApproximateNumberOfMessagesNotVisible";
inline constexpr std::string_view kMessagesDelayed = "ApproximateNumberOfMessagesDelayed";
// AWS/ApiGateway, dimension ApiName.
inline constexpr std::string_view kApiGateway = "AWS/ApiGateway";
inline constexpr std::string_view kCount = "Count";
inline constexpr std::string_view k4xxError = "4XXError";
inline constexpr std::string_view k5xxError = "5XXError";
inline constexpr std::string_view kLatency = "Latency";
inline constexpr std::string_view kIntegrationLatency = "IntegrationLatency";
}  // namespace names

const ServiceMetrics& kinesis_metrics();
const ServiceMetrics& lambda_metrics();
const ServiceMetrics& sqs_metrics();
const ServiceMetrics& apigateway_metrics();
// The four above, in that order.
std::span<const ServiceMetrics* const> all_services();
// The entry for (namespace, metric), or null.
const MetricName* find_metric(std::string_view ns, std::string_view metric);

}  // namespace kemu::cloudwatch
