#pragma once
// The function log: lines from every environment of a function (START, END, REPORT and the
// handler's output), appended to the log file, shown on the terminal (prefixed), and handed to
// the function's log sink, if any.

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <string_view>

#include "core/clock.h"
#include "lambda_runner/function_pool.h"

namespace kemu::lambda_runner {

// Thread-safe.
class FunctionLog {
public:
    // `sink` (may be empty) gets every line with its time on `clock`, in the order of the file,
    // called with no lock of the log held.
    FunctionLog(std::string function, std::string path, bool echo, LogSink sink,
                const Clock& clock);
    ~FunctionLog();
    FunctionLog(const FunctionLog&) = delete;
    FunctionLog& operator=(const FunctionLog&) = delete;

    // One line, on its own.
    void line(std::string_view text);

    // Holds the log for lines that must come together, with no other thread's line between
    // them (the runtime's pending output, then START). When the hold ends the lines go to the
    // sink, once the log's lock is released, before the destructor returns.
    class Hold {
    public:
        explicit Hold(FunctionLog& log) : log_(log), lock_(log.mu_) {}
        ~Hold();
        Hold(const Hold&) = delete;
        Hold& operator=(const Hold&) = delete;
        void line(std::string_view text) { log_.write_locked(text); }

    private:
        FunctionLog& log_;
        std::unique_lock<std::mutex> lock_;
    };

private:
    struct Pending {
        int64_t timestamp_ms;
        std::string line;
    };
    void write_locked(std::string_view text);  // REQUIRES: mu_ held
    // Hands the sink every pending line up to the `through`-th ever queued. One thread calls
    // the sink at a time (so lines keep their order); the others wait for it.
    void deliver(uint64_t through);

    std::string function_;
    int fd_ = -1;
    bool echo_;
    bool tty_;
    LogSink sink_;
    const Clock& clock_;
    std::mutex mu_;
    std::deque<Pending> pending_;  // guarded by mu_
    uint64_t queued_ = 0;          // guarded by mu_: lines ever queued for the sink

    std::mutex sink_mu_;  // taken before mu_, never while mu_ is held
    std::condition_variable sink_cv_;
    bool delivering_ = false;  // guarded by sink_mu_
    uint64_t delivered_ = 0;   // guarded by sink_mu_
};

}  // namespace kemu::lambda_runner
