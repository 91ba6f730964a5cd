#include "lambda_runner/replay.h"

#include <deque>

#include "kinesis/numbers.h"
#include "lane.h"
#include "sqs_dlq/dead_letter_sink.h"

namespace kemu::lambda_runner {

namespace {
// Decimal sequence numbers compare by length, then digits.
bool seq_less_equal(const std::string& a, const std::string& b) {
    if (a.size() != b.size()) return a.size() < b.size();
    return a <= b;
}
}  // namespace

ReplayOutcome replay_failure_record(const std::string& failure_json, const MappingConfig& mapping,
                                    kinesis::Reader& reader, Invoker& invoker) {
    ReplayOutcome out;
    auto record = sqs_dlq::parse_failure_record(failure_json);
    if (!record) {
        out.detail = "not an on-failure record";
        return out;
    }
    const std::string& shard = record->shard_id;
    const std::string& start = record->start_sequence_number;
    const std::string& end = record->end_sequence_number;
    if (shard.empty() || start.empty() || end.empty()) {
        out.detail = "the record has no shard or sequence range";
        return out;
    }
    if (const auto& arn = record->stream_arn; !arn.empty() && arn != mapping.stream_arn) {
        out.detail = "the record is from another stream (" + arn + ")";
        return out;
    }
    kinesis::IteratorStart at;
    at.type = kinesis::IteratorType::kAtSequenceNumber;
    at.sequence_number = start;
    auto it = reader.get_shard_iterator(mapping.stream, shard, at);
    if (!it) {
        out.detail = "cannot read " + shard + ": " + it.error().message;
        return out;
    }
    std::deque<LaneRecord> batch;
    // Records the mapping's filters left out between the batch's records were never part of it.
    const auto filters = compile_filters(mapping);
    std::string iterator = *it;
    bool done = false;
    for (int reads = 0; !done && reads < 1000; ++reads) {
        auto r = reader.get_records(iterator, 10000);
        if (!r) {
            out.detail = "cannot read " + shard + ": " + r.error().message;
            return out;
        }
        for (const auto& rec : r->records) {
            if (!seq_less_equal(rec.sequence_number, end)) {
                done = true;
                break;
            }
            if (!passes_filters(filters, rec)) continue;
            batch.push_back(
                {rec.sequence_number, rec.arrival_ms, record_json(mapping, shard, rec), {}});
        }
        if (r->records.empty() || !r->next_iterator) break;
        iterator = *r->next_iterator;
    }
    if (batch.empty() || batch.front().sequence_number != start) {
        out.detail = "the records are no longer in the stream (past its retention)";
        return out;
    }
    out.records = static_cast<int>(batch.size());
    std::string event = event_json(batch);
    if (mapping.tumbling_window_seconds > 0) {
        // A window's handler expects the window keys: the batch's window, from a fresh state
        // (the window's state was not kept for records that were discarded).
        const int64_t len = int64_t{mapping.tumbling_window_seconds} * 1000;
        const int64_t begin = window_start(batch.front().arrival_ms, len);
        const std::string state = "{}";
        event = window_event_json(batch, {begin, begin + len, state, shard, mapping.stream_arn});
    }
    auto result = invoker.invoke(event);
    if (result.status == InvokeResult::Status::kThrottled) {
        out.detail = "throttled";
        return out;
    }
    if (result.status == InvokeResult::Status::kFunctionError) {
        out.detail = result.error_type;
        return out;
    }
    if (mapping.report_batch_item_failures &&
        parse_batch_response(result.payload, batch).kind != BatchResponse::Kind::kSuccess) {
        out.detail = "the function reported failed items";
        return out;
    }
    out.ok = true;
    return out;
}

}  // namespace kemu::lambda_runner
