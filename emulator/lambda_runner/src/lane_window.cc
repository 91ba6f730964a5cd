// The Lane's event filtering and tumbling windows (lane.h; docs/aws/lambda.md, Event filtering
// and Tumbling windows).

#include <nlohmann/json.hpp>

#include "core/log.h"
#include "lane.h"

namespace kemu::lambda_runner {

bool Lane::filtered_out(const kinesis::Record& r) const {
    return !passes_filters(filters_, r);
}

std::vector<FilterPattern> compile_filters(const MappingConfig& c) {
    std::vector<FilterPattern> out;
    for (const auto& text : c.filter_patterns) {
        if (auto p = FilterPattern::parse_text(text)) {
            out.push_back(std::move(*p));
        } else {
            log_warn("lambda", c.function_name + ": ignoring invalid filter " + text);
        }
    }
    return out;
}

bool passes_filters(const std::vector<FilterPattern>& filters, const kinesis::Record& r) {
    if (filters.empty()) return true;
    // AWS matches Kinesis patterns against the record's metadata with `data` decoded; data
    // that is not JSON is left out, so a pattern on `data` cannot match it.
    nlohmann::json view = {
        {"kinesisSchemaVersion", "1.0"},
        {"partitionKey", r.partition_key},
        {"sequenceNumber", r.sequence_number},
        {"approximateArrivalTimestamp", static_cast<double>(r.arrival_ms) / 1000}};
    auto data = nlohmann::json::parse(r.data, nullptr, false);
    if (!data.is_discarded()) view["data"] = std::move(data);
    return matches_any(filters, view);
}

std::string Lane::payload(const std::deque<LaneRecord>& batch) const {
    if (!open_) return event_json(batch);
    return window_event_json(batch, {open_->start_ms, open_->start_ms + tw_ms_, open_->state,
                                     shard_id_, config_.stream_arn, false, false});
}

std::optional<BatchResponse> Lane::window_response(const std::string& payload,
                                                   const std::deque<LaneRecord>& batch) {
    auto state = response_state(payload);
    if (!state) return std::nullopt;  // AWS: a window response without `state` is a failure
    BatchResponse resp;
    if (config_.report_batch_item_failures) resp = parse_batch_response(payload, batch);
    if (resp.kind == BatchResponse::Kind::kFailure) return resp;
    open_->state = std::move(*state);
    open_->terminated_early = open_->state.size() > kMaxWindowStateBytes;
    return resp;
}

bool Lane::final_due() const {
    if (tw_ms_ == 0 || !open_) return false;
    if (open_->terminated_early) return true;
    if (!pending_.empty()) return window_of(pending_.front()) != open_->start_ms;
    return drained_ || deps_.clock.now_ms() >= open_->start_ms + tw_ms_;
}

bool Lane::process_final() {
    if (!open_) return true;
    auto& m = deps_.metrics;
    const std::deque<LaneRecord> none;
    int attempts = 0;
    while (true) {
        auto event =
            window_event_json(none, {open_->start_ms, open_->start_ms + tw_ms_, open_->state,
                                     shard_id_, config_.stream_arn, true, open_->terminated_early});
        auto result = deps_.invoker.invoke(event);
        if (result.status == InvokeResult::Status::kThrottled) {
            ++m.throttles;
            if (!sleeper_.sleep_ms(backoff_ms(1))) return false;
            continue;
        }
        ++attempts;
        ++m.invocations;
        m.duration_us_sum += result.duration_us;
        FunctionMetrics::raise_max(m.duration_us_max, result.duration_us);
        if (result.status == InvokeResult::Status::kOk) break;
        ++m.errors;
        // AWS: a failing final invocation holds the shard until it succeeds (or, with a retry
        // limit, until the attempts run out; the window's state is then dropped).
        if (config_.max_retry_attempts >= 0 && attempts > config_.max_retry_attempts) {
            log_warn("lambda", config_.function_name + ": final invocation of a window on " +
                                   shard_id_ + " failed " + std::to_string(attempts) +
                                   " times; its state is dropped");
            break;
        }
        if (!sleeper_.sleep_ms(backoff_ms(attempts))) return false;
    }
    // A window ended early goes on with a fresh state: the next batch opens it again.
    open_.reset();
    checkpoints_.set_with_window(shard_id_, lane_, "", "");
    return true;
}

}  // namespace kemu::lambda_runner
