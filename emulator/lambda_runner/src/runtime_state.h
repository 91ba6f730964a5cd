#pragma once
// What an environment's invoker and its Runtime API server share: the runtime's init state and
// the one invocation in flight. Everything but `closing` is guarded by `mu`.

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "lambda_runner/invoker.h"

namespace kemu::lambda_runner {

struct PendingInvocation {
    std::string request_id;
    std::string event;
    int64_t deadline_ms = 0;
    bool delivered = false;  // handed out by /next
    bool done = false;
    InvokeResult result;
};

struct RuntimeState {
    std::mutex mu;
    std::condition_variable cv;
    std::atomic<bool> closing{false};
    bool initialized = false;               // the runtime asked for its first invocation
    std::optional<std::string> init_error;  // body of /runtime/init/error
    std::string init_error_type;
    std::unique_ptr<PendingInvocation> current;
    int64_t started_us = 0;  // when the runtime was started (Clock::monotonic_us)
    double init_ms = 0;      // from start to the first /next

    // Ends the invocation in flight with `r`, unless it has ended. REQUIRES: mu held.
    void finish(InvokeResult r) {
        if (!current || current->done) return;
        current->result = std::move(r);
        current->done = true;
        cv.notify_all();
    }
};

}  // namespace kemu::lambda_runner
