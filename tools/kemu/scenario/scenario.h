#pragma once
// A scenario file (docs/scenarios.md), parsed once into plain structs: the topology it runs
// on, then its steps (send, wait_for, advance_time, expect). Every step and expectation keeps
// its line so a failure names `file:line`. Only parser.cc touches yaml-cpp.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/config.h"

namespace kemu::scenario {

// One flow's settings that a scenario overrides over its kemu.yaml (the keys of
// docs/kemu-yaml.md's event_flows[] of the same names).
struct FlowOverride {
    std::optional<int> batch_size;
    std::optional<int> batch_window_seconds;
    std::optional<int> max_retry_attempts;
    std::optional<bool> bisect_batch_on_function_error;
    std::optional<bool> report_batch_item_failures;
    std::optional<std::string> starting_position;
    std::optional<int> lambda_timeout;      // seconds
    std::optional<int> lambda_memory_size;  // MB
    std::optional<int> parallelization_factor;
    std::optional<int> maximum_record_age_seconds;
    int line = 0;
};

// The stage throttle a scenario sets over its kemu.yaml's api block (same keys).
struct ApiOverride {
    std::optional<double> throttling_rate_limit;
    std::optional<int> throttling_burst_limit;
};

// How the scenario's own `kemu up` runs (flags of `kemu up`).
struct RunSettings {
    int retry_backoff_ms = 1000;  // --lambda-retry-backoff-ms
    int alarm_period_s = 0;       // --alarm-period-s (0: the module's 60)
    bool shard_limits = false;    // --shard-limits
};

// `send`: records into the pipeline, through the front door or straight to a stream.
struct SendStep {
    enum class Target { kFrontDoor, kStream };
    Target to = Target::kFrontDoor;
    std::string event_type;
    std::string body;           // a template (JSON text or raw text); {{i}}, {{n}}, {{seed}}...
    std::string partition_key;  // a template; empty: the front door's request id / "pk-{{i}}"
    int count = 1;
    int batch = 0;                 // 0: one request per record (front door); else records per call
    int64_t deadline_ms = 30'000;  // throttled records are retried until then
};

// A condition polled by `wait_for` until it holds or its deadline passes.
struct Condition {
    enum class Kind { kReceived, kProcessed, kDlqDepth, kAlarmState, kIteratorAge };
    Kind kind = Kind::kProcessed;
    std::string flow;       // event type (received, processed, dlq)
    int64_t count = 0;      // at least this many
    bool distinct = false;  // kProcessed: count distinct records, not deliveries
    std::string alarm;      // alarm name (kAlarmState)
    std::string state;      // OK, ALARM, INSUFFICIENT_DATA
    // kIteratorAge: the flow's Lambda IteratorAge (its latest invocation's) below or above.
    std::optional<int64_t> below_ms, above_ms;
};

// `fault`: something going wrong on purpose: kemu itself killed with SIGKILL and restarted on
// the same data dir, or the flow's handler made to raise, to answer a partial batch failure, to
// time out, to be killed or to run out of memory (or, `recovers`, its faults ended), aimed at
// invocations (first N, the N-th, else every one) or at records (partition key, a body field), with
// an optional probability drawn from the run's seed.
struct FaultStep {
    enum class Kind { kKemuKilled, kHandler, kShardLimits, kFrontDoorThrottle };
    Kind kind = Kind::kKemuKilled;
    bool shard_limits_on = false;  // kShardLimits: Kinesis's per-shard limits on or off
    ApiOverride throttle;          // kFrontDoorThrottle: the stage's new throttle
    std::string flow;
    std::string handler;  // raises, partial_batch_failure, times_out, killed, out_of_memory,
                          // recovers
    int64_t first = 0, nth = 0;
    std::string partition_key, body_field, equals;
    double probability = 1;
};

struct WaitStep {
    Condition condition;
    int64_t timeout_ms = 30'000;
};

// One assertion of an `expect` step.
struct Expectation {
    enum class Kind {
        kReceived,     // records the flow's handler received (count, bodies)
        kProcessed,    // records in invocations that succeeded (count)
        kOrderByKey,   // per partition key, records reached the handler in sequence order
        kDlqCount,     // messages in the flow's DLQ
        kDlqRecord,    // fields of the flow's DLQ on-failure record number `index`
        kAlarmState,   // an alarm's state
        kResponse,     // the front-door responses of a send step
        kInvocations,  // the flow's invocations: count, batch sizes, failed ones
        kOutput,       // a line the flow's handler printed
        kMetric,       // a metric of kemu's /_kemu/metrics
    };
    Kind kind = Kind::kReceived;
    std::string flow;
    std::optional<int64_t> count;
    std::optional<int64_t> distinct;  // kProcessed: distinct records (at-least-once delivery)
    std::vector<std::string> bodies;  // JSON texts; each must match one record received
    int index = 0;                    // kDlqRecord
    std::map<std::string, std::string> fields;  // dotted path -> expected (JSON scalar text)
    std::string alarm, state;
    std::string send;                    // kResponse: the send step's name (empty: the last send)
    std::optional<int> status;           // kResponse: every response's status
    std::string body_contains;           // kResponse: every response's body contains this
    std::optional<int> any_status;       // kResponse: at least one response has it
    std::string any_body_contains;       // kResponse: at least one body contains it
    std::optional<int64_t> min_retries;  // kResponse: the sender retried at least this often
    std::vector<int64_t> batch_sizes;    // kInvocations: every invocation's size, in order
    std::optional<int64_t> max_batch_size;       // kInvocations: no invocation larger
    std::optional<int64_t> errors;               // kInvocations: failed invocations
    std::vector<std::string> error_types;        // kInvocations: the failed ones' types, in order
    std::vector<std::string> history;            // kAlarmState: the states it went to, in order
    std::map<std::string, std::string> headers;  // kResponse: every response has these
    std::string contains;                        // kOutput: a line of the handler's output has it
    std::string metric;                          // kMetric: the family's name
    std::map<std::string, std::string> labels;   // kMetric: the series' labels (a subset)
    std::optional<double> equals, at_least, at_most;  // kMetric: the series' sum
    std::string name;                                 // shown in reports and JUnit
    int line = 0;
};

struct Step {
    enum class Kind { kSend, kWaitFor, kAdvanceTime, kExpect, kFault };
    Kind kind = Kind::kSend;
    std::string name;  // `name:` of the step, or a generated one
    int line = 0;
    SendStep send;
    WaitStep wait;
    int64_t advance_ms = 0;
    // advance_time in slices of this much, each followed by two CloudWatch evaluations, so that
    // every alarm period in between gets its datapoints (0: one jump).
    int64_t advance_every_ms = 0;
    std::vector<Expectation> expect;
    FaultStep fault;
};

struct Scenario {
    std::string file;  // as given
    std::string dir;   // its folder, absolute: relative paths resolve against it
    std::string name;
    std::string description;
    std::string topology;  // absolute path of the kemu.yaml; empty: `kemu test -c`'s
    int topology_line = 0;
    std::map<std::string, FlowOverride> flows;
    ApiOverride api;
    RunSettings run;
    std::vector<Step> steps;
};

// Parses a scenario's YAML text; `file` names it in errors and its folder anchors paths.
// Returns every error found (file:line: key: message, as kemu.yaml's).
std::vector<ConfigError> parse_scenario(const std::string& text, const std::string& file,
                                        Scenario* out);
// Reads and parses a file; an unreadable file is one error.
std::vector<ConfigError> load_scenario(const std::string& path, Scenario* out);

// Durations: an integer of seconds, or a number with ms, s, m or h ("1500ms", "90s", "5m").
std::optional<int64_t> parse_duration_ms(const std::string& text);

}  // namespace kemu::scenario
