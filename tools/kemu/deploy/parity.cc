#include "deploy/parity.h"

#include <map>

#include <nlohmann/json.hpp>

#include "deploy/plan_summary.h"

namespace kemu::deploy {

using nlohmann::json;

namespace {

// AWS's value where the plan leaves an argument unset, and whether kemu models that default.
struct Unset {
    json aws_default;
    const char* meaning;
};

const std::map<std::string, Unset>& unset_meanings() {
    static const std::map<std::string, Unset> m = {
        {"maximum_retry_attempts", {-1, "unset: AWS retries until the record expires"}},
        {"maximum_record_age_in_seconds", {-1, "unset: no age limit"}},
        {"bisect_batch_on_function_error", {false, "unset: AWS does not bisect"}},
        {"parallelization_factor", {1, "unset: 1"}},
        {"tumbling_window_in_seconds", {0, "unset: no window"}},
        {"maximum_batching_window_in_seconds", {0, "unset: no batching window"}},
        {"batch_size", {100, "unset: 100"}},
    };
    return m;
}

void compare(std::vector<std::string>& out, const std::string& who, const json& after,
             const std::string& key, const json& kemu_value) {
    if (!after.contains(key)) return;
    const json& aws = after[key];
    json effective = aws;
    std::string note;
    if (aws.is_null()) {
        const auto it = unset_meanings().find(key);
        if (it != unset_meanings().end()) {
            effective = it->second.aws_default;
            note = std::string(" (") + it->second.meaning + ")";
        }
    }
    if (effective == kemu_value && note.empty()) return;
    if (effective == kemu_value && key != "maximum_retry_attempts") return;
    out.push_back(who + ": " + key + ": AWS gets " + aws.dump() + note + ", kemu emulates " +
                  kemu_value.dump());
}

}  // namespace

std::vector<std::string> parity_check(const Config& cfg, const std::string& show_json) {
    std::vector<std::string> out;
    const auto plan = json::parse(show_json, nullptr, false);
    if (!plan.is_object()) return out;
    std::map<std::string, const FlowConfig*> flows;
    for (const auto& f : cfg.event_flows)
        flows[f.event_type] = &f;
    for (const auto& rc : plan.value("resource_changes", json::array())) {
        const json change = rc.value("change", json::object());
        const json after = change.value("after", json());
        if (!after.is_object()) continue;  // deleted, or no values recorded
        const std::string type = rc.value("type", "");
        const std::string address = rc.value("address", "");
        if (type == "aws_api_gateway_method_settings" && after.value("method_path", "") == "*/*" &&
            after.contains("settings") && after["settings"].is_array() &&
            !after["settings"].empty()) {
            const auto& s = after["settings"][0];
            compare(out, "api", s, "throttling_rate_limit", cfg.api.throttling_rate_limit);
            compare(out, "api", s, "throttling_burst_limit", cfg.api.throttling_burst_limit);
            continue;
        }
        const auto it = flows.find(event_flow_of(rc.value("module_address", "")));
        if (it == flows.end()) continue;
        const FlowConfig& f = *it->second;
        const std::string who = f.event_type;
        if (type == "aws_lambda_event_source_mapping") {
            compare(out, who, after, "batch_size", f.batch_size);
            compare(out, who, after, "maximum_batching_window_in_seconds", f.batch_window_seconds);
            compare(out, who, after, "maximum_retry_attempts", f.max_retry_attempts);
            compare(out, who, after, "maximum_record_age_in_seconds", f.maximum_record_age_seconds);
            compare(out, who, after, "bisect_batch_on_function_error",
                    f.bisect_batch_on_function_error);
            compare(out, who, after, "parallelization_factor", f.parallelization_factor);
            compare(out, who, after, "tumbling_window_in_seconds", f.tumbling_window_seconds);
            compare(out, who, after, "starting_position", f.starting_position);
            if (after.contains("destination_config")) {
                const bool wired =
                    after["destination_config"].is_array() && !after["destination_config"].empty();
                if (wired != f.dlq_enabled)
                    out.push_back(who + ": on-failure destination: AWS " +
                                  (wired ? "has one" : "has none") + ", kemu emulates " +
                                  (f.dlq_enabled ? "the DLQ" : "none"));
            }
        } else if (type == "aws_cloudwatch_metric_alarm" &&
                   (address.ends_with(".iterator_age") ||
                    address.ends_with(".lambda_iterator_age"))) {
            compare(out, who, after, "threshold", f.iterator_age_alarm_ms);
            compare(out, who, after, "period", 60);
            compare(out, who, after, "evaluation_periods", 5);
        }
    }
    return out;
}

}  // namespace kemu::deploy
