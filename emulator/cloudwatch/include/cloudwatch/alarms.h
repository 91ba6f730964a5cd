#pragma once
// The Terraform module's CloudWatch alarms, evaluated locally (docs/aws/cloudwatch.md, "The
// module's alarms"): per flow
//   {env}-{type}-iterator-age         AWS/Kinesis GetRecords.IteratorAgeMilliseconds, Maximum
//   {env}-{type}-lambda-iterator-age  AWS/Lambda IteratorAge, Maximum
//   (both 60 s × 5, > iterator_age_alarm_ms, missing data not breaching)
//   {env}-{type}-lambda-errors        AWS/Lambda Errors, Sum, 60 s × 1, > 0
//   {env}-{type}-dlq-not-empty        AWS/SQS ApproximateNumberOfMessagesVisible, Maximum,
//                                     60 s × 1, > 0 (flows with a DLQ)
// Datapoints are gathered every second into period buckets aligned to the clock (as
// CloudWatch's are); the newest, still open bucket counts as soon as it breaches, so an alarm
// fires within a second of its cause rather than at the period's end.

// Each alarm's datapoint for a second is the sampler's datapoint of its series (see
// sampler.h): the statistic (Maximum or Sum) of what happened in that second.

#include <cstdint>
#include <deque>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "cloudwatch/series.h"
#include "core/config.h"

namespace kemu::cloudwatch {

struct AlarmDef {
    std::string name;
    std::string ns;         // AWS/Lambda
    std::string metric;     // Errors
    std::string dimension;  // FunctionName
    std::string dimension_value;
    std::string statistic;  // Maximum or Sum
    int period_s = 60;
    int evaluation_periods = 1;
    double threshold = 0;  // GreaterThanThreshold
};

// One alarm as DescribeAlarms shows it.
struct AlarmView {
    AlarmDef def;
    std::string state, reason, reason_data;  // reason_data: JSON text, empty when none
    int64_t updated_ms = 0;                  // 0: never evaluated
};

// One state change as DescribeAlarmHistory shows it.
struct AlarmChange {
    std::string name;
    int64_t at_ms;
    std::string summary;  // "Alarm updated from OK to ALARM"
    std::string data;     // HistoryData: {"version":"1.0","oldState":{...},"newState":{...}}
};

class Alarms {
public:
    // `functions`: the flows' functions that run (the Lambda alarms exist for those only).
    // `period_override_s` > 0 replaces every period (demos and tests); 0 keeps the module's.
    void build(const Config& cfg, const std::set<std::string>& functions, int period_override_s);
    // Takes one second's datapoints (every series the sampler read) and evaluates; prints each
    // state change.
    void tick(int64_t now_ms, const std::vector<Datapoint>& second);
    // DescribeAlarms-shaped JSON: {"MetricAlarms":[...]}.
    std::string describe_json() const;
    // Name -> state, for kemu status.
    std::vector<std::pair<std::string, std::string>> states() const;
    std::vector<AlarmView> view() const;
    // The recorded changes, oldest first.
    std::vector<AlarmChange> history() const;
    // SetAlarmState: the state until the next evaluation changes it (as on AWS). False when no
    // alarm has that name.
    bool set_state(const std::string& name, const std::string& state, const std::string& reason,
                   const std::string& reason_data, int64_t now_ms);

private:
    struct Alarm {
        AlarmDef def;
        std::string series;                              // the metric's SeriesKey::id()
        std::deque<std::pair<int64_t, double>> buckets;  // (period index, value), oldest first
        std::string state = "INSUFFICIENT_DATA";
        std::string reason = "Unchecked: Initial alarm creation";
        std::string reason_data;
        int64_t updated_ms = 0;
    };
    using Change = AlarmChange;
    void record(const Alarm& a, const std::string& was, const std::string& was_reason,
                int64_t now_ms);
    mutable std::mutex mu_;
    std::vector<Alarm> alarms_;
    std::deque<Change> history_;  // the newest 1000 printed changes
};

}  // namespace kemu::cloudwatch
