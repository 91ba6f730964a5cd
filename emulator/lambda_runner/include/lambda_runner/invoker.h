#pragma once
// How the event source mapping runs its function: one synchronous call per batch. The real
// implementation (FunctionPool) runs subprocess environments; tests script the results.

#include <cstdint>
#include <string>

namespace kemu::lambda_runner {

struct InvokeResult {
    enum class Status {
        kOk,             // the handler returned; payload = its response bytes
        kFunctionError,  // exception, timeout, crash, OOM, too-large response, init failure
        kThrottled,      // no environment free within the function's concurrency
    };
    Status status = Status::kOk;
    std::string payload;     // response bytes, or the error body exactly as the runtime sent it
    std::string error_type;  // e.g. ValueError, Sandbox.Timedout, Runtime.ExitError
    std::string request_id;  // empty when throttled
    int64_t duration_us = 0;
};

class Invoker {
public:
    virtual ~Invoker() = default;
    // Runs the function on `event` (the JSON document the handler receives). Blocks until the
    // invocation ends; thread-safe.
    virtual InvokeResult invoke(const std::string& event) = 0;
};

}  // namespace kemu::lambda_runner
