#pragma once
// One lane of a shard: reads its records (all of the shard's when the parallelization factor
// is 1, else those whose partition key hashes to it), assembles batches and runs Lambda's
// failure rules (docs/aws/lambda.md, Batching and Failure handling). Single-threaded: the mapping
// gives each lane its own thread, tests drive it by hand with a ManualClock.

#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <vector>

#include "checkpoints.h"
#include "core/filter_pattern.h"
#include "lambda_runner/event_source_mapping.h"
#include "tumbling_window.h"

namespace kemu::lambda_runner {

// The synchronous invoke request limit (6 MB, MB = 1024 KB), measured on the event JSON.
inline constexpr size_t kMaxPayloadBytes = 6 * 1024 * 1024;

struct LaneRecord {
    std::string sequence_number;
    int64_t arrival_ms = 0;
    std::string json;  // this record's element of the event's Records array
    // The last filtered-out record between this one and the next delivered one: checkpointing
    // this record checkpoints past those too. Empty: none.
    std::string through;
};

// A stable partition-key hash for lane assignment (FNV-1a; AWS's hash is unknown).
uint32_t lane_hash(std::string_view partition_key);

// approximateArrivalTimestamp: seconds with millisecond resolution, as a JSON number.
std::string arrival_seconds(int64_t ms);

std::string record_json(const MappingConfig& c, const std::string& shard_id,
                        const kinesis::Record& r);

// Whether `r` is delivered under `filters` (any matches; none given: all are). AWS matches a
// Kinesis pattern against the record's metadata with `data` decoded (lane_window.cc).
bool passes_filters(const std::vector<FilterPattern>& filters, const kinesis::Record& r);
// The mapping's filter patterns, compiled; an invalid one is logged and left out.
std::vector<FilterPattern> compile_filters(const MappingConfig& c);

// {"Records":[...]}
std::string event_json(const std::deque<LaneRecord>& batch);

// What a ReportBatchItemFailures response asks for (docs/aws/lambda.md, Partial batch
// response): success, a retry from the
// record at `index`, or a failure of the whole batch.
struct BatchResponse {
    enum class Kind { kSuccess, kPartial, kFailure } kind = Kind::kSuccess;
    size_t index = 0;  // kPartial: position of the lowest failed record
};
BatchResponse parse_batch_response(const std::string& payload, const std::deque<LaneRecord>& batch);

class Lane {
public:
    // `from_trim_horizon`: a child shard after resharding is read from its start, whatever the
    // mapping's starting position, except AT_TIMESTAMP's, which applies to every shard.
    Lane(const MappingConfig& config, MappingDeps deps, Checkpoints& checkpoints, Sleeper& sleeper,
         std::string shard_id, int lane_index, bool from_trim_horizon = false,
         const LiveSettings* live = nullptr);

    // Reads what the shard has into the pending buffer. Returns false when the stream is gone.
    bool fill();
    bool batch_ready() const;
    // When the batching window of the pending records runs out (ms since epoch), if any.
    std::optional<int64_t> window_deadline() const;
    // Takes a batch off the pending buffer and processes it to the end: success, discard, or
    // a stop (then returns false, leaving the checkpoint where it was).
    bool process_batch();
    // A tumbling window is open and ends now: its records are processed and its end has
    // passed, a later window's records are pending, its state outgrew 1 MB, or the shard closed.
    bool final_due() const;
    // The window's final invocation (isFinalInvokeForWindow, no records), retried as a batch
    // is; then the window is closed. Returns false on a stop.
    bool process_final();
    // The shard is closed and this lane has processed all of it.
    bool finished() const { return drained_ && pending_.empty() && !open_; }
    size_t pending() const { return pending_.size(); }
    const std::string& shard_id() const { return shard_id_; }

private:
    bool read_more();
    // Takes the live settings when they changed since the last look.
    void refresh();
    bool obtain_iterator();
    // Whether no filter pattern matches `r` (lane_window.cc).
    bool filtered_out(const kinesis::Record& r) const;
    int64_t window_of(const LaneRecord& r) const { return window_start(r.arrival_ms, tw_ms_); }
    std::string payload(const std::deque<LaneRecord>& batch) const;
    // A tumbling-window response: its state kept, or nullopt when it has none (a failure).
    std::optional<BatchResponse> window_response(const std::string& payload,
                                                 const std::deque<LaneRecord>& batch);
    static const std::string& through(const LaneRecord& r) {
        return r.through.empty() ? r.sequence_number : r.through;
    }
    void checkpoint(const std::string& sequence);
    void discard(std::deque<LaneRecord>& records, size_t count, sqs_dlq::FailureCondition condition,
                 int attempts, const std::string& request_id, bool function_error);
    int64_t backoff_ms(int attempts) const;
    // The next batch off the pending buffer: at most batch_size records and 6 MB of event.
    std::deque<LaneRecord> take_batch();
    // How many records at the front of `batch` are past the record age limit or retention.
    size_t expired_count(const std::deque<LaneRecord>& batch) const;
    void count_attempt(const std::deque<LaneRecord>& batch, const InvokeResult& result,
                       int64_t dispatch_ms);

    MappingConfig config_;  // a copy: the live settings are applied to it
    const LiveSettings* live_;
    uint64_t live_version_ = ~uint64_t{0};
    MappingDeps deps_;
    Checkpoints& checkpoints_;
    Sleeper& sleeper_;
    std::string shard_id_;
    int lane_;
    bool from_trim_horizon_;
    std::optional<std::string> iterator_;
    std::optional<std::string> last_read_;  // newest sequence number read (any lane's)
    std::deque<LaneRecord> pending_;
    size_t pending_bytes_ = 0;
    bool drained_ = false;
    int64_t window_start_ms_ = 0;
    std::vector<FilterPattern> filters_;
    std::optional<std::string> skip_to_;  // filtered out while nothing was pending
    int64_t tw_ms_ = 0;                   // tumbling window length; 0: off
    std::optional<OpenWindow> open_;
};

}  // namespace kemu::lambda_runner
