#include "topology.h"

#include <filesystem>
#include <set>

#include <yaml-cpp/yaml.h>

namespace kemu::scenario {
namespace {

namespace fs = std::filesystem;

void apply_override(const FlowOverride& o, YAML::Node flow) {
    if (o.batch_size) flow["batch_size"] = *o.batch_size;
    if (o.batch_window_seconds) flow["batch_window_seconds"] = *o.batch_window_seconds;
    if (o.max_retry_attempts) flow["max_retry_attempts"] = *o.max_retry_attempts;
    if (o.bisect_batch_on_function_error)
        flow["bisect_batch_on_function_error"] = *o.bisect_batch_on_function_error;
    if (o.report_batch_item_failures)
        flow["report_batch_item_failures"] = *o.report_batch_item_failures;
    if (o.starting_position) {
        flow["starting_position"] = *o.starting_position;
        // LATEST and TRIM_HORIZON take no timestamp; the file's AT_TIMESTAMP one goes.
        flow.remove("starting_position_timestamp");
    }
    if (o.parallelization_factor) flow["parallelization_factor"] = *o.parallelization_factor;
    if (o.maximum_record_age_seconds)
        flow["maximum_record_age_seconds"] = *o.maximum_record_age_seconds;
    if (o.lambda_timeout) flow["lambda_timeout"] = *o.lambda_timeout;
    if (o.lambda_memory_size) flow["lambda_memory_size"] = *o.lambda_memory_size;
}

// Every flow a step names must be one of the topology's.
void check_flows(const Scenario& sc, const Config& cfg, std::vector<ConfigError>* errors) {
    std::set<std::string> known;
    for (const auto& f : cfg.event_flows)
        known.insert(f.event_type);
    auto need = [&](const std::string& flow, int line, const std::string& key) {
        if (flow.empty() || known.contains(flow)) return;
        errors->push_back({sc.file, line, key, "no event flow '" + flow + "' in " + cfg.file});
    };
    for (size_t i = 0; i < sc.steps.size(); ++i) {
        const auto& s = sc.steps[i];
        std::string at = "steps[" + std::to_string(i) + "]";
        if (s.kind == Step::Kind::kSend) need(s.send.event_type, s.line, at + ".send.event_type");
        if (s.kind == Step::Kind::kWaitFor) need(s.wait.condition.flow, s.line, at + ".wait_for");
        if (s.kind == Step::Kind::kFault) need(s.fault.flow, s.line, at + ".fault.flow");
        for (size_t j = 0; j < s.expect.size(); ++j)
            need(s.expect[j].flow, s.expect[j].line, at + ".expect[" + std::to_string(j) + "]");
    }
}

}  // namespace

std::vector<ConfigError> prepare_topology(const Scenario& sc, const std::string& default_config,
                                          Topology* out) {
    std::string path = sc.topology.empty() ? default_config : sc.topology;
    // Absolute, so that handler paths stay right in the copy under the scenario's temp dir.
    if (!path.empty()) path = fs::absolute(path).lexically_normal().string();
    if (path.empty()) {
        return {{sc.file, 1, "topology",
                 "names no kemu.yaml, and kemu test was given no -c; add topology: PATH"}};
    }
    auto errors = load_config(path, &out->config);
    if (!errors.empty()) return errors;
    YAML::Node root = YAML::LoadFile(path);
    for (const auto& entry : sc.flows) {
        const auto& type = entry.first;
        const auto& o = entry.second;
        bool found = false;
        for (auto flow : root["event_flows"]) {
            if (flow["event_type"].as<std::string>("") != type) continue;
            found = true;
            apply_override(o, flow);
        }
        if (!found)
            errors.push_back(
                {sc.file, o.line, "flows." + type, "no event flow '" + type + "' in " + path});
    }
    if (sc.api.throttling_rate_limit)
        root["api"]["throttling_rate_limit"] = *sc.api.throttling_rate_limit;
    if (sc.api.throttling_burst_limit)
        root["api"]["throttling_burst_limit"] = *sc.api.throttling_burst_limit;
    // Handler directories are relative to the kemu.yaml, which the copy no longer sits beside.
    for (auto flow : root["event_flows"]) {
        fs::path src = flow["lambda_source_path"].as<std::string>("");
        if (src.is_relative())
            flow["lambda_source_path"] =
                (fs::path(out->config.base_dir) / src).lexically_normal().string();
    }
    YAML::Emitter emitter;
    emitter << root;
    out->yaml = emitter.c_str();
    if (!errors.empty()) return errors;
    // The overrides are checked as kemu.yaml's own values (ranges, combinations).
    Config derived;
    auto derived_errors = parse_config(out->yaml, path, &derived);
    for (auto& e : derived_errors) {
        e.file = sc.file;
        e.line = sc.topology_line;
        e.message += " (after the scenario's flows overrides)";
    }
    if (!derived_errors.empty()) return derived_errors;
    derived.file = out->config.file;
    out->config = std::move(derived);
    check_flows(sc, out->config, &errors);
    return errors;
}

}  // namespace kemu::scenario
