#pragma once
// What `kemu up --scenario-hooks` adds for `kemu test` (never on by default):
//   - a clock that `advance_time` moves forward: the system clock plus an offset, read by
//     every engine kemu up wires (both now_ms and monotonic_us move);
//   - a recorder around each processor's function, keeping every invocation's records and
//     outcome, so a scenario sees what each handler received;
//   - the admin endpoints under /_kemu/scenario/:
//       GET  /_kemu/scenario/invocations      {"invocations":[{"function","status",
//            "error_type","batch_item_failures","start_ms","end_ms","records":[{"partitionKey",
//            "sequenceNumber","data"}]}]}
//            (status ok, error or throttled; data decoded from base64); ?from=N: only those
//            from the N-th on (0-based, in the order recorded), so a poller reads each once
//       POST /_kemu/scenario/advance_time?ms=N  {"now_ms":...,"offset_ms":...,"ticks":...}
//       GET  /_kemu/scenario/clock            the same: now_ms is the moved clock; ticks counts the
//            CloudWatch evaluations (one a second) so far, so a scenario can wait for one that
//            follows its advance
//       POST /_kemu/scenario/faults           a handler fault (fault.h), JSON body; {}; or
//            a service fault: {"kind":"shard_limits","on":true|false} (Kinesis's per-shard
//            limits), {"kind":"front_door_throttle","rate_limit":R,"burst_limit":B},
//            {"kind":"disk","fail_writes":true|false} (the data dir refuses every write, as
//            a full disk does, or takes them again)
//   The invocations survive kill -9 and a restart on the same data dir (a journal file there).

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/clock.h"
#include "core/http.h"
#include "fault.h"
#include "lambda_runner/function_pool.h"
#include "lambda_runner/invoker.h"

namespace kemu::scenario {

inline constexpr std::string_view kHooksPrefix = "/_kemu/scenario/";

// The system clock moved forward by everything advance_ms() added.
class ShiftedClock final : public Clock {
public:
    int64_t now_ms() const override { return system_.now_ms() + offset(); }
    int64_t monotonic_us() const override { return system_.monotonic_us() + offset() * 1000; }
    void advance_ms(int64_t ms) { offset_ms_.fetch_add(ms, std::memory_order_relaxed); }
    int64_t offset() const { return offset_ms_.load(std::memory_order_relaxed); }

private:
    SystemClock system_;
    std::atomic<int64_t> offset_ms_{0};
};

class Hooks {
public:
    // `journal`: a file that keeps every invocation (one JSON line each, written before the
    // mapping checkpoints), so those of a kemu killed with -9 are still seen after its
    // restart on the same data dir; read back here. Empty: memory only.
    explicit Hooks(std::string journal = "");
    const Clock& clock() const { return clock_; }
    // An invoker that runs `inner` and records each call under `function`; owned by the hooks.
    lambda_runner::Invoker& record(const std::string& function, lambda_runner::FunctionPool& inner);
    // Answers a request under kHooksPrefix.
    HttpResponse handle(const HttpRequest& req);

    struct Invocation {
        std::string function, status, error_type;
        std::vector<InvokedRecord> records;
        int64_t batch_item_failures = 0;  // entries of a partial batch response
        // The hooks' clock when the invocation started and ended (kemu load's latencies).
        int64_t start_ms = 0, end_ms = 0;
    };
    void add(Invocation inv);
    // Off: invocations are neither kept nor journalled (GET invocations answers none), so a
    // long run (bench/soak.py) keeps only the clock and the faults. Default: on.
    void keep_invocations(bool on) { keep_ = on; }
    Faults& faults() { return faults_; }
    // A fault of kemu's own services rather than a handler's (kemu up wires them:
    // `shard_limits`, `front_door_throttle`): POST /_kemu/scenario/faults with that "kind"
    // calls `apply` with the request's JSON; it answers what is wrong with it, or "".
    using ServiceFault = std::function<std::string(const nlohmann::json& spec)>;
    void on_fault(const std::string& kind, ServiceFault apply) {
        service_faults_[kind] = std::move(apply);
    }
    // Called after each CloudWatch evaluation.
    void ticked() { ticks_.fetch_add(1, std::memory_order_relaxed); }

private:
    std::string invocations_json(size_t from);  // those from index `from` on
    std::string clock_json() const;
    static nlohmann::json to_json(const Invocation& inv);

    ShiftedClock clock_;
    std::atomic<int64_t> ticks_{0};
    std::map<std::string, ServiceFault> service_faults_;
    std::string journal_;
    bool keep_ = true;
    std::mutex mu_;
    std::vector<Invocation> invocations_;
    Faults faults_;
    std::vector<std::unique_ptr<lambda_runner::Invoker>> recorders_;
};

}  // namespace kemu::scenario
