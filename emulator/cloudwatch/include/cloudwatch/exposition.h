#pragma once
// Prometheus text exposition (format 0.0.4) of kemu's metrics.
//
// AWS metrics are named by prometheus/cloudwatch_exporter's rule (YACE builds the same family
// names; its labels are `dimension_{Name}` instead): one gauge family per metric and statistic,
// `aws_{namespace}_{metric}_{statistic}` in snake case, dimensions as snake-cased labels, e.g.
//   aws_kinesis_get_records_iterator_age_milliseconds_maximum{stream_name="dev-orders-stream"}
// Each value is the statistic over the trailing window (60 s: CloudWatch's standard period) of
// the one-second history; a series without datapoints in the window is left out, as CloudWatch
// returns none.
//
// kemu's own metrics (cumulative since start) use kemu_ names: counters end in _total, timings
// are histograms or summaries in seconds.

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "cloudwatch/histogram.h"
#include "cloudwatch/history.h"
#include "cloudwatch/metric_names.h"

namespace kemu::cloudwatch {

// cloudwatch_exporter's snake case: an underscore between a lower-case letter or digit and an
// upper-case letter, lower case, then every character outside [a-zA-Z0-9:_] becomes '_' and
// runs of '_' collapse: "GetRecords.IteratorAgeMilliseconds" -> "get_records_iterator_age_
// milliseconds", "4XXError" -> "4_xxerror", "FunctionName" -> "function_name".
std::string snake_case(std::string_view name);
// "aws_lambda_errors_sum".
std::string aws_family(std::string_view ns, std::string_view metric, Statistic s);
// kemu's cumulative twin of an AWS metric: "kemu_lambda_invocations_total" (Count),
// "kemu_lambda_duration_seconds" (Timing: a summary), "kemu_sqs_approximate_number_of_
// messages_visible" (Gauge; milliseconds become "_seconds").
std::string kemu_family(std::string_view ns, const MetricName& m);

class Exposition {
public:
    // One sample of family `family` (declared with `type` and `help` on first use). `suffix`
    // names a histogram's or summary's part: "_bucket", "_sum", "_count".
    void add(std::string_view family, std::string_view type, std::string_view help,
             const Labels& labels, double value, std::string_view suffix = "");
    void histogram(std::string_view family, std::string_view help, const Labels& labels,
                   const HistogramSnapshot& h);
    // Every AWS family of the metric-name lists, from the history's window ending at now_ms.
    void aws_metrics(const MetricHistory& history, int64_t now_ms, int64_t window_ms = 60'000);
    // Families in the order first added, each with its # HELP and # TYPE.
    std::string text() const;

private:
    struct Family {
        std::string name, type, help, samples;
    };
    std::vector<Family> families_;
    std::map<std::string, size_t, std::less<>> index_;
};

}  // namespace kemu::cloudwatch
