#include "cost.h"

#include <algorithm>
#include <cmath>

namespace kemu::load {
namespace {

constexpr double kSecondsPerMonth = kHoursPerMonth * 3600;
constexpr double kPutUnitBytes = 25 * 1024;  // a PUT payload unit is 25 KB of one record
constexpr double kGb = 1024.0 * 1024 * 1024;

}  // namespace

double apigw_rest_usd(double requests, const Prices& p) {
    double usd = 0, below = 0;
    for (const auto& t : p.apigw_rest) {
        double end = t.up_to_millions * 1e6;
        if (requests <= below) break;
        double in_tier = std::min(requests, end) - below;
        usd += in_tier / 1e6 * t.usd_per_million;
        below = end;
    }
    return usd;
}

Estimate estimate(const Shape& s, const Prices& p) {
    Estimate e;
    double events = s.events_per_s * kSecondsPerMonth;
    double requests = events / std::max(1.0, s.events_per_request);
    e.lines.push_back(
        {"API Gateway", "REST requests", s.front_door ? apigw_rest_usd(requests, p) : 0.0});

    double shard_hours = s.shards * kHoursPerMonth;
    e.lines.push_back({"Kinesis", "shard-hours", shard_hours * p.kinesis_shard_hour});
    double units = events * std::ceil(std::max(1.0, s.event_bytes) / kPutUnitBytes);
    e.lines.push_back(
        {"Kinesis", "PUT payload units", units / 1e6 * p.kinesis_put_units_per_million});

    double invocations = s.invocations_per_s * kSecondsPerMonth;
    double gb_seconds = invocations * (s.handler_ms / 1000.0) * (s.memory_mb / 1024.0);
    double lambda_requests = invocations / 1e6 * p.lambda_requests_per_million;
    e.lines.push_back({"Lambda", "requests", lambda_requests});
    e.lines.push_back({"Lambda", "GB-seconds (x86)", gb_seconds * p.lambda_gb_second_x86});
    e.lambda_arm64_usd_month = lambda_requests + gb_seconds * p.lambda_gb_second_arm64;

    e.lines.push_back({"SQS", "DLQ requests",
                       s.dlq_messages_per_s * kSecondsPerMonth / 1e6 * p.sqs_requests_per_million});
    e.lines.push_back({"CloudWatch", "alarms", s.alarms * p.cloudwatch_alarm_month});
    for (const auto& l : e.lines)
        e.total_usd_month += l.usd_month;

    double gb = events * s.event_bytes / kGb;
    // One consumer (the event source mapping) reads every byte once.
    e.kinesis_on_demand_usd_month = kHoursPerMonth * p.kinesis_on_demand_stream_hour +
                                    gb * p.kinesis_on_demand_gb_in +
                                    gb * p.kinesis_on_demand_gb_out;
    return e;
}

}  // namespace kemu::load
