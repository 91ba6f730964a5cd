// The one table of AWS prices `kemu load` estimates with. List prices of us-east-1 from the
// public pricing pages (aws.amazon.com/api-gateway/pricing/, /kinesis/data-streams/pricing/,
// /lambda/pricing/, /sqs/pricing/, /cloudwatch/pricing/) as of the date below. Prices change:
// update the date with the figures; the report prints both.
#include <limits>

#include "cost.h"

namespace kemu::load {

const Prices& default_prices() {
    static const Prices kPrices{
        .region = "us-east-1",
        .as_of = "2024-06-01",
        .source = "AWS public pricing pages (list prices, no free tier)",
        // REST APIs: first 333 million requests a month, next 667 million, next 19 billion,
        // then over 20 billion.
        .apigw_rest = {{333, 3.50},
                       {1000, 2.80},
                       {20000, 2.38},
                       {std::numeric_limits<double>::infinity(), 1.51}},
        .kinesis_shard_hour = 0.015,
        .kinesis_put_units_per_million = 0.014,
        .kinesis_on_demand_stream_hour = 0.04,
        .kinesis_on_demand_gb_in = 0.08,
        .kinesis_on_demand_gb_out = 0.04,
        .lambda_requests_per_million = 0.20,
        .lambda_gb_second_x86 = 0.0000166667,
        .lambda_gb_second_arm64 = 0.0000133334,
        .sqs_requests_per_million = 0.40,
        .cloudwatch_alarm_month = 0.10,
    };
    return kPrices;
}

}  // namespace kemu::load
