#pragma once
// What the scenario hooks' invocation recorder tells about one function during a load run: each
// event's latency to the handler, and the function's own measures (invocations, errors, retries,
// records per invocation, handler duration, concurrency), in summary and per second.

#include <cstdint>
#include <deque>
#include <string>
#include <unordered_map>
#include <vector>

#include <nlohmann/json.hpp>

namespace kemu::load {

struct InvocationSecond {
    int64_t invocations = 0;  // started in this second
    int64_t errors = 0;       // of those, not "ok"
    int64_t retries = 0;      // of those, holding a record an earlier invocation held
    int64_t records = 0;
    int64_t max_concurrency = 0;  // most invocations running at once at any moment of it
    std::vector<double> handler_ms;
    std::vector<double> latency_ms;  // due -> processed, of the events due in this second
};

struct InvocationStats {
    int64_t invocations = 0, errors = 0, retries = 0, records = 0, max_records = 0;
    int64_t max_concurrency = 0;
    int64_t events_processed = 0;  // sent events matched to a record
    std::vector<double> handler_ms, to_start_ms, to_end_ms;
    std::vector<InvocationSecond> seconds;  // from `start_wall_ms`
};

// `invocations`: {"invocations": [{"function", "status", "start_ms", "end_ms", "records":
// [{"sequenceNumber", "data"}]}]}. `due_of`: each sent event's data -> the due times (wall ms)
// of the events with that data, in send order; a record (by sequence number, its retries
// counted once) takes the earliest due time left of its data, records taken in the order they
// were first started. `seconds`: rows wanted (more are added when invocations run later).
InvocationStats analyse_invocations(const nlohmann::json& invocations, const std::string& function,
                                    int64_t start_wall_ms, size_t seconds,
                                    std::unordered_map<std::string, std::deque<double>> due_of);

}  // namespace kemu::load
