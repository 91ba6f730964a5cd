#include "lane.h"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "core/encoding.h"
#include "core/log.h"

namespace kemu::lambda_runner {
namespace {

using json = nlohmann::json;

std::string json_quoted(std::string_view s) {
    // Escapes any Unicode partition key as JSON; bytes that are not UTF-8 become U+FFFD rather
    // than an exception that would stop the lane.
    return json(std::string(s)).dump(-1, ' ', false, json::error_handler_t::replace);
}

}  // namespace

uint32_t lane_hash(std::string_view partition_key) {
    uint32_t h = 2166136261u;
    for (unsigned char c : partition_key) {
        h ^= c;
        h *= 16777619u;
    }
    return h;
}

std::string arrival_seconds(int64_t ms) {
    std::string s = std::to_string(ms / 1000);
    int frac = static_cast<int>(ms % 1000);
    char buf[8];
    std::snprintf(buf, sizeof buf, ".%03d", frac);
    std::string f = buf;
    while (f.size() > 2 && f.back() == '0')
        f.pop_back();
    return s + f;
}

std::string record_json(const MappingConfig& c, const std::string& shard_id,
                        const kinesis::Record& r) {
    // Key order as AWS emits it (docs/aws/lambda.md, The Kinesis event).
    std::string out;
    out.reserve(r.data.size() * 4 / 3 + 512);
    out += R"({"kinesis":{"kinesisSchemaVersion":"1.0","partitionKey":)";
    out += json_quoted(r.partition_key);
    out += R"(,"sequenceNumber":")";
    out += r.sequence_number;
    out += R"(","data":")";
    out += base64_encode(r.data);
    out += R"(","approximateArrivalTimestamp":)";
    out += arrival_seconds(r.arrival_ms);
    out += R"(},"eventSource":"aws:kinesis","eventVersion":"1.0","eventID":")";
    out += shard_id;
    out += ':';
    out += r.sequence_number;
    out += R"(","eventName":"aws:kinesis:record","invokeIdentityArn":)";
    out += json_quoted(c.role_arn);
    out += R"(,"awsRegion":)";
    out += json_quoted(c.stream.region);
    out += R"(,"eventSourceARN":)";
    out += json_quoted(c.stream_arn);
    out += '}';
    return out;
}

std::string event_json(const std::deque<LaneRecord>& batch) {
    size_t n = 16;
    for (const auto& r : batch)
        n += r.json.size() + 1;
    std::string out;
    out.reserve(n);
    out += R"({"Records":[)";
    for (size_t i = 0; i < batch.size(); ++i) {
        if (i) out += ',';
        out += batch[i].json;
    }
    out += "]}";
    return out;
}

BatchResponse parse_batch_response(const std::string& payload,
                                   const std::deque<LaneRecord>& batch) {
    BatchResponse out;
    json j = json::parse(payload, nullptr, false);
    // {}, null, "", [] and anything that is not an object: full success (docs/aws/lambda.md,
    // Partial batch response).
    if (j.is_discarded() || !j.is_object()) return out;
    auto it = j.find("batchItemFailures");
    if (it == j.end() || it->is_null()) return out;
    if (!it->is_array()) {
        out.kind = BatchResponse::Kind::kFailure;
        return out;
    }
    if (it->empty()) return out;
    size_t lowest = batch.size();
    for (const auto& item : *it) {
        auto id = item.is_object() ? item.find("itemIdentifier") : item.end();
        if (!item.is_object() || id == item.end() || !id->is_string() ||
            id->get_ref<const std::string&>().empty()) {
            out.kind = BatchResponse::Kind::kFailure;
            return out;
        }
        const auto& seq = id->get_ref<const std::string&>();
        auto pos = std::find_if(batch.begin(), batch.end(),
                                [&](const LaneRecord& r) { return r.sequence_number == seq; });
        if (pos == batch.end()) {  // not a record of this batch: kemu treats it as LocalStack does
            out.kind = BatchResponse::Kind::kFailure;
            return out;
        }
        lowest = std::min(lowest, static_cast<size_t>(pos - batch.begin()));
    }
    out.kind = BatchResponse::Kind::kPartial;
    out.index = lowest;
    return out;
}

Lane::Lane(const MappingConfig& config, MappingDeps deps, Checkpoints& checkpoints,
           Sleeper& sleeper, std::string shard_id, int lane_index, bool from_trim_horizon,
           const LiveSettings* live)
    : config_(config),
      live_(live),
      deps_(deps),
      checkpoints_(checkpoints),
      sleeper_(sleeper),
      shard_id_(std::move(shard_id)),
      lane_(lane_index),
      from_trim_horizon_(from_trim_horizon),
      window_start_ms_(deps.clock.now_ms()),
      filters_(compile_filters(config)),
      tw_ms_(int64_t{config.tumbling_window_seconds} * 1000) {
    if (tw_ms_ > 0) {
        if (auto w = checkpoints_.window(shard_id_, lane_)) open_ = decode_window(*w);
    }
}

bool Lane::obtain_iterator() {
    kinesis::IteratorStart start;
    if (last_read_) {
        start.type = kinesis::IteratorType::kAfterSequenceNumber;
        start.sequence_number = *last_read_;
    } else if (auto cp = checkpoints_.get(shard_id_, lane_)) {
        start.type = kinesis::IteratorType::kAfterSequenceNumber;
        start.sequence_number = *cp;
    } else {
        // A child shard (after a reshard) is read from its start, except under AT_TIMESTAMP:
        // its records all arrived after its parents', so the timestamp cuts the lineage once.
        start.type = config_.starting_position;
        if (from_trim_horizon_ && start.type != kinesis::IteratorType::kAtTimestamp)
            start.type = kinesis::IteratorType::kTrimHorizon;
        if (start.type == kinesis::IteratorType::kAtTimestamp) {
            start.timestamp_ms = config_.starting_timestamp_ms.value_or(0);
        } else if (start.type == kinesis::IteratorType::kLatest) {
            // LATEST as of the mapping's first start, so a restart before the first
            // checkpoint does not skip what arrived while kemu was down.
            start.type = kinesis::IteratorType::kAtTimestamp;
            start.timestamp_ms = checkpoints_.start_ms(deps_.clock.now_ms());
        }
    }
    auto it = deps_.reader.get_shard_iterator(config_.stream, shard_id_, start);
    if (!it) {
        log_warn("lambda",
                 config_.function_name + ": cannot read " + shard_id_ + ": " + it.error().message);
        return false;
    }
    iterator_ = *it;
    return true;
}

void Lane::refresh() {
    if (!live_ || live_->version() == live_version_) return;
    live_version_ = live_->version();
    auto pf = config_.parallelization_factor;  // the lanes are restarted for a new one
    apply_settings(live_->get(), &config_);
    config_.parallelization_factor = pf;
}

bool Lane::fill() {
    refresh();
    bool ok = read_more();
    // Records filtered out while nothing was pending are done with: move the checkpoint past.
    if (skip_to_) checkpoint(*skip_to_);
    skip_to_.reset();
    return ok;
}

bool Lane::read_more() {
    for (int reads = 0; reads < 10 && !drained_; ++reads) {
        if (pending_.size() >= static_cast<size_t>(config_.batch_size) ||
            pending_bytes_ >= kMaxPayloadBytes)
            return true;
        if (!iterator_ && !obtain_iterator()) return false;
        int limit = std::clamp(config_.batch_size - static_cast<int>(pending_.size()), 1, 10000);
        auto r = deps_.reader.get_records(*iterator_, limit);
        if (!r) {
            switch (r.error().code) {
                case AwsErrorCode::kExpiredIterator:
                    iterator_.reset();
                    continue;
                case AwsErrorCode::kProvisionedThroughputExceeded:
                    return true;  // read again on the next poll
                default:
                    log_warn("lambda", config_.function_name + ": reading " + shard_id_ + ": " +
                                           r.error().message);
                    return false;
            }
        }
        for (auto& rec : r->records) {
            last_read_ = rec.sequence_number;
            if (config_.parallelization_factor > 1 &&
                lane_hash(rec.partition_key) % config_.parallelization_factor !=
                    static_cast<uint32_t>(lane_))
                continue;
            if (filtered_out(rec)) {
                // AWS: never delivered, checkpointed past, counted in FilteredOutEventCount.
                ++deps_.metrics.filtered_out_events;
                if (pending_.empty()) {
                    skip_to_ = rec.sequence_number;
                } else {
                    pending_.back().through = rec.sequence_number;
                }
                continue;
            }
            LaneRecord lr{
                rec.sequence_number, rec.arrival_ms, record_json(config_, shard_id_, rec), {}};
            pending_bytes_ += lr.json.size() + 1;
            pending_.push_back(std::move(lr));
        }
        if (!r->next_iterator) {
            drained_ = true;
            iterator_.reset();
        } else {
            iterator_ = *r->next_iterator;
        }
        if (r->records.empty()) break;
    }
    return true;
}

std::optional<int64_t> Lane::window_deadline() const {
    if (pending_.empty() && open_) return open_->start_ms + tw_ms_;
    if (pending_.empty()) return std::nullopt;
    return window_start_ms_ + int64_t{config_.batch_window_seconds} * 1000;
}

bool Lane::batch_ready() const {
    if (pending_.empty()) return false;
    if (pending_.size() >= static_cast<size_t>(config_.batch_size)) return true;
    if (pending_bytes_ + 16 > kMaxPayloadBytes) return true;
    if (drained_) return true;  // nothing more will come
    // A batch never spans two tumbling windows; a later window's record closes the earlier.
    if (tw_ms_ > 0 && window_of(pending_.front()) != window_of(pending_.back())) return true;
    return deps_.clock.now_ms() >= *window_deadline();
}

void Lane::checkpoint(const std::string& sequence) {
    if (open_) {
        checkpoints_.set_with_window(shard_id_, lane_, sequence, encode_window(*open_));
    } else {
        checkpoints_.set(shard_id_, lane_, sequence);
    }
}

int64_t Lane::backoff_ms(int attempts) const {
    int64_t d = config_.backoff_initial_ms;
    for (int i = 1; i < attempts && d < config_.backoff_max_ms; ++i)
        d *= 2;
    return std::min(d, config_.backoff_max_ms);
}

void Lane::discard(std::deque<LaneRecord>& records, size_t count,
                   sqs_dlq::FailureCondition condition, int attempts, const std::string& request_id,
                   bool function_error) {
    if (count == 0) return;
    deps_.metrics.dropped_events += static_cast<int64_t>(count);
    const auto& first = records.front();
    const auto& last = records[count - 1];
    if (deps_.dead_letters && !config_.on_failure_queue.empty()) {
        sqs_dlq::FailureRecord f;
        f.queue_name = config_.on_failure_queue;
        f.request_id = request_id.empty() ? uuid_v4() : request_id;
        f.function_arn = config_.function_arn;
        f.condition = condition;
        f.approximate_invoke_count = std::max(attempts, 1);
        if (!function_error) f.function_error.reset();
        f.timestamp_ms = deps_.clock.now_ms();
        f.shard_id = shard_id_;
        f.start_sequence_number = first.sequence_number;
        f.end_sequence_number = last.sequence_number;
        f.first_arrival_ms = first.arrival_ms;
        f.last_arrival_ms = last.arrival_ms;
        f.batch_size = static_cast<int>(count);
        f.stream_arn = config_.stream_arn;
        if (auto r = deps_.dead_letters->send(f); r) {
            ++deps_.metrics.dlq_messages;
        } else {
            // AWS drops the records anyway (docs/aws/lambda.md, Failure handling); say so and
            // count it.
            ++deps_.metrics.dlq_failures;
            log_warn("lambda", config_.function_name +
                                   ": could not write the on-failure record to " +
                                   config_.on_failure_queue + ": " + r.error().message);
        }
    }
    checkpoint(through(last));
    records.erase(records.begin(), records.begin() + static_cast<std::ptrdiff_t>(count));
}

std::deque<LaneRecord> Lane::take_batch() {
    std::deque<LaneRecord> batch;
    // A window's event also carries its state and keys (up to about 1 MB more).
    size_t bytes = 16 + (open_ ? open_->state.size() + 512 : 0);
    while (!pending_.empty() && batch.size() < static_cast<size_t>(config_.batch_size)) {
        if (tw_ms_ > 0 && !batch.empty() && window_of(pending_.front()) != window_of(batch.front()))
            break;
        size_t n = pending_.front().json.size() + 1;
        if (!batch.empty() && bytes + n > kMaxPayloadBytes) break;
        bytes += n;
        pending_bytes_ -= n;
        batch.push_back(std::move(pending_.front()));
        pending_.pop_front();
    }
    return batch;
}

size_t Lane::expired_count(const std::deque<LaneRecord>& batch) const {
    int64_t oldest_ok = deps_.clock.now_ms() - config_.retention_ms;
    if (config_.max_record_age_seconds >= 0) {
        oldest_ok = std::max(oldest_ok,
                             deps_.clock.now_ms() - int64_t{config_.max_record_age_seconds} * 1000);
    }
    size_t expired = 0;
    while (expired < batch.size() && batch[expired].arrival_ms < oldest_ok)
        ++expired;
    return expired;
}

void Lane::count_attempt(const std::deque<LaneRecord>& batch, const InvokeResult& result,
                         int64_t dispatch_ms) {
    auto& m = deps_.metrics;
    ++m.invocations;
    m.invoked_events += static_cast<int64_t>(batch.size());
    int64_t age = dispatch_ms - batch.back().arrival_ms;
    m.iterator_age_ms = age;
    FunctionMetrics::raise_max(m.iterator_age_ms_max, age);
    FunctionMetrics::raise_max(m.iterator_age_window_max, age);
    m.duration_us_sum += result.duration_us;
    FunctionMetrics::raise_max(m.duration_us_max, result.duration_us);
}

bool Lane::process_batch() {
    // The open window ends before a later window's records (or a fresh state) go out.
    if (final_due() && !pending_.empty()) return process_final();
    if (tw_ms_ > 0 && !open_ && !pending_.empty()) open_ = OpenWindow{window_of(pending_.front())};
    std::deque<std::deque<LaneRecord>> queue;
    queue.push_back(take_batch());
    auto& m = deps_.metrics;
    while (!queue.empty()) {
        auto b = std::move(queue.front());
        queue.pop_front();
        int attempts = 0;
        std::string request_id;
        bool last_was_function_error = true;
        while (!b.empty()) {
            // Rule 5: records past MaximumRecordAgeInSeconds, or past the stream's retention,
            // leave from the front.
            if (size_t expired = expired_count(b)) {
                discard(b, expired, sqs_dlq::FailureCondition::kRecordAgeExceeded, attempts,
                        request_id, false);
                continue;
            }
            auto event = payload(b);
            int64_t dispatch = deps_.clock.now_ms();
            auto result = deps_.invoker.invoke(event);
            if (result.status == InvokeResult::Status::kThrottled) {
                // Rule 2: no attempt consumed; wait and try again.
                ++m.throttles;
                if (!sleeper_.sleep_ms(backoff_ms(1))) return false;
                continue;
            }
            ++attempts;
            request_id = result.request_id;
            count_attempt(b, result, dispatch);

            if (result.status == InvokeResult::Status::kOk) {
                BatchResponse resp;
                if (tw_ms_ > 0) {
                    resp = window_response(result.payload, b)
                               .value_or(BatchResponse{BatchResponse::Kind::kFailure, 0});
                } else if (config_.report_batch_item_failures) {
                    resp = parse_batch_response(result.payload, b);
                }
                if (resp.kind == BatchResponse::Kind::kSuccess) {
                    checkpoint(through(b.back()));
                    b.clear();
                    break;
                }
                last_was_function_error = false;
                if (resp.kind == BatchResponse::Kind::kPartial && resp.index > 0) {
                    // The checkpoint moves; the rest is a new batch with a fresh count
                    // (docs/aws/lambda.md, Partial batch response).
                    checkpoint(through(b[resp.index - 1]));
                    b.erase(b.begin(), b.begin() + static_cast<std::ptrdiff_t>(resp.index));
                    attempts = 0;
                }
            } else {
                ++m.errors;
                m.failed_invoke_events += static_cast<int64_t>(b.size());
                last_was_function_error = true;
                // Rule 6: bisect on a function error; halves start with fresh counts.
                if (config_.bisect_on_error && b.size() > 1) {
                    size_t first = (b.size() + 1) / 2;
                    std::deque<LaneRecord> second(std::make_move_iterator(b.begin() + first),
                                                  std::make_move_iterator(b.end()));
                    b.erase(b.begin() + first, b.end());
                    queue.push_front(std::move(second));
                    attempts = 0;
                    continue;
                }
            }
            if (attempts > 0 && config_.max_retry_attempts >= 0 &&
                attempts > config_.max_retry_attempts) {
                discard(b, b.size(), sqs_dlq::FailureCondition::kRetryAttemptsExhausted, attempts,
                        request_id, last_was_function_error);
                break;
            }
            if (!sleeper_.sleep_ms(backoff_ms(std::max(attempts, 1)))) return false;
        }
    }
    window_start_ms_ = deps_.clock.now_ms();
    return true;
}

}  // namespace kemu::lambda_runner
