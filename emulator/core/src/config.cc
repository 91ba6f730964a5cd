#include "core/config.h"

#include <cctype>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <map>
#include <regex>
#include <set>
#include <sstream>

#include <yaml-cpp/yaml.h>

#include "config_filters.h"
#include "config_mapping.h"
#include "core/kinesis_metrics.h"

namespace kemu {
namespace {

class Parser {
public:
    Parser(std::string file, std::vector<ConfigError>* errors)
        : file_(std::move(file)), errors_(errors) {}

    void error(const YAML::Node& node, const std::string& key, const std::string& msg) {
        int line = node.IsDefined() ? node.Mark().line + 1 : 0;
        if (line <= 0) line = 0;
        errors_->push_back({file_, line, key, msg});
    }

    // Each known key maps to a reader; any other key is an error.
    using Reader = std::function<void(const YAML::Node& value, const std::string& path)>;
    void read_map(const YAML::Node& node, const std::string& prefix,
                  const std::map<std::string, Reader>& readers) {
        if (!node.IsMap()) {
            error(node, prefix.empty() ? "(top level)" : prefix, "must be a mapping");
            return;
        }
        for (const auto& kv : node) {
            std::string key = kv.first.as<std::string>("");
            std::string path = prefix.empty() ? key : prefix + "." + key;
            auto it = readers.find(key);
            if (it == readers.end()) {
                std::string known;
                for (const auto& [k, r] : readers)
                    known += (known.empty() ? "" : ", ") + k;
                error(kv.first, path, "unknown key (known keys: " + known + ")");
                continue;
            }
            if (kv.second.IsNull()) continue;  // `key:` with no value keeps the default
            it->second(kv.second, path);
        }
    }

    template <class T>
    bool scalar(const YAML::Node& n, const std::string& path, const char* type, T* out) {
        if (!n.IsScalar()) {
            error(n, path, std::string("must be ") + type);
            return false;
        }
        try {
            *out = n.as<T>();
            return true;
        } catch (const YAML::Exception&) {
            error(n, path, std::string("must be ") + type + " (got '" + n.Scalar() + "')");
            return false;
        }
    }

    Reader integer(int* out, long lo, long hi) {
        return [this, out, lo, hi](const YAML::Node& n, const std::string& path) {
            long v = 0;
            if (!scalar(n, path, "an integer", &v)) return;
            if (v < lo || v > hi) {
                error(n, path,
                      "must be between " + std::to_string(lo) + " and " + std::to_string(hi) +
                          " (got " + std::to_string(v) + ")");
                return;
            }
            *out = static_cast<int>(v);
        };
    }

    Reader integer_in(int* out, std::vector<int> allowed) {
        return [this, out, allowed](const YAML::Node& n, const std::string& path) {
            long v = 0;
            if (!scalar(n, path, "an integer", &v)) return;
            std::string list;
            for (int a : allowed) {
                if (a == v) {
                    *out = a;
                    return;
                }
                list += (list.empty() ? "" : ", ") + std::to_string(a);
            }
            error(n, path, "must be one of " + list + " (got " + std::to_string(v) + ")");
        };
    }

    Reader number(double* out, double lo_exclusive) {
        return [this, out, lo_exclusive](const YAML::Node& n, const std::string& path) {
            double v = 0;
            if (!scalar(n, path, "a number", &v)) return;
            if (!(v > lo_exclusive)) {
                std::ostringstream os;
                os << "must be greater than " << lo_exclusive << " (got " << n.Scalar() << ")";
                error(n, path, os.str());
                return;
            }
            *out = v;
        };
    }

    Reader boolean(bool* out) {
        return [this, out](const YAML::Node& n, const std::string& path) {
            scalar(n, path, "true or false", out);
        };
    }

    Reader string(std::string* out, const char* pattern = nullptr, const char* rule = nullptr) {
        return [this, out, pattern, rule](const YAML::Node& n, const std::string& path) {
            std::string v;
            if (!scalar(n, path, "a string", &v)) return;
            if (pattern && !std::regex_match(v, std::regex(pattern))) {
                error(n, path, std::string("must match ") + rule + " (got '" + v + "')");
                return;
            }
            *out = v;
        };
    }

    Reader one_of(std::string* out, std::vector<std::string> allowed) {
        return [this, out, allowed](const YAML::Node& n, const std::string& path) {
            std::string v;
            if (!scalar(n, path, "a string", &v)) return;
            for (const auto& a : allowed) {
                if (a == v) {
                    *out = v;
                    return;
                }
            }
            std::string list;
            for (const auto& a : allowed)
                list += (list.empty() ? "" : ", ") + a;
            error(n, path, "must be one of " + list + " (got '" + v + "')");
        };
    }

    Reader string_list(std::vector<std::string>* out) {
        return [this, out](const YAML::Node& n, const std::string& path) {
            if (!n.IsSequence()) {
                error(n, path, "must be a list of strings");
                return;
            }
            out->clear();
            for (size_t i = 0; i < n.size(); ++i) {
                std::string v;
                if (scalar(n[i], path + "[" + std::to_string(i) + "]", "a string", &v))
                    out->push_back(v);
            }
        };
    }

    // A list whose entries are read by `entry(node, "prefix[i]")`.
    using EntryReader = std::function<void(const YAML::Node& entry, const std::string& path)>;
    Reader list(EntryReader entry) {
        return [this, entry](const YAML::Node& n, const std::string& path) {
            if (!n.IsSequence()) {
                error(n, path, "must be a list");
                return;
            }
            for (size_t i = 0; i < n.size(); ++i)
                entry(n[i], path + "[" + std::to_string(i) + "]");
        };
    }

private:
    std::string file_;
    std::vector<ConfigError>* errors_;
};

const std::vector<int> kRetention(std::begin(kLogRetentionDays), std::end(kLogRetentionDays));

void parse_flow(Parser& p, const YAML::Node& node, const std::string& path, FlowConfig* f) {
    f->line = node.Mark().line + 1;
    std::vector<std::string> metrics;
    config_detail::ErrorFn error = [&p](const YAML::Node& n, const std::string& key,
                                        const std::string& msg) { p.error(n, key, msg); };
    p.read_map(
        node, path,
        {
            {"event_type",
             p.string(&f->event_type, "[a-z0-9][a-z0-9_-]{0,62}", "^[a-z0-9][a-z0-9_-]{0,62}$")},
            {"shard_count", p.integer(&f->shard_count, 1, 500)},
            {"retention_period", p.integer(&f->retention_period, 24, 8760)},
            {"lambda_source_path", p.string(&f->lambda_source_path)},
            {"lambda_handler", p.string(&f->lambda_handler)},
            {"lambda_runtime", p.string(&f->lambda_runtime)},
            {"lambda_memory_size", p.integer(&f->lambda_memory_size, 128, 10240)},
            {"lambda_timeout", p.integer(&f->lambda_timeout, 1, 900)},
            {"batch_size", p.integer(&f->batch_size, 1, 10000)},
            {"batch_window_seconds", p.integer(&f->batch_window_seconds, 0, 300)},
            {"dlq_enabled", p.boolean(&f->dlq_enabled)},
            {"max_retry_attempts", p.integer(&f->max_retry_attempts, -1, 10000)},
            {"shard_level_metrics", p.string_list(&f->shard_level_metrics)},
            {"starting_position",
             p.one_of(&f->starting_position, {"LATEST", "TRIM_HORIZON", "AT_TIMESTAMP"})},
            {"bisect_batch_on_function_error", p.boolean(&f->bisect_batch_on_function_error)},
            {"report_batch_item_failures", p.boolean(&f->report_batch_item_failures)},
            {"iterator_age_alarm_ms", p.integer(&f->iterator_age_alarm_ms, 1, 2147483647)},
            {"parallelization_factor", p.integer(&f->parallelization_factor, 1, 10)},
            {"starting_position_timestamp",
             [&](const YAML::Node& n, const std::string& kp) {
                 config_detail::read_starting_timestamp(n, kp, error,
                                                        &f->starting_position_timestamp_ms);
             }},
            {"maximum_record_age_seconds",
             [&](const YAML::Node& n, const std::string& kp) {
                 config_detail::read_record_age(n, kp, error, &f->maximum_record_age_seconds);
             }},
            {"stream_mode", p.one_of(&f->stream_mode, {"PROVISIONED", "ON_DEMAND"})},
            {"environment_variables",
             [&](const YAML::Node& n, const std::string& kp) {
                 config_detail::read_environment_variables(n, kp, error, &f->environment_variables);
             }},
            {"tumbling_window_seconds", p.integer(&f->tumbling_window_seconds, 0, 900)},
            {"log_retention_days", p.integer_in(&f->log_retention_days, kRetention)},
            {"filter_criteria",
             [&](const YAML::Node& n, const std::string& fp) {
                 parse_filter_criteria(
                     n, fp,
                     [&](const YAML::Node& at, const std::string& key, const std::string& msg) {
                         p.error(at, key, msg);
                     },
                     &f->filter_patterns);
             }},
        });
    config_detail::check_mapping_combinations(node, path, error, f);
    for (size_t i = 0; i < f->shard_level_metrics.size(); ++i) {
        const auto& m = f->shard_level_metrics[i];
        bool ok = m == kKinesisAllShardLevelMetrics;
        for (auto k : kKinesisShardLevelMetrics)
            ok = ok || k == m;
        if (!ok) {
            p.error(node["shard_level_metrics"][i],
                    path + ".shard_level_metrics[" + std::to_string(i) + "]",
                    "unknown metric '" + m + "'");
        }
    }
    if (f->event_type.empty() && node.IsMap() && !node["event_type"]) {
        p.error(node, path + ".event_type", "is required");
    } else if (f->event_type == "batch") {
        p.error(node["event_type"], path + ".event_type",
                "'batch' clashes with the /events/batch/{event_type} route; choose another name");
    }
    if (f->lambda_source_path.empty() && node.IsMap() && !node["lambda_source_path"]) {
        p.error(node, path + ".lambda_source_path", "is required");
    }
}

// Both members of a throttle_settings map are required; `*out` is set only when both are valid.
void parse_throttle(Parser& p, const YAML::Node& node, const std::string& path,
                    std::optional<ThrottleLimits>* out) {
    ThrottleLimits t{-1, -1};
    p.read_map(node, path,
               {
                   {"rate_limit", p.number(&t.rate_limit, 0)},
                   {"burst_limit", p.integer(&t.burst_limit, 1, 2147483647)},
               });
    if (!node.IsMap()) return;
    for (const char* key : {"rate_limit", "burst_limit"}) {
        if (!node[key]) p.error(node, path + "." + key, "is required");
    }
    if (t.rate_limit > 0 && t.burst_limit >= 1) *out = t;
}

void parse_quota(Parser& p, const YAML::Node& node, const std::string& path,
                 std::optional<QuotaLimits>* out) {
    QuotaLimits q{-1, "DAY"};
    p.read_map(node, path,
               {
                   {"limit", p.integer(&q.limit, 0, 2147483647)},
                   {"period", p.one_of(&q.period, {"DAY", "WEEK", "MONTH"})},
               });
    if (!node.IsMap()) return;
    if (!node["limit"]) p.error(node, path + ".limit", "is required");
    if (q.limit >= 0) *out = q;
}

void parse_usage_plan(Parser& p, const YAML::Node& node, const std::string& path,
                      UsagePlanConfig* plan) {
    auto key_entry = [&](const YAML::Node& n, const std::string& kp) {
        ApiKeyConfig k;
        k.line = n.Mark().line + 1;
        p.read_map(n, kp,
                   {
                       {"name", p.string(&k.name, "[A-Za-z0-9_-]{1,128}", "[A-Za-z0-9_-]{1,128}")},
                       {"enabled", p.boolean(&k.enabled)},
                   });
        if (n.IsMap() && !n["name"]) p.error(n, kp + ".name", "is required");
        plan->api_keys.push_back(std::move(k));
    };
    p.read_map(
        node, path,
        {
            {"name", p.string(&plan->name, "[A-Za-z0-9_ .-]{1,128}", "[A-Za-z0-9_ .-]{1,128}")},
            {"throttle_settings",
             [&](const YAML::Node& n, const std::string& tp) {
                 parse_throttle(p, n, tp, &plan->throttle);
             }},
            {"quota_settings", [&](const YAML::Node& n,
                                   const std::string& qp) { parse_quota(p, n, qp, &plan->quota); }},
            {"api_keys", p.list(key_entry)},
        });
    if (node.IsMap() && !node["name"]) p.error(node, path + ".name", "is required");
}

const std::vector<std::string> kMethodPaths = {
    "events/{event_type}/POST", "events/batch/{event_type}/POST", "events/{event_type}/OPTIONS",
    "events/batch/{event_type}/OPTIONS"};

void parse_method_settings(Parser& p, const YAML::Node& node, const std::string& path,
                           MethodSettingsConfig* m) {
    double rate = 0;
    int burst = 0;
    p.read_map(node, path,
               {
                   {"method_path", p.one_of(&m->method_path, kMethodPaths)},
                   {"throttling_rate_limit", p.number(&rate, 0)},
                   {"throttling_burst_limit", p.integer(&burst, 1, 2147483647)},
               });
    if (!node.IsMap()) return;
    if (!node["method_path"]) p.error(node, path + ".method_path", "is required");
    if (rate > 0) m->throttling_rate_limit = rate;
    if (burst > 0) m->throttling_burst_limit = burst;
}

// Names that must be unique: plans, keys (one usage plan per key and stage, and one variable
// per key), method paths.
void check_api_names(Parser& p, const YAML::Node& node, const std::string& path,
                     const ApiConfig& a) {
    std::set<std::string> plans, variables, methods;
    for (size_t i = 0; i < a.usage_plans.size(); ++i) {
        const auto& plan = a.usage_plans[i];
        auto pn = node["usage_plans"][i];
        auto pp = path + ".usage_plans[" + std::to_string(i) + "]";
        if (!plan.name.empty() && !plans.insert(plan.name).second) {
            p.error(pn["name"], pp + ".name", "duplicate usage plan name '" + plan.name + "'");
        }
        for (size_t j = 0; j < plan.api_keys.size(); ++j) {
            const auto& k = plan.api_keys[j];
            if (k.name.empty() || variables.insert(api_key_variable(k.name)).second) continue;
            p.error(pn["api_keys"][j]["name"], pp + ".api_keys[" + std::to_string(j) + "].name",
                    "duplicate api key name '" + k.name + "' (its value is read from " +
                        api_key_variable(k.name) + ", and a key belongs to one usage plan)");
        }
    }
    for (size_t i = 0; i < a.method_settings.size(); ++i) {
        const auto& mp = a.method_settings[i].method_path;
        if (mp.empty() || methods.insert(mp).second) continue;
        p.error(node["method_settings"][i]["method_path"],
                path + ".method_settings[" + std::to_string(i) + "].method_path",
                "duplicate method_path '" + mp + "'");
    }
}

void parse_api(Parser& p, const YAML::Node& node, const std::string& path, ApiConfig* a) {
    auto plan_entry = [&](const YAML::Node& n, const std::string& pp) {
        a->usage_plans.emplace_back();
        parse_usage_plan(p, n, pp, &a->usage_plans.back());
    };
    auto method_entry = [&](const YAML::Node& n, const std::string& mp) {
        a->method_settings.emplace_back();
        parse_method_settings(p, n, mp, &a->method_settings.back());
    };
    p.read_map(
        node, path,
        {
            {"stage_name", p.string(&a->stage_name, "[A-Za-z0-9_]+", "[A-Za-z0-9_]+")},
            {"throttling_rate_limit", p.number(&a->throttling_rate_limit, 0)},
            {"throttling_burst_limit", p.integer(&a->throttling_burst_limit, 1, 2147483647)},
            {"enable_access_logging", p.boolean(&a->enable_access_logging)},
            {"api_key_required", p.boolean(&a->api_key_required)},
            {"cors_allowed_origins", p.string_list(&a->cors_allowed_origins)},
            {"manage_account_logging_role", p.boolean(&a->manage_account_logging_role)},
            {"passthrough_behavior",
             p.one_of(&a->passthrough_behavior, {"NEVER", "WHEN_NO_TEMPLATES", "WHEN_NO_MATCH"})},
            {"integration_responses",
             p.one_of(&a->integration_responses, {"recommended", "default-only", "none"})},
            {"gateway_response_cors", p.boolean(&a->gateway_response_cors)},
            {"method_settings", p.list(method_entry)},
            {"usage_plans", p.list(plan_entry)},
            {"log_retention_days", p.integer_in(&a->log_retention_days, kRetention)},
        });
    if (node.IsMap()) check_api_names(p, node, path, *a);
    // The module creates one plan and one key when keys are required.
    if (a->api_key_required && a->usage_plans.empty()) {
        UsagePlanConfig plan;
        plan.name = "default";
        plan.api_keys.push_back({"default", true, node.Mark().line + 1});
        a->usage_plans.push_back(std::move(plan));
    }
}

// The event_flows list: at least one flow, each event_type once.
void parse_event_flows(Parser& p, const YAML::Node& n, const std::string& path,
                       std::vector<FlowConfig>* flows) {
    if (!n.IsSequence() || n.size() == 0) {
        p.error(n, path, "must be a list with at least one flow");
        return;
    }
    std::set<std::string> seen;
    for (size_t i = 0; i < n.size(); ++i) {
        FlowConfig f;
        std::string fp = path + "[" + std::to_string(i) + "]";
        parse_flow(p, n[i], fp, &f);
        if (!f.event_type.empty() && !seen.insert(f.event_type).second) {
            p.error(n[i]["event_type"], fp + ".event_type",
                    "duplicate event_type '" + f.event_type + "'");
        }
        flows->push_back(std::move(f));
    }
}

}  // namespace

std::string api_key_variable(const std::string& key_name) {
    std::string v = "KEMU_API_KEY_";
    for (char c : key_name)
        v += c == '-' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return v;
}

std::string ConfigError::to_string() const {
    std::string s = file;
    if (line > 0) s += ":" + std::to_string(line);
    s += ": ";
    if (!key.empty()) s += key + ": ";
    return s + message;
}

std::vector<ConfigError> parse_config(const std::string& text, const std::string& file,
                                      Config* out) {
    std::vector<ConfigError> errors;
    Config cfg;
    cfg.file = file;
    cfg.base_dir = std::filesystem::path(file).parent_path().string();
    if (cfg.base_dir.empty()) cfg.base_dir = ".";
    YAML::Node root;
    try {
        root = YAML::Load(text);
    } catch (const YAML::ParserException& e) {
        errors.push_back({file, e.mark.line + 1, "", "not valid YAML: " + e.msg});
        return errors;
    }
    Parser p(file, &errors);
    if (!root.IsDefined() || root.IsNull()) {
        errors.push_back({file, 0, "", "the file is empty; it needs at least `version: 1`"});
        return errors;
    }
    bool saw_version = false;
    bool saw_flows = false;
    p.read_map(root, "",
               {
                   {"version",
                    [&](const YAML::Node& n, const std::string& path) {
                        saw_version = true;
                        int v = 0;
                        if (p.scalar(n, path, "an integer", &v) && v != 1) {
                            p.error(n, path,
                                    "unsupported version " + std::to_string(v) +
                                        " (this kemu reads version 1)");
                        }
                    }},
                   {"project", p.string(&cfg.project)},
                   {"environment", p.string(&cfg.environment, "[a-z0-9-]+", "[a-z0-9-]+")},
                   {"region", p.string(&cfg.region, "[a-z]{2}(-[a-z]+)+-[0-9]+",
                                       "an AWS region such as us-east-1")},
                   {"api", [&](const YAML::Node& n,
                               const std::string& path) { parse_api(p, n, path, &cfg.api); }},
                   {"allow_origins", p.string_list(&cfg.allow_origins)},
                   {"event_flows",
                    [&](const YAML::Node& n, const std::string& path) {
                        saw_flows = true;
                        parse_event_flows(p, n, path, &cfg.event_flows);
                    }},
               });
    if (root.IsMap() && !saw_version) {
        errors.push_back({file, 1, "version", "is required (write `version: 1`)"});
    }
    if (root.IsMap() && !saw_flows) {
        errors.push_back({file, 1, "event_flows", "is required (a list with at least one flow)"});
    }
    if (errors.empty()) *out = std::move(cfg);
    return errors;
}

std::vector<ConfigError> load_config(const std::string& path, Config* out) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return {{path, 0, "", "cannot read the file"}};
    std::stringstream ss;
    ss << in.rdbuf();
    return parse_config(ss.str(), path, out);
}

}  // namespace kemu
