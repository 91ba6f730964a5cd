#include "deploy/render.h"

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <stdexcept>
#include <stdlib.h>

#include <nlohmann/json.hpp>
#include <openssl/evp.h>

#include "deploy/engine.h"
#include "deploy/zip_writer.h"

namespace kemu::embedded {
struct File {
    const char* path;
    const unsigned char* data;
    std::size_t size;
};
extern const File terraform_tree[];
extern const std::size_t terraform_tree_count;
}  // namespace kemu::embedded

namespace kemu::deploy {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

std::string sha256_hex(const std::string& data) {
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    EVP_Digest(data.data(), data.size(), md, &len, EVP_sha256(), nullptr);
    std::string hex;
    char buf[3];
    for (unsigned int i = 0; i < len; ++i) {
        std::snprintf(buf, sizeof buf, "%02x", md[i]);
        hex += buf;
    }
    return hex;
}

// RFC 3339 in UTC, with milliseconds only when there are any.
std::string rfc3339(int64_t ms) {
    const std::time_t secs = static_cast<std::time_t>(ms / 1000);
    std::tm tm{};
    gmtime_r(&secs, &tm);
    char buf[40];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
    std::string out = buf;
    if (ms % 1000 != 0) {
        std::snprintf(buf, sizeof buf, ".%03d", static_cast<int>(ms % 1000));
        out += buf;
    }
    return out + "Z";
}

std::string read_file(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    if (!in) return {};
    std::ostringstream buf;
    buf << in.rdbuf();
    return buf.str();
}

void write_if_changed(const fs::path& p, const std::string& data) {
    if (fs::exists(p) && read_file(p) == data) return;
    fs::create_directories(p.parent_path());
    std::ofstream out(p, std::ios::binary | std::ios::trunc);
    out << data;
    if (!out) throw std::runtime_error("cannot write " + p.string());
}

json flow_json(const Config& cfg, const FlowConfig& f) {
    json j;
    j["event_type"] = f.event_type;
    j["stream_mode"] = f.stream_mode;
    j["shard_count"] = f.shard_count;
    j["retention_period"] = f.retention_period;
    j["shard_level_metrics"] = f.shard_level_metrics;
    j["lambda_package"] = "lambda/" + f.event_type + ".zip";
    j["lambda_handler"] = f.lambda_handler;
    j["lambda_runtime"] = f.lambda_runtime;
    j["lambda_memory_size"] = f.lambda_memory_size;
    j["lambda_timeout"] = f.lambda_timeout;
    j["environment_variables"] = json::object();
    for (const auto& [k, v] : f.environment_variables)
        j["environment_variables"][k] = v;
    j["log_retention_days"] = f.log_retention_days;
    j["batch_size"] = f.batch_size;
    j["batch_window_seconds"] = f.batch_window_seconds;
    j["starting_position"] = f.starting_position;
    j["starting_position_timestamp"] = f.starting_position_timestamp_ms
                                           ? json(rfc3339(*f.starting_position_timestamp_ms))
                                           : json(nullptr);
    j["parallelization_factor"] = f.parallelization_factor;
    j["maximum_record_age_seconds"] = f.maximum_record_age_seconds;
    j["bisect_batch_on_function_error"] = f.bisect_batch_on_function_error;
    j["report_batch_item_failures"] = f.report_batch_item_failures;
    j["tumbling_window_seconds"] = f.tumbling_window_seconds;
    j["filter_patterns"] = f.filter_patterns;
    j["dlq_enabled"] = f.dlq_enabled;
    j["max_retry_attempts"] = f.max_retry_attempts;
    j["iterator_age_alarm_ms"] = f.iterator_age_alarm_ms;
    (void)cfg;
    return j;
}

json api_json(const ApiConfig& a) {
    json j;
    j["stage_name"] = a.stage_name;
    j["throttling_rate_limit"] = a.throttling_rate_limit;
    j["throttling_burst_limit"] = a.throttling_burst_limit;
    j["enable_access_logging"] = a.enable_access_logging;
    j["api_key_required"] = a.api_key_required;
    j["cors_allowed_origins"] = a.cors_allowed_origins;
    j["manage_account_logging_role"] = a.manage_account_logging_role;
    j["passthrough_behavior"] = a.passthrough_behavior;
    j["integration_responses"] = a.integration_responses;
    j["gateway_response_cors"] = a.gateway_response_cors;
    j["log_retention_days"] = a.log_retention_days;
    j["method_settings"] = json::array();
    for (const auto& m : a.method_settings) {
        j["method_settings"].push_back(
            {{"method_path", m.method_path},
             {"throttling_rate_limit",
              m.throttling_rate_limit ? json(*m.throttling_rate_limit) : json(nullptr)},
             {"throttling_burst_limit",
              m.throttling_burst_limit ? json(*m.throttling_burst_limit) : json(nullptr)}});
    }
    j["usage_plans"] = json::array();
    for (const auto& p : a.usage_plans) {
        json plan = {{"name", p.name}};
        plan["throttle"] = p.throttle ? json{{"rate_limit", p.throttle->rate_limit},
                                             {"burst_limit", p.throttle->burst_limit}}
                                      : json(nullptr);
        plan["quota"] =
            p.quota ? json{{"limit", p.quota->limit}, {"period", p.quota->period}} : json(nullptr);
        plan["api_keys"] = json::array();
        for (const auto& k : p.api_keys)
            plan["api_keys"].push_back({{"name", k.name}, {"enabled", k.enabled}});
        j["usage_plans"].push_back(plan);
    }
    return j;
}

// A scratch folder, removed when it goes out of scope.
struct Scratch {
    fs::path path;
    Scratch() {
        std::string tmpl = (fs::temp_directory_path() / "kemu-package-XXXXXX").string();
        if (!::mkdtemp(tmpl.data())) throw std::runtime_error("cannot create a scratch folder");
        path = tmpl;
    }
    ~Scratch() {
        std::error_code ec;
        fs::remove_all(path, ec);
    }
};

}  // namespace

std::string package_handler(const std::string& dir, std::vector<std::string>* warnings,
                            const std::vector<std::string>& env) {
    const fs::path src(dir);
    const bool pip = fs::exists(src / "requirements.txt");
    const bool npm = fs::exists(src / "package.json");
    if (!pip && !npm) return write_zip(collect_dir(dir));
    const char* tool = pip ? "python3" : "npm";
    const auto bin = find_on_path(tool, env);
    if (!bin) {
        warnings->push_back(src.string() + ": " + (pip ? "requirements.txt" : "package.json") +
                            " found but " + tool +
                            " is not on PATH: its dependencies are not in the package");
        return write_zip(collect_dir(dir));
    }
    Scratch scratch;
    const fs::path copy = scratch.path / "package";
    fs::copy(src, copy, fs::copy_options::recursive);
    RunResult r;
    if (pip)
        r = run_engine(*bin,
                       {"-m", "pip", "install", "--quiet", "--no-compile",
                        "--disable-pip-version-check", "-r", "requirements.txt", "-t", "."},
                       copy.string(), env, true);
    else
        r = run_engine(*bin, {"install", "--omit=dev", "--no-audit", "--no-fund", "--quiet"},
                       copy.string(), env, true);
    if (r.exit_code != 0)
        throw std::runtime_error(src.string() + ": installing the dependencies failed (exit " +
                                 std::to_string(r.exit_code) + ")");
    return write_zip(collect_dir(copy.string()));
}

std::string resolve_region(const Config& cfg, const std::vector<std::string>& env) {
    if (!cfg.region.empty()) return cfg.region;
    auto r = env_value(env, "AWS_REGION");
    if (!r.empty()) return r;
    return env_value(env, "AWS_DEFAULT_REGION");
}

std::string normalised_topology(const Config& cfg, const std::string& region) {
    json t;
    t["version"] = 1;
    t["project"] = cfg.project;
    t["environment"] = cfg.environment;
    t["region"] = region;
    t["api"] = api_json(cfg.api);
    t["event_flows"] = json::array();
    for (const auto& f : cfg.event_flows)
        t["event_flows"].push_back(flow_json(cfg, f));
    return "# Rendered by kemu deploy --aws from " + fs::path(cfg.file).filename().string() +
           ": every setting explicit. JSON is YAML 1.2.\n" + t.dump(2) + "\n";
}

std::string default_out_dir(const Config& cfg) {
    return (fs::path(".kemu") / "deploy" / "aws" / cfg.environment).string();
}

bool is_protected(const std::string& rel) {
    return rel.starts_with(".terraform") || rel.starts_with("terraform.tfstate") ||
           rel.starts_with(".build/") || rel == "kemu.tfplan";
}

RenderResult render(const Config& cfg, const std::string& region, const std::string& out_dir) {
    const fs::path out(out_dir);
    fs::create_directories(out);
    std::map<std::string, std::string> files;
    RenderResult result;
    for (std::size_t i = 0; i < embedded::terraform_tree_count; ++i) {
        const auto& f = embedded::terraform_tree[i];
        files[f.path] = std::string(reinterpret_cast<const char*>(f.data), f.size);
    }
    const std::string topology = normalised_topology(cfg, region);
    files["topology.yaml"] = topology;
    for (const auto& f : cfg.event_flows) {
        fs::path src(f.lambda_source_path);
        if (src.is_relative()) src = fs::path(cfg.base_dir) / src;
        if (!fs::is_directory(src))
            throw std::runtime_error("event_flows " + f.event_type + ": lambda_source_path " +
                                     src.string() + " is not a directory");
        files["lambda/" + f.event_type + ".zip"] =
            package_handler(src.string(), &result.warnings, current_environment());
    }
    json manifest;
    manifest["kemu_version"] = KEMU_VERSION;
    manifest["topology_sha256"] = sha256_hex(topology);
    manifest["files"] = json::array();
    for (const auto& [rel, _] : files)
        manifest["files"].push_back(rel);
    manifest["files"].push_back("kemu-render.json");
    files["kemu-render.json"] = manifest.dump(2) + "\n";

    // Files of the previous render that are not produced now.
    const std::string previous = read_file(out / "kemu-render.json");
    if (!previous.empty()) {
        auto old = json::parse(previous, nullptr, false);
        if (old.is_object() && old["files"].is_array()) {
            for (const auto& rel : old["files"]) {
                if (!rel.is_string()) continue;
                const std::string r = rel.get<std::string>();
                if (files.count(r) || is_protected(r) || r.find("..") != std::string::npos ||
                    fs::path(r).is_absolute())
                    continue;
                std::error_code ec;
                if (fs::remove(out / r, ec)) result.removed.push_back(r);
            }
        }
    }
    for (const auto& [rel, data] : files) {
        write_if_changed(out / rel, data);
        result.files.push_back(rel);
    }
    std::sort(result.removed.begin(), result.removed.end());
    return result;
}

}  // namespace kemu::deploy
