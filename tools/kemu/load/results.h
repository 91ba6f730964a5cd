#pragma once
// From what `kemu load` saw (its requests, the status samples, the recorded invocations) to
// results.json (schema: docs/load.md) and the values its thresholds judge.

#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/config.h"
#include "driver.h"

namespace kemu::load {

struct Observed {
    const SendPlan* plan = nullptr;
    const SendRun* run = nullptr;
    const std::vector<nlohmann::json>* samples = nullptr;  // poll_status's
    nlohmann::json invocations;  // /_kemu/scenario/invocations, or null without the hooks
    std::string event_type, function;
    const FlowConfig* flow = nullptr;
    double cost_rate = 0;  // events/s of the cost estimate; 0: the accepted rate
};

// {"summary", "series", "cost"} of results.json.
nlohmann::json analyse(const Observed& o);

// The values of threshold_metrics() in `summary` (absent when not measured).
std::map<std::string, double> threshold_values(const nlohmann::json& summary);

// The summary, the cost and the thresholds as a few plain lines.
std::string summary_text(const nlohmann::json& results);

}  // namespace kemu::load
