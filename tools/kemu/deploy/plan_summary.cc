#include "deploy/plan_summary.h"

#include <algorithm>
#include <map>
#include <stdexcept>

#include <nlohmann/json.hpp>

namespace kemu::deploy {

using nlohmann::json;

namespace {

// module.event_flow["orders"] -> orders; module.api_gateway -> api; anything else -> root.
std::string flow_of(const std::string& module_address) {
    if (auto flow = event_flow_of(module_address); !flow.empty()) return flow;
    if (module_address.starts_with("module.api_gateway")) return "api";
    return "root";
}

bool has(const json& actions, const char* a) {
    return std::find(actions.begin(), actions.end(), a) != actions.end();
}

std::string scalar(const json& v) {
    if (v.is_null()) return "null";
    return v.dump();
}

}  // namespace

std::string event_flow_of(const std::string& module_address) {
    const std::string prefix = "module.event_flow[\"";
    if (!module_address.starts_with(prefix)) return {};
    return module_address.substr(prefix.size(),
                                 module_address.find("\"]", prefix.size()) - prefix.size());
}

PlanSummary summarise_plan(const std::string& show_json) {
    const auto plan = json::parse(show_json, nullptr, false);
    if (!plan.is_object()) throw std::runtime_error("the plan's JSON does not parse");
    std::map<std::string, FlowChange> flows;
    PlanSummary summary;
    for (const auto& rc : plan.value("resource_changes", json::array())) {
        if (rc.value("mode", "managed") != "managed") continue;
        const json change = rc.value("change", json::object());
        const json actions = change.value("actions", json::array());
        const std::string flow = flow_of(rc.value("module_address", ""));
        auto& fc = flows[flow];
        fc.flow = flow;
        const bool create = has(actions, "create"), del = has(actions, "delete");
        const std::string type = rc.value("type", "");
        const std::string address = rc.value("address", "");
        if (create && del)
            ++fc.replace;
        else if (create)
            ++fc.create;
        else if (del)
            ++fc.destroy;
        else if (has(actions, "update"))
            ++fc.change;
        if (del && (type == "aws_kinesis_stream" || type == "aws_sqs_queue"))
            summary.data_loss.push_back(address);
        if (has(actions, "update") || (create && del)) {
            const json before = change.value("before", json());
            const json after = change.value("after", json());
            const auto& unknown =
                change.contains("after_unknown") ? change["after_unknown"] : json::object();
            const auto& secret =
                change.contains("after_sensitive") ? change["after_sensitive"] : json::object();
            if (!before.is_object() || !after.is_object()) continue;
            for (const auto& [key, value] : after.items()) {
                if (unknown.is_object() && unknown.contains(key) && unknown[key] == true) continue;
                if (secret.is_object() && secret.contains(key) && secret[key] == true) continue;
                const json old = before.contains(key) ? before[key] : json(nullptr);
                if (old == value || value.is_object() || value.is_array()) continue;
                fc.settings.push_back(type + "." + key + ": " + scalar(old) + " -> " +
                                      scalar(value));
            }
        }
    }
    for (auto& [_, fc] : flows) {
        if (fc.create + fc.change + fc.destroy + fc.replace == 0) continue;
        summary.flows.push_back(fc);
    }
    std::sort(summary.data_loss.begin(), summary.data_loss.end());
    return summary;
}

std::vector<std::string> PlanSummary::lines() const {
    std::vector<std::string> out;
    if (flows.empty()) out.push_back("no changes");
    for (const auto& f : flows) {
        std::string line = f.flow + ":";
        auto add = [&](int n, const char* what) {
            if (n == 0) return;
            line += (line.back() == ':' ? " " : ", ") + std::to_string(n) + " to " + what;
        };
        add(f.create, "create");
        add(f.change, "change");
        add(f.replace, "replace");
        add(f.destroy, "destroy");
        out.push_back(line);
        for (const auto& s : f.settings)
            out.push_back("    " + s);
    }
    for (const auto& a : data_loss)
        out.push_back("DATA LOSS: " + a + " is destroyed (its records or messages are lost)");
    return out;
}

}  // namespace kemu::deploy
