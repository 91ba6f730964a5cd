#pragma once
// One execution environment: the runtime subprocess (its own process group), its Runtime API
// listener on 127.0.0.1, and the pipes that carry its output into the function log.

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <sys/types.h>
#include <thread>

#include "lambda_runner/function_pool.h"

namespace kemu::lambda {

// The function log: lines from every environment of a function, to the terminal (prefixed)
// and the log file. Thread-safe.
class FunctionLog {
public:
    FunctionLog(std::string function, std::string path, bool echo);
    ~FunctionLog();
    void line(std::string_view text);
    std::mutex& mutex() { return mu_; }
    void line_locked(std::string_view text);  // REQUIRES: mutex() held

private:
    std::string function_;
    int fd_ = -1;
    bool echo_;
    bool tty_;
    std::mutex mu_;
};

class Environment {
public:
    Environment(const FunctionConfig& config, FunctionLog& log);
    ~Environment();  // kills the process group, joins the threads
    Environment(const Environment&) = delete;
    Environment& operator=(const Environment&) = delete;

    // Binds the listener and starts the runtime with `tmp_dir` as its TMPDIR (created if
    // missing; the pool owns it, so it outlives a reset as AWS's /tmp does). On failure returns
    // a line saying why.
    std::string start(const std::string& tmp_dir);
    const std::string& tmp_dir() const { return tmp_; }

    // Runs one invocation to its end. `reset` is set when the environment must not be reused
    // (timeout, exit, OOM, init failure).
    InvokeResult invoke(const std::string& event, bool* reset);

    bool alive();
    int64_t idle_since_ms() const { return idle_since_ms_; }
    void set_idle_since(int64_t ms) { idle_since_ms_ = ms; }
    uint64_t generation = 0;  // the pool's code generation it was started with

private:
    struct Invocation {
        std::string request_id;
        std::string event;
        int64_t deadline_ms = 0;
        bool delivered = false;  // handed out by /next
        bool done = false;
        InvokeResult result;
    };

    void serve();
    void read_output();
    // Moves what the runtime wrote (at most `max_bytes` per pipe) into the log, line by line.
    // The reader thread takes small bites; the invoker takes a large one before START and END,
    // so a handler's prints come before its END line.
    // Returns true when it stopped at the bound (more may be waiting).
    bool drain_output_locked(size_t max_bytes = size_t{256} << 10);
    void flush_partial_locked();
    void kill_process();
    std::optional<int> reap();  // exit status once the process has ended; REQUIRES: mu_ held
    bool alive_check_exited() {
        std::lock_guard lock(mu_);
        return reap().has_value();
    }
    int64_t rss_kb(const char* field) const;  // the runtime process
    // Its whole process group (walks /proc); notes in group_has_others_ whether it found more
    // than the runtime.
    int64_t group_kb(const char* field);
    bool group_has_others_ = false;
    void finish(InvokeResult r);  // REQUIRES: mu_ held

    const FunctionConfig& config_;
    FunctionLog& log_;
    int listen_fd_ = -1;
    int port_ = 0;
    pid_t pid_ = -1;
    int out_fd_ = -1;
    int err_fd_ = -1;
    std::string out_partial_, err_partial_;
    std::string log_stream_;
    std::string tmp_;
    std::thread server_;
    std::thread reader_;
    std::atomic<bool> closing_{false};
    std::atomic<int64_t> idle_since_ms_{0};

    std::mutex mu_;
    std::condition_variable cv_;
    bool initialized_ = false;               // the runtime asked for its first invocation
    std::optional<std::string> init_error_;  // body of /runtime/init/error
    std::string init_error_type_;
    bool exited_ = false;
    int exit_status_ = 0;
    std::unique_ptr<Invocation> current_;
    bool first_invocation_ = true;
    int64_t started_ms_ = 0;
    double init_ms_ = 0;
};

}  // namespace kemu::lambda
