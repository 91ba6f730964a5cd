#pragma once
// A function's execution environments: zero-scaled subprocesses, each speaking the Lambda
// Runtime API (2018-06-01) to its own loopback listener (docs/aws/lambda.md, Runtime API and
// Execution environment lifecycle). One invocation per environment at a time; warm ones are
// reused; a timeout, crash, exit, OOM or init failure resets the environment. Handler output
// becomes the function's log, with START / END / REPORT lines as AWS writes them, shown live and
// appended to the log file.

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "lambda_runner/invoker.h"
#include "lambda_runner/metrics.h"

namespace kemu::lambda_runner {

// Receives each line of a function's log with its time (ms since the epoch, on the pool's clock).
using LogSink = std::function<void(int64_t timestamp_ms, std::string_view line)>;

struct FunctionConfig {
    std::string name;      // dev-orders-processor
    std::string arn;       // unqualified function ARN
    std::string runtime;   // python3.11, nodejs20.x, provided.al2023, ...
    std::string handler;   // handler.process_event
    std::string code_dir;  // absolute: LAMBDA_TASK_ROOT and the working directory
    std::string region;
    int memory_mb = 128;  // 128..10240; enforced on the process's resident set
    int timeout_s = 3;    // 1..900
    // argv that starts the runtime: the resolved interpreter and kemu's bootstrap, or the
    // function's own `bootstrap` for provided runtimes (see runtimes.h).
    std::vector<std::string> command;
    std::map<std::string, std::string> environment;  // user variables
    // AWS_ENDPOINT_URL of the runtime, so the handler's AWS SDK (boto3, the JS SDK v3, ...)
    // reaches this endpoint with no endpoint in its code; empty: not set, as on AWS.
    std::string aws_endpoint_url;
    std::string log_file;  // appended; empty: none
    // Called for every line the function log writes (START, END, REPORT, INIT_REPORT, the
    // handler's output), in the log's order, one call at a time (from whichever of the
    // function's threads wrote the line), with no lock of the log held; empty: none.
    LogSink log_sink;
    bool echo_logs = true;   // also print each line to stdout, prefixed by the function name
    std::string tmp_dir;     // parent of each environment's TMPDIR
    int concurrency = 1000;  // at most this many environments; beyond: throttles
    int64_t init_limit_ms = 10'000;  // AWS: 10 s, then init is retried within the timeout
};

// A failure `kemu test` aims at one invocation of the real function (a scenario's `fault`
// step). The runtime is frozen (SIGSTOP) before it is handed the event, so the team's handler
// does not run, and the environment's own failure path ends the invocation exactly as it ends
// one whose handler hangs, crashes or outgrows its memory: the same error, log lines, metrics
// and reset. Never used by `kemu up` on its own.
enum class Disruption {
    kNone,
    kHang,         // the function's timeout ends it: Sandbox.Timedout
    kKill,         // SIGKILL: Runtime.ExitError, "signal: killed"
    kOutOfMemory,  // held to a limit below what it uses: Runtime.OutOfMemory
};

struct PoolStats {
    int environments = 0;
    int busy = 0;
};

class FunctionPool final : public Invoker {
public:
    // `clock` drives every timer of the pool and its environments: init limits, invocation
    // timeouts, durations, idle times, and the timestamps of the function log.
    FunctionPool(FunctionConfig config, FunctionMetrics& metrics, const Clock& clock);
    ~FunctionPool() override;  // kills every environment
    FunctionPool(const FunctionPool&) = delete;
    FunctionPool& operator=(const FunctionPool&) = delete;

    InvokeResult invoke(const std::string& event) override;
    // The same, with a failure aimed at this invocation.
    InvokeResult invoke(const std::string& event, Disruption disruption);

    // Stops environments idle for `idle_ms` or longer (on the clock's monotonic reading), and
    // idle ones whose runtime has exited. Returns how many.
    int reap_idle(int64_t idle_ms);
    // Retires every environment: idle ones now, busy ones when their invocation ends, so the
    // next invocation cold-starts (changed code, or a test's forced cold start).
    void retire_all();
    // True when a file under code_dir changed since the last call (mtimes, names, sizes).
    bool code_changed();
    PoolStats stats() const;
    const FunctionConfig& config() const;
    // Sets config().aws_endpoint_url (kemu learns its port only once it listens).
    // REQUIRES: no invocation yet.
    void set_aws_endpoint_url(std::string url);
    void shutdown();

    struct Impl;

private:
    uint64_t generation_now() const;
    std::unique_ptr<Impl> impl_;
};

}  // namespace kemu::lambda_runner
