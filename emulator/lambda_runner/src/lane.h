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
#include "lambda_runner/event_source_mapping.h"

namespace kemu::lambda_runner {

// The synchronous invoke request limit (6 MB, MB = 1024 KB), measured on the event JSON.
inline constexpr size_t kMaxPayloadBytes = 6 * 1024 * 1024;

struct LaneRecord {
    std::string sequence_number;
    int64_t arrival_ms = 0;
    std::string json;  // this record's element of the event's Records array
};

// A stable partition-key hash for lane assignment (FNV-1a; AWS's hash is unknown).
uint32_t lane_hash(std::string_view partition_key);

// approximateArrivalTimestamp: seconds with millisecond resolution, as a JSON number.
std::string arrival_seconds(int64_t ms);

std::string record_json(const MappingConfig& c, const std::string& shard_id,
                        const kinesis::Record& r);

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
         std::string shard_id, int lane_index, bool from_trim_horizon = false);

    // Reads what the shard has into the pending buffer. Returns false when the stream is gone.
    bool fill();
    bool batch_ready() const;
    // When the batching window of the pending records runs out (ms since epoch), if any.
    std::optional<int64_t> window_deadline() const;
    // Takes a batch off the pending buffer and processes it to the end: success, discard, or
    // a stop (then returns false, leaving the checkpoint where it was).
    bool process_batch();
    // The shard is closed and this lane has processed all of it.
    bool finished() const { return drained_ && pending_.empty(); }
    size_t pending() const { return pending_.size(); }
    const std::string& shard_id() const { return shard_id_; }

private:
    bool obtain_iterator();
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

    const MappingConfig& config_;
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
};

}  // namespace kemu::lambda_runner
