#pragma once
// The environment variables of a runtime process, as Lambda sets them (docs/aws/lambda.md,
// "Environment variables"), and the name of an environment's log stream.

#include <cstdint>
#include <map>
#include <string>

#include "lambda_runner/function_pool.h"

namespace kemu::lambda_runner {

// YYYY/MM/DD/[$LATEST]<32 hex>, dated `now_ms` (the environment's creation, UTC).
std::string make_log_stream(int64_t now_ms);

// Everything the runtime of `config` sees: a few host variables (PATH, HOME, ...), Lambda's
// reserved ones, AWS_ENDPOINT_URL when the config sets one, then the function's own. No other
// emulator-only variables.
std::map<std::string, std::string> runtime_variables(const FunctionConfig& config, int api_port,
                                                     const std::string& log_stream,
                                                     const std::string& tmp_dir);

}  // namespace kemu::lambda_runner
