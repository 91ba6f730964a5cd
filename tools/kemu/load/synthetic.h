#pragma once
// `kemu load --synthetic-handler 5ms±2ms`: every invocation of the loaded flow's function is
// served by a built-in runtime that sleeps that long and succeeds, so a run measures the pipeline
// (front door, stream, poller, batching) rather than the user's handler. It is a real
// `provided` runtime: a bootstrap that execs `kemu synthetic-handler`, which speaks the Lambda
// Runtime API to kemu's runner like any custom runtime.

#include <cstdint>
#include <string>

#include "measures.h"  // SyntheticSpec

namespace kemu::load {

// Writes `dir`/bootstrap (executable) that runs `kemu_exe synthetic-handler` with `spec`; the
// error, or empty.
std::string write_synthetic_bootstrap(const std::string& dir, const std::string& kemu_exe,
                                      const SyntheticSpec& spec, uint64_t seed);

// The runtime's loop against $AWS_LAMBDA_RUNTIME_API: next, sleep, response; returns when the
// API is gone (the runner stopped the process first, in practice).
int run_synthetic_handler(int64_t mean_us, int64_t jitter_us, uint64_t seed);

}  // namespace kemu::load
