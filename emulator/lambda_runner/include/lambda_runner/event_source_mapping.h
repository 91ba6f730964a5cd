#pragma once
// The Kinesis event source mapping of one function: one lane per shard and parallelization
// slot, each a thread that batches records (size, window, 6 MB), invokes the function and
// applies AWS's failure rules (docs/aws/lambda.md, Batching to Partial batch response):
// blocking retries with back-off,
// bisection, record age, partial batch responses, on-failure records to the DLQ. Checkpoints
// persist in the `meta` column family; parents are finished before their children.

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/db.h"
#include "kinesis/store.h"
#include "lambda_runner/invoker.h"
#include "lambda_runner/metrics.h"
#include "sqs_dlq/dead_letter_sink.h"

namespace kemu::lambda_runner {

struct MappingConfig {
    kinesis::StreamKey stream;
    std::string stream_arn;
    std::string function_name;
    std::string function_arn;
    std::string role_arn;          // invokeIdentityArn
    int batch_size = 100;          // 1..10000
    int batch_window_seconds = 0;  // 0..300
    kinesis::IteratorType starting_position = kinesis::IteratorType::kLatest;
    std::optional<int64_t> starting_timestamp_ms;  // AT_TIMESTAMP
    int max_retry_attempts = -1;                   // -1 = until the records expire
    int max_record_age_seconds = -1;               // -1 = no limit
    // The stream's retention: records past it are discarded like records past the age limit
    // (docs/aws/lambda.md, Failure handling), so a batch retried forever ends when its records
    // expire.
    int64_t retention_ms = 24 * 3600 * 1000;
    bool bisect_on_error = false;
    int parallelization_factor = 1;  // 1..10
    bool report_batch_item_failures = false;
    std::string on_failure_queue;  // the DLQ's name; empty: discarded records vanish
    // Back-off between retries of a failing batch (AWS undocumented; docs/aws/lambda.md, kemu's
    // choices).
    int64_t backoff_initial_ms = 1000;
    int64_t backoff_max_ms = 60'000;
    int64_t idle_poll_ms = 1000;  // how often an idle shard is polled besides append wake-ups
    // TumblingWindowInSeconds, 0..900; 0 = off. Windows are aligned to multiples of their
    // length since the Unix epoch, on the records' arrival time (AWS does not say how it aligns
    // them; docs/aws/lambda.md, Tumbling windows).
    int tumbling_window_seconds = 0;
    // FilterCriteria: patterns as JSON text (core/filter_pattern.h), validated by the caller.
    // A record none matches is never sent; it is checkpointed past and counted as filtered out.
    std::vector<std::string> filter_patterns;  // empty: every record is delivered
};

// The settings UpdateEventSourceMapping changes on a running mapping. Lanes read them at their
// next batch; a parallelization change or Enabled restarts the shard's lanes from their
// checkpoints.
struct MappingSettings {
    int batch_size = 100;
    int batch_window_seconds = 0;
    int max_retry_attempts = -1;
    int max_record_age_seconds = -1;
    bool bisect_on_error = false;
    int parallelization_factor = 1;
    bool enabled = true;
    bool operator==(const MappingSettings&) const = default;
};

MappingSettings settings_of(const MappingConfig& c);
// `c` with the batching and failure settings of `s` (the parallelization factor is the
// mapping's to apply).
void apply_settings(const MappingSettings& s, MappingConfig* c);

// A mapping's current settings, read by its lanes from their threads.
class LiveSettings {
public:
    explicit LiveSettings(MappingSettings s) : settings_(s) {}
    MappingSettings get() const {
        std::lock_guard lock(mu_);
        return settings_;
    }
    void set(const MappingSettings& s) {
        std::lock_guard lock(mu_);
        settings_ = s;
        version_.fetch_add(1);
    }
    uint64_t version() const { return version_.load(); }

private:
    mutable std::mutex mu_;
    MappingSettings settings_;
    std::atomic<uint64_t> version_{0};
};

// Sleeps that a stop can cut short; tests advance a ManualClock instead.
class Sleeper {
public:
    virtual ~Sleeper() = default;
    // Returns false when the runner is stopping.
    virtual bool sleep_ms(int64_t ms) = 0;
};

struct MappingDeps {
    kinesis::Reader& reader;
    Invoker& invoker;
    sqs_dlq::DeadLetterSink* dead_letters;  // null: no on-failure destination
    Db& db;                                 // checkpoints
    const Clock& clock;
    FunctionMetrics& metrics;
};

class Mapping {
public:
    Mapping(MappingConfig config, MappingDeps deps);
    ~Mapping();  // stops
    Mapping(const Mapping&) = delete;
    Mapping& operator=(const Mapping&) = delete;

    void start();
    // Lets in-flight invocations finish (bounded by their timeout), then returns.
    void stop();
    // The settings as started (kemu.yaml's); settings() has the live ones.
    const MappingConfig& config() const;
    MappingSettings settings() const;
    // Applies new settings to the running mapping (thread-safe): batch size, window, retries,
    // record age and bisection at each lane's next batch; a new parallelization factor, or a
    // change of `enabled`, stops the lanes (an in-flight invocation finishes first) and starts
    // them again from their checkpoints. Disabled: no lane runs, records keep arriving.
    void update(const MappingSettings& s);

    struct Impl;

private:
    std::unique_ptr<Impl> impl_;
};

}  // namespace kemu::lambda_runner
