#pragma once
// The send step: records through the front door (one request each, or batches) or straight to
// the flow's stream with PutRecords. Throttled calls (429) and throttled records
// (ProvisionedThroughputExceededException in a PutRecords answer) are sent again until every
// record is in or the step's deadline passes; the log counts those retries.

#include <cstdint>
#include <string>

#include "core/config.h"
#include "expect.h"
#include "scenario.h"

namespace kemu::scenario {

struct SendResult {
    SendLog log;
    int64_t records_in = 0;  // records acknowledged
    std::string error;       // empty when every record is in
};

SendResult run_send(const std::string& endpoint, const Config& cfg, const SendStep& step,
                    uint64_t seed);

}  // namespace kemu::scenario
