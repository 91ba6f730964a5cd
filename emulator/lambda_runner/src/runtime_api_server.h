#pragma once
// An environment's Runtime API (2018-06-01) listener on 127.0.0.1: the runtime long-polls
// /next for its invocation and posts the response, the error, or its init error. Blocking:
// one thread, one connection at a time (see docs/aws/lambda.md, "Runtime API").

#include <string>
#include <thread>

#include "core/clock.h"
#include "lambda_runner/function_pool.h"
#include "runtime_state.h"

namespace kemu::lambda_runner {

// {"errorType": type, "errorMessage": message}: the API's own error bodies, and the payload of
// the failures kemu itself reports (timeout, exit, out of memory).
std::string error_body(const std::string& type, const std::string& message);

class RuntimeApiServer {
public:
    RuntimeApiServer(const FunctionConfig& config, RuntimeState& state, const Clock& clock)
        : config_(config), state_(state), clock_(clock) {}
    ~RuntimeApiServer();  // stop()
    RuntimeApiServer(const RuntimeApiServer&) = delete;
    RuntimeApiServer& operator=(const RuntimeApiServer&) = delete;

    // Binds 127.0.0.1 on a free port. On failure returns a line saying why.
    std::string listen();
    int port() const { return port_; }
    void start();  // the serving thread
    // REQUIRES: state.closing set and state.cv notified, so a /next that waits returns.
    void stop();

private:
    void serve();

    const FunctionConfig& config_;
    RuntimeState& state_;
    const Clock& clock_;
    int listen_fd_ = -1;
    int port_ = 0;
    std::thread server_;
};

}  // namespace kemu::lambda_runner
