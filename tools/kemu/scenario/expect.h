#pragma once
// What a scenario checks, read from its running kemu: the handlers' invocations (the hooks'
// recorder), the DLQs (a peek, nothing received) and the alarms. Conditions of wait_for and
// expectations of expect both answer with expected against actual.

#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/config.h"
#include "scenario.h"

namespace kemu::scenario {

// One answer to a send step's call.
struct SentResponse {
    int status = 0;
    std::string body;
    std::vector<std::pair<std::string, std::string>> headers;
};

// The front-door (or PutRecords) answers of one send step.
struct SendLog {
    std::vector<SentResponse> responses;
    int retries = 0;
};

struct Outcome {
    bool passed = false;
    std::string expected, actual;
};

// One look at a running kemu; each accessor fetches once, then answers from what it got.
class Observer {
public:
    Observer(std::string endpoint, const Config& cfg) : endpoint_(std::move(endpoint)), cfg_(cfg) {}

    // Every invocation of the flow's function, oldest first; nullopt when kemu did not answer.
    const nlohmann::json* invocations(const std::string& flow, std::string* error);
    // The on-failure records in the flow's DLQ (bodies parsed).
    const nlohmann::json* dlq(const std::string& flow, std::string* error);
    std::optional<std::string> alarm_state(const std::string& name, std::string* error);
    // GET /_kemu/alarms: DescribeAlarms-shaped, with AlarmHistory.
    const nlohmann::json* alarms(std::string* error);
    // The topology's event types.
    std::vector<std::string> flows() const;
    // GET /_kemu/status, the flows' figures.
    const nlohmann::json* status(std::string* error);
    // GET /_kemu/metrics, the Prometheus text.
    const std::string* metrics_text(std::string* error);
    // The kemu's output files (its stdout, where each function's log lines are echoed as
    // `[function] line`), for `output` expectations.
    void set_log_files(std::vector<std::string> files) { log_files_ = std::move(files); }
    // The lines the flow's function logged, oldest first.
    std::vector<std::string> function_lines(const std::string& flow) const;

private:
    const nlohmann::json* fetch(const std::string& path, std::string* error);

    std::string endpoint_;
    const Config& cfg_;
    std::map<std::string, nlohmann::json> cache_;  // path -> answer
    std::map<std::string, nlohmann::json> by_flow_;
    std::optional<std::string> metrics_;
    std::vector<std::string> log_files_;
};

Outcome check_condition(Observer& o, const Condition& c);
// `sends` maps each send step's name to its log; `last_send` names the latest one.
Outcome check_expectation(Observer& o, const Expectation& e,
                          const std::map<std::string, SendLog>& sends,
                          const std::string& last_send);

// Kinesis sequence numbers (decimal strings of up to 56 digits) in numeric order.
bool sequence_less(const std::string& a, const std::string& b);

// What an expectation asserts, in one line ("orders received 3 records").
std::string describe(const Expectation& e);

}  // namespace kemu::scenario
