#pragma once
// The Lambda API (REST-JSON, /2015-03-31/...) over the functions and event source mappings
// `kemu up` runs: ListFunctions, GetFunction, GetFunctionConfiguration, Invoke,
// ListEventSourceMappings, GetEventSourceMapping, UpdateEventSourceMapping
// (docs/aws/lambda-api.md).

#include <memory>
#include <string>

#include "core/clock.h"
#include "core/config.h"
#include "core/edge.h"
#include "processors.h"

namespace kemu::cli {

struct LambdaApiOptions {
    std::string account;
    std::string region;
    int64_t transition_ms = 0;  // how long Updating / Enabling / Disabling show (--status-delay-ms)
};

// Claims /2015-03-31/functions... and /2015-03-31/event-source-mappings...
bool is_lambda_request(const HttpRequest& req);

// Returns once the Invoke calls the handler started (Event ones too) have ended: `kemu up` waits
// for them before it stops the functions they run in.
void wait_for_invocations(RequestHandler& lambda_api);

std::shared_ptr<RequestHandler> make_lambda_api(Processors& processors, const Clock& clock,
                                                LambdaApiOptions options);

}  // namespace kemu::cli
