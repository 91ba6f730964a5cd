#pragma once
// An environment's Runtime API (2018-06-01) listener on 127.0.0.1: the runtime long-polls
// /next for its invocation and posts the response, the error, or its init error. Asynchronous
// (Asio and Beast coroutines on one thread of its own): every connection is served on its own,
// under a deadline, so a client that sends half a request holds only itself
// (see docs/aws/lambda.md, "Runtime API").

#include <memory>
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
    RuntimeApiServer(const FunctionConfig& config, RuntimeState& state, const Clock& clock);
    ~RuntimeApiServer();  // stop()
    RuntimeApiServer(const RuntimeApiServer&) = delete;
    RuntimeApiServer& operator=(const RuntimeApiServer&) = delete;

    // Binds 127.0.0.1 on a free port. On failure returns a line saying why.
    std::string listen();
    int port() const { return port_; }
    void start();  // the serving thread
    // An invocation was put in `state.current`: a /next that waits takes it. Any thread.
    void wake();
    // REQUIRES: state.closing set, so a /next that waits returns.
    void stop();

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
    int port_ = 0;
    std::thread server_;
};

}  // namespace kemu::lambda_runner
