#pragma once
// One on-failure record as the Lambda runner fills it, for the tests of its writer and reader.

#include "sqs_dlq/dead_letter_sink.h"

namespace kemu::sqs_dlq::testing {

inline FailureRecord sample_failure_record() {
    FailureRecord r;
    r.queue_name = "dev-orders-dlq";
    r.request_id = "5f0e2c1a-8d3b-4b7e-9a61-2f4c9d0e7b13";
    r.function_arn = "arn:aws:lambda:us-east-1:000000000000:function:dev-orders-processor";
    r.approximate_invoke_count = 3;
    r.status_code = 200;
    r.executed_version = "$LATEST";
    r.function_error = "Unhandled";
    r.timestamp_ms = 1718031302118;  // 2024-06-10T14:55:02.118Z
    r.shard_id = "shardId-000000000002";
    r.start_sequence_number = "49651505085739302134812766549128712234570113226409443330";
    r.end_sequence_number = "49651505085739302134812766550337638054184742401115619330";
    r.first_arrival_ms = 1718031245512;  // 2024-06-10T14:54:05.512Z
    r.last_arrival_ms = 1718031246040;
    r.batch_size = 2;
    r.stream_arn = "arn:aws:kinesis:us-east-1:000000000000:stream/dev-orders-stream";
    return r;
}

}  // namespace kemu::sqs_dlq::testing
