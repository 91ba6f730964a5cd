#pragma once
// The handler faults of `kemu up --scenario-hooks`, set by a scenario's `fault` steps through
// POST /_kemu/scenario/faults and applied by the invocation recorder around the team's real
// handler (never by editing it). A fault is aimed at invocations of one function (every one,
// the first N from now, the N-th) or at records (a partition key, a field of the JSON body),
// optionally with a probability drawn from a generator seeded by the scenario's seed, so a run
// replays exactly.

#include <cstdint>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace kemu::scenario {

// One record of an invocation, as the recorder keeps it.
struct InvokedRecord {
    std::string partition_key, sequence_number, data;
};

struct FaultSpec {
    std::string function;
    // raises, partial_batch_failure (the recorder answers for the handler); times_out, killed,
    // out_of_memory (the real environment fails: lambda_runner::Disruption); recovers (the
    // function's faults so far end).
    std::string kind;
    int64_t first = 0, nth = 0;
    std::string partition_key, body_field, equals;
    double probability = 1;
    uint64_t seed = 0;
};

class Faults {
public:
    // Adds a fault from its JSON form ({"function","kind","first"|"nth"|"partition_key"|
    // "body_field"+"equals","probability","seed"}); empty, or what is wrong with it.
    std::string add(const nlohmann::json& spec);

    struct Decision {
        std::string kind;
        std::vector<std::string> failed_sequences;  // partial_batch_failure: what to report
    };
    // The fault this invocation of `function` gets, if any.
    std::optional<Decision> decide(const std::string& function,
                                   const std::vector<InvokedRecord>& records);

private:
    struct Active {
        FaultSpec spec;
        int64_t seen = 0;  // invocations of the function since the fault was set
        std::mt19937_64 draws;
    };
    std::vector<std::string> aimed_records(const FaultSpec& f,
                                           const std::vector<InvokedRecord>& records) const;

    std::mutex mu_;
    std::vector<Active> active_;
};

}  // namespace kemu::scenario
