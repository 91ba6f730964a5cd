#pragma once
// Counters the runner keeps per function, named as CloudWatch names them (docs/aws/lambda.md,
// Metrics).
// Lock-free; read with snapshot().

#include <atomic>
#include <cstdint>

namespace kemu::lambda_runner {

struct FunctionMetricsSnapshot {
    int64_t invocations = 0;
    int64_t errors = 0;
    int64_t throttles = 0;
    int64_t duration_us_sum = 0;
    int64_t duration_us_max = 0;
    int64_t concurrent_executions = 0;      // now
    int64_t concurrent_executions_max = 0;  // since start
    int64_t iterator_age_ms = 0;            // the last invocation's
    int64_t iterator_age_ms_max = 0;
    int64_t dlq_messages = 0;  // on-failure records delivered
    int64_t dlq_failures = 0;  // on-failure deliveries that failed
    int64_t cold_starts = 0;
    int64_t lanes = 0;  // the mapping's lanes running now: shards x parallelization factor
    // The event source mapping's event counts (MetricsConfig), in records.
    int64_t invoked_events = 0;        // InvokedEventCount: records sent to the function
    int64_t failed_invoke_events = 0;  // FailedInvokeEventCount: records of failed attempts
    int64_t dropped_events = 0;        // DroppedEventCount: records discarded (age / retries)
    int64_t filtered_out_events = 0;   // FilteredOutEventCount: records no filter matched
};

class FunctionMetrics {
public:
    std::atomic<int64_t> invocations{0};
    std::atomic<int64_t> errors{0};
    std::atomic<int64_t> throttles{0};
    std::atomic<int64_t> duration_us_sum{0};
    std::atomic<int64_t> duration_us_max{0};
    std::atomic<int64_t> concurrent{0};
    std::atomic<int64_t> concurrent_max{0};
    std::atomic<int64_t> iterator_age_ms{0};
    std::atomic<int64_t> iterator_age_ms_max{0};
    std::atomic<int64_t> iterator_age_window_max{-1};  // since the alarm evaluator's last take
    std::atomic<int64_t> dlq_messages{0};
    std::atomic<int64_t> dlq_failures{0};
    std::atomic<int64_t> cold_starts{0};
    std::atomic<int64_t> lanes{0};
    std::atomic<int64_t> invoked_events{0};
    std::atomic<int64_t> failed_invoke_events{0};
    std::atomic<int64_t> dropped_events{0};
    std::atomic<int64_t> filtered_out_events{0};

    static void raise_max(std::atomic<int64_t>& a, int64_t v) {
        int64_t cur = a.load(std::memory_order_relaxed);
        while (v > cur && !a.compare_exchange_weak(cur, v, std::memory_order_relaxed)) {
        }
    }

    FunctionMetricsSnapshot snapshot() const {
        FunctionMetricsSnapshot s;
        s.invocations = invocations.load();
        s.errors = errors.load();
        s.throttles = throttles.load();
        s.duration_us_sum = duration_us_sum.load();
        s.duration_us_max = duration_us_max.load();
        s.concurrent_executions = concurrent.load();
        s.concurrent_executions_max = concurrent_max.load();
        s.iterator_age_ms = iterator_age_ms.load();
        s.iterator_age_ms_max = iterator_age_ms_max.load();
        s.dlq_messages = dlq_messages.load();
        s.dlq_failures = dlq_failures.load();
        s.cold_starts = cold_starts.load();
        s.lanes = lanes.load();
        s.invoked_events = invoked_events.load();
        s.failed_invoke_events = failed_invoke_events.load();
        s.dropped_events = dropped_events.load();
        s.filtered_out_events = filtered_out_events.load();
        return s;
    }
};

}  // namespace kemu::lambda_runner
