#include "environment.h"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <signal.h>
#include <sys/wait.h>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/encoding.h"
#include "runtime_variables.h"
#include "spawner.h"

namespace kemu::lambda_runner {
namespace {

std::string fmt2(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.2f", v);
    return buf;
}

// A failure kemu reports itself (timeout, exit, out of memory); the environment is reset.
InvokeResult failure(const std::string& type, const std::string& message,
                     const std::string& request_id) {
    InvokeResult r;
    r.status = InvokeResult::Status::kFunctionError;
    r.error_type = type;
    r.request_id = request_id;
    r.payload = error_body(type, message);
    return r;
}

InvokeResult timed_out(const std::string& request_id, int timeout_s) {
    return failure(
        "Sandbox.Timedout",
        "RequestId: " + request_id + " Error: Task timed out after " + fmt2(timeout_s) + " seconds",
        request_id);
}

InvokeResult out_of_memory(const std::string& request_id) {
    return failure("Runtime.OutOfMemory",
                   "RequestId: " + request_id + " Error: Runtime exited with error: signal: killed",
                   request_id);
}

}  // namespace

Environment::Environment(const FunctionConfig& config, FunctionLog& log, const Clock& clock)
    : config_(config), log_(log), clock_(clock) {}

Environment::~Environment() {
    state_.closing = true;
    {
        std::lock_guard lock(state_.mu);
        state_.cv.notify_all();
    }
    kill_process();
    api_.stop();
    pipes_.stop();
    if (pid_ > 0 && !exited_) {
        // Collect the child (SIGKILLed above), so no zombie is left behind.
        int status = 0;
        while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
        }
        exited_ = true;
    }
}

std::string Environment::start(const std::string& tmp_dir) {
    if (auto err = api_.listen(); !err.empty()) return err;
    log_stream_ = make_log_stream(clock_.now_ms());
    tmp_ = tmp_dir;
    std::error_code ec;
    std::filesystem::create_directories(tmp_, ec);

    std::vector<std::string> env_strings;
    for (const auto& [k, v] : runtime_variables(config_, api_.port(), log_stream_, tmp_))
        env_strings.push_back(k + "=" + v);
    std::vector<char*> envp;
    for (auto& s : env_strings)
        envp.push_back(s.data());
    envp.push_back(nullptr);
    std::vector<std::string> args = config_.command;
    std::vector<char*> argv;
    for (auto& a : args)
        argv.push_back(a.data());
    argv.push_back(nullptr);

    if (auto err = pipes_.open(); !err.empty()) return err;
    state_.started_us = clock_.monotonic_us();
    Spawned spawned =
        spawn_runtime(argv, envp, config_.code_dir, pipes_.child_out(), pipes_.child_err());
    if (spawned.supervisor < 0) return std::string("fork: ") + std::strerror(errno);
    pid_ = spawned.supervisor;
    runtime_pid_ = spawned.runtime;
    memory_.set_pids(spawned.supervisor, spawned.runtime);
    pipes_.start_reader();
    api_.start();
    return {};
}

void Environment::kill_process() {
    // The supervisor SIGKILLs the runtime and every descendant, then exits with the runtime's
    // status. It is our child and not yet reaped, so its pid cannot have been reused.
    if (pid_ > 0 && !exited_) ::kill(pid_, SIGTERM);
}

std::optional<int> Environment::reap() {
    if (pid_ <= 0) return std::nullopt;
    if (exited_) return exit_status_;
    int status = 0;
    pid_t r = ::waitpid(pid_, &status, WNOHANG);
    if (r == pid_) {
        exited_ = true;  // the supervisor took the runtime's leftovers down before it exited
        exit_status_ = status;
        return status;
    }
    return std::nullopt;
}

bool Environment::alive() {
    std::lock_guard lock(state_.mu);
    return !reap() && !state_.init_error && !state_.closing;
}

std::string Environment::exit_message() const {
    if (WIFSIGNALED(exit_status_)) {
        return WTERMSIG(exit_status_) == SIGKILL
                   ? "Runtime exited with error: signal: killed"
                   : "Runtime exited with error: signal: " +
                         std::string(strsignal(WTERMSIG(exit_status_)));
    }
    int code = WEXITSTATUS(exit_status_);
    return code == 0 ? "Runtime exited without providing a reason"
                     : "Runtime exited with error: exit status " + std::to_string(code);
}

std::optional<InvokeResult> Environment::await_init(Lock& lock, const std::string& request_id,
                                                    int64_t timeout_ms) {
    // Init: until the runtime's first /next. Bounded by 10 s, then by the function timeout.
    const int64_t init_start_us = clock_.monotonic_us();
    while (!state_.initialized) {
        if (state_.init_error) {
            InvokeResult r;
            r.status = InvokeResult::Status::kFunctionError;
            r.payload = *state_.init_error;
            auto j = nlohmann::json::parse(*state_.init_error, nullptr, false);
            r.error_type =
                j.is_object() && j.contains("errorType") && j["errorType"].is_string()
                    ? j["errorType"].get<std::string>()
                    : (state_.init_error_type.empty() ? "Runtime.Unknown" : state_.init_error_type);
            r.request_id = request_id;
            lock.unlock();
            log_.line(
                "INIT_REPORT Init Duration: " +
                fmt2(static_cast<double>(clock_.monotonic_us() - state_.started_us) / 1000.0) +
                " ms\tPhase: init\tStatus: error\tError Type: " + r.error_type);
            return r;
        }
        if (reap()) {
            auto msg = exit_message();
            lock.unlock();
            return failure("Runtime.ExitError", "RequestId: " + request_id + " Error: " + msg,
                           request_id);
        }
        if (memory_.process_kb("VmRSS:") > int64_t{config_.memory_mb} * 1024) {
            // Module-level code past the memory limit: killed, as in an invocation.
            lock.unlock();
            kill_process();
            return out_of_memory(request_id);
        }
        if (clock_.monotonic_us() - init_start_us > (config_.init_limit_ms + timeout_ms) * 1000) {
            lock.unlock();
            kill_process();
            return timed_out(request_id, config_.timeout_s);
        }
        state_.cv.wait_for(lock, std::chrono::milliseconds(20));
    }
    return std::nullopt;
}

int64_t Environment::dispatch(Lock& lock, const std::string& request_id, const std::string& event,
                              int64_t timeout_ms) {
    state_.current = std::make_unique<PendingInvocation>();
    state_.current->request_id = request_id;
    state_.current->event = event;
    state_.current->deadline_ms = clock_.now_ms() + timeout_ms;  // Lambda-Runtime-Deadline-Ms
    const int64_t t0 = clock_.monotonic_us();
    lock.unlock();
    {
        FunctionLog::Hold hold(log_);
        pipes_.drain(hold);  // init output before START
        hold.line("START RequestId: " + request_id + " Version: $LATEST");
    }
    lock.lock();
    state_.cv.notify_all();
    api_.wake();  // a /next that waits takes it
    return t0;
}

Environment::Ending Environment::await_end(Lock& lock, int64_t t0_us, int64_t timeout_us,
                                           int64_t limit_kb) {
    // The timeout is measured on the same monotonic reading as the REPORT's Duration, so a
    // timed-out invocation never reports less than its timeout (the wall-clock deadline is whole
    // ms). Between readings it waits at most 20 ms of real time, so a ManualClock moved past the
    // deadline is seen at the next poll.
    for (int polls = 0; !state_.current->done; ++polls) {
        int64_t left_us = timeout_us - (clock_.monotonic_us() - t0_us);
        state_.cv.wait_for(lock,
                           std::chrono::microseconds(std::clamp<int64_t>(left_us, 0, 20'000)));
        if (state_.current->done) break;
        if (reap()) return Ending::kExited;
        // The runtime itself every poll; with its subprocesses every ~250 ms.
        int64_t used_kb =
            polls % 12 == 11 ? memory_.group_kb("VmRSS:") : memory_.process_kb("VmRSS:");
        if (used_kb > limit_kb) {
            kill_process();
            return Ending::kOutOfMemory;
        }
        if (clock_.monotonic_us() - t0_us >= timeout_us) {
            kill_process();
            return Ending::kTimedOut;
        }
    }
    return Ending::kAnswered;
}

void Environment::write_end(const std::string& request_id, int64_t duration_us, int64_t peak_kb,
                            bool cold, double init_ms, const std::string& extra_log) {
    FunctionLog::Hold hold(log_);
    pipes_.drain(hold);
    pipes_.flush_partial(hold);
    if (!extra_log.empty()) hold.line(extra_log);
    double ms = static_cast<double>(duration_us) / 1000.0;
    std::string report =
        "REPORT RequestId: " + request_id + "\tDuration: " + fmt2(ms) +
        " ms\tBilled Duration: " + std::to_string(static_cast<int64_t>(std::ceil(ms))) +
        " ms\tMemory Size: " + std::to_string(config_.memory_mb) +
        " MB\tMax Memory Used: " + std::to_string((peak_kb + 1023) / 1024) + " MB";
    if (cold) report += "\tInit Duration: " + fmt2(init_ms) + " ms";
    hold.line("END RequestId: " + request_id);
    hold.line(report);
}

InvokeResult Environment::invoke(const std::string& event, Disruption disruption, bool* reset) {
    *reset = false;
    const auto request_id = uuid_v4();
    const int64_t timeout_ms = int64_t{config_.timeout_s} * 1000;
    Lock lock(state_.mu);
    bool cold = first_invocation_;
    first_invocation_ = false;
    if (auto failed = await_init(lock, request_id, timeout_ms)) {
        *reset = true;
        return std::move(*failed);
    }
    // An aimed failure freezes the runtime while it waits in /next, before it can take the
    // event: the handler never runs, whatever its speed, so the failure is certain.
    if (disruption != Disruption::kNone && runtime_pid_ > 0 && !exited_)
        ::kill(-runtime_pid_, SIGSTOP);
    const int64_t t0 = dispatch(lock, request_id, event, timeout_ms);
    if (disruption == Disruption::kKill) kill_process();
    const int64_t limit_kb =
        disruption == Disruption::kOutOfMemory ? 0 : int64_t{config_.memory_mb} * 1024;
    const Ending ending = await_end(lock, t0, timeout_ms * 1000, limit_kb);
    const int64_t duration_us = clock_.monotonic_us() - t0;
    // The group walk reads /proc: only when a periodic check has seen subprocesses, not on
    // every short invocation (a warm one costs ~0.5 ms in all).
    int64_t peak_kb = memory_.peak_kb();
    InvokeResult result;
    std::string extra_log;
    if (state_.current->done) {
        result = std::move(state_.current->result);
    } else if (ending == Ending::kTimedOut) {
        result = timed_out(request_id, config_.timeout_s);
        extra_log = iso8601_ms(clock_.now_ms()) + " " + request_id + " Task timed out after " +
                    fmt2(config_.timeout_s) + " seconds";
    } else if (ending == Ending::kOutOfMemory) {
        result = out_of_memory(request_id);
        peak_kb = int64_t{config_.memory_mb} * 1024;
    } else {
        reap();
        result = failure("Runtime.ExitError",
                         "RequestId: " + request_id + " Error: " + exit_message(), request_id);
    }
    *reset = !state_.current->done;
    result.request_id = request_id;
    result.duration_us = duration_us;
    state_.current.reset();
    double init = state_.init_ms;
    lock.unlock();
    if (ending == Ending::kTimedOut || ending == Ending::kOutOfMemory) {
        // Wait briefly for the killed runtime so its last output reaches the log.
        for (int i = 0; i < 50 && !alive_check_exited(); ++i)
            std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    write_end(request_id, duration_us, peak_kb, cold, init, extra_log);
    return result;
}

}  // namespace kemu::lambda_runner
