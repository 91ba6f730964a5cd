#pragma once
// Kinesis's shard-level metrics: the names EnableEnhancedMonitoring takes (and a flow's
// `shard_level_metrics` in kemu.yaml), in the order AWS lists them. "ALL" names every one.
// Core holds the list because config validation needs it; the Kinesis store and its wire
// rules use the same.

#include <array>
#include <string_view>

namespace kemu {

inline constexpr std::array<std::string_view, 7> kKinesisShardLevelMetrics = {
    "IncomingBytes",
    "IncomingRecords",
    "OutgoingBytes",
    "OutgoingRecords",
    "WriteProvisionedThroughputExceeded",
    "ReadProvisionedThroughputExceeded",
    "IteratorAgeMilliseconds",
};

inline constexpr std::string_view kKinesisAllShardLevelMetrics = "ALL";

}  // namespace kemu
