#pragma once
// `kemu dlq replay`: re-run a discarded batch from its on-failure record. The record carries no
// payload (docs/aws/lambda.md, The on-failure destination record), so the batch is read back from
// the stream by its sequence range while the stream still retains it.

#include <string>

#include "kinesis/store.h"
#include "lambda_runner/event_source_mapping.h"
#include "lambda_runner/invoker.h"

namespace kemu::lambda_runner {

struct ReplayOutcome {
    bool ok = false;
    int records = 0;
    std::string detail;  // why not, or the function's error type
};

// Parses `record_json` (an on-failure record), reads shardId startSequenceNumber ..
// endSequenceNumber from the stream and invokes the function once with those records.
// ok when the invocation succeeded (and, with ReportBatchItemFailures, reported none).
ReplayOutcome replay_failure_record(const std::string& record_json, const MappingConfig& mapping,
                                    kinesis::Reader& reader, Invoker& invoker);

}  // namespace kemu::lambda_runner
