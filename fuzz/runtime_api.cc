// The Runtime API (2018-06-01) listener of a Lambda environment, as a runtime's bytes reach it:
// /next, an invocation's response and error, init errors, and anything else. One invocation
// ("req-1") is pending for each input: not yet handed out when the input starts with GET (so
// /next answers at once), handed out otherwise (so /response and /error reach it).

#include <memory>
#include <string>

#include "core/clock.h"
#include "loopback.h"
#include "runtime_api_server.h"
#include "support.h"

namespace {

using namespace kemu::lambda_runner;

struct State {
    kemu::SystemClock clock;
    FunctionConfig config;
    RuntimeState runtime;
    std::unique_ptr<RuntimeApiServer> server;
    State() {
        config.name = "f";
        config.arn = "arn:aws:lambda:us-east-1:000000000000:function:f";
        server = std::make_unique<RuntimeApiServer>(config, runtime, clock);
        if (!server->listen().empty()) std::abort();
        server->start();
    }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    static State* state = new State;
    auto bytes = kemu::fuzz::as_view(data, size);
    {
        std::lock_guard lock(state->runtime.mu);
        auto inv = std::make_unique<PendingInvocation>();
        inv->request_id = "req-1";
        inv->event = R"({"Records":[]})";
        inv->deadline_ms = state->clock.now_ms() + 3'000;
        inv->delivered = !bytes.starts_with("GET");
        state->runtime.current = std::move(inv);
        state->runtime.init_error.reset();
    }
    kemu::fuzz::exchange(state->server->port(), bytes);
    return 0;
}
