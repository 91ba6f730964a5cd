#pragma once
// An estimate of the monthly AWS cost of a pipeline of the measured shape, by service. An
// estimate, not a bill: list prices of one region on one date (prices.cc), no free tier, no
// data transfer, no KMS, no CloudWatch Logs.

#include <string>
#include <vector>

namespace kemu::load {

inline constexpr double kHoursPerMonth = 730;  // AWS's own convention in its price examples

struct Tier {
    double up_to_millions;  // requests per month this tier ends at (the last: infinity)
    double usd_per_million;
};

struct Prices {
    std::string region, as_of, source;
    std::vector<Tier> apigw_rest;          // API Gateway REST API requests, tiered
    double kinesis_shard_hour;             // provisioned mode
    double kinesis_put_units_per_million;  // one unit per 25 KB of a record, rounded up
    double kinesis_on_demand_stream_hour;
    double kinesis_on_demand_gb_in;
    double kinesis_on_demand_gb_out;
    double lambda_requests_per_million;
    double lambda_gb_second_x86, lambda_gb_second_arm64;
    double sqs_requests_per_million;  // standard queue
    double cloudwatch_alarm_month;    // standard resolution, per alarm metric
};

// The table of prices.cc.
const Prices& default_prices();

// The pipeline, per second on average, and its fixed parts.
struct Shape {
    double events_per_s = 0;
    double event_bytes = 1024;
    double events_per_request = 1;  // front-door events per API Gateway request
    bool front_door = true;         // false: records go straight to Kinesis, no API Gateway
    int shards = 1;
    double invocations_per_s = 0;
    double handler_ms = 0;  // average billed duration of an invocation
    int memory_mb = 128;
    double dlq_messages_per_s = 0;
    int alarms = 0;
};

struct CostLine {
    std::string service, item;
    double usd_month = 0;
};

struct Estimate {
    std::vector<CostLine> lines;  // the x86 Lambda line and the provisioned Kinesis lines
    double total_usd_month = 0;   // provisioned Kinesis, x86 Lambda
    // The alternatives beside it.
    double lambda_arm64_usd_month = 0;
    double kinesis_on_demand_usd_month = 0;
};

// API Gateway REST's price of `requests` in a month, tier by tier.
double apigw_rest_usd(double requests, const Prices& p);

Estimate estimate(const Shape& s, const Prices& p);

}  // namespace kemu::load
