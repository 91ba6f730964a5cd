#pragma once
// One execution environment: the runtime subprocess under its supervisor, its Runtime API
// listener on 127.0.0.1, and the pipes that carry its output into the function log. Runs one
// invocation at a time: init, dispatch, the wait for the answer under the timeout and the
// memory limit, then the END and REPORT lines.

#include <atomic>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <sys/types.h>

#include "core/clock.h"
#include "function_log.h"
#include "lambda_runner/function_pool.h"
#include "memory_sampler.h"
#include "output_pipes.h"
#include "runtime_api_server.h"
#include "runtime_state.h"

namespace kemu::lambda_runner {

class Environment {
public:
    // Every timer (init limit, timeout, durations) and timestamp reads `clock`.
    Environment(const FunctionConfig& config, FunctionLog& log, const Clock& clock);
    ~Environment();  // takes the process tree down (through its supervisor), joins the threads
    Environment(const Environment&) = delete;
    Environment& operator=(const Environment&) = delete;

    // Binds the listener and starts the runtime with `tmp_dir` as its TMPDIR (created if
    // missing; the pool owns it, so it outlives a reset as AWS's /tmp does). On failure returns
    // a line saying why.
    std::string start(const std::string& tmp_dir);
    const std::string& tmp_dir() const { return tmp_; }

    // Runs one invocation to its end. `reset` is set when the environment must not be reused
    // (timeout, exit, OOM, init failure). `disruption`: a failure aimed at this invocation
    // (function_pool.h).
    InvokeResult invoke(const std::string& event, Disruption disruption, bool* reset);

    bool alive();
    int64_t idle_since_ms() const { return idle_since_ms_; }
    void set_idle_since(int64_t ms) { idle_since_ms_ = ms; }
    uint64_t generation = 0;  // the pool's code generation it was started with

private:
    enum class Ending { kAnswered, kExited, kTimedOut, kOutOfMemory };
    using Lock = std::unique_lock<std::mutex>;

    // Waits for init (the runtime's first /next). A failure comes back with `lock` released.
    std::optional<InvokeResult> await_init(Lock& lock, const std::string& request_id,
                                           int64_t timeout_ms);
    // Hands the event to /next and writes START; returns when the timer started
    // (Clock::monotonic_us).
    int64_t dispatch(Lock& lock, const std::string& request_id, const std::string& event,
                     int64_t timeout_ms);
    // Waits for the answer, the runtime's exit, the timeout or the memory limit.
    // `limit_kb`: the memory limit (the function's, or 0 for an aimed out-of-memory failure).
    Ending await_end(Lock& lock, int64_t t0_us, int64_t timeout_us, int64_t limit_kb);
    // Drains the runtime's output, then writes END and REPORT.
    void write_end(const std::string& request_id, int64_t duration_us, int64_t peak_kb, bool cold,
                   double init_ms, const std::string& extra_log);
    std::string exit_message() const;  // REQUIRES: state_.mu held, the runtime reaped
    void kill_process();
    std::optional<int> reap();  // exit status once the process has ended; REQUIRES: mu held
    bool alive_check_exited() {
        std::lock_guard lock(state_.mu);
        return reap().has_value();
    }

    const FunctionConfig& config_;
    FunctionLog& log_;
    RuntimeState state_;
    const Clock& clock_;
    RuntimeApiServer api_{config_, state_, clock_};
    OutputPipes pipes_{log_};
    MemorySampler memory_;
    pid_t pid_ = -1;          // the supervisor (spawner.h): its exit status is the runtime's
    pid_t runtime_pid_ = -1;  // the runtime, the leader of its own process group
    std::string log_stream_;
    std::string tmp_;
    std::atomic<int64_t> idle_since_ms_{0};
    bool exited_ = false;  // guarded by state_.mu
    int exit_status_ = 0;
    bool first_invocation_ = true;
};

}  // namespace kemu::lambda_runner
