#pragma once
// kemu.yaml, parsed once into plain structs (schema v1: docs/kemu-yaml.md). Only config.cc
// touches yaml-cpp. Modules take `const&` of their part.

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace kemu {

// A token bucket: `rate_limit` requests per second refill it, `burst_limit` is its capacity.
struct ThrottleLimits {
    double rate_limit = 0;  // > 0
    int burst_limit = 0;    // >= 1
};

// A usage plan's quota per API key (aws_api_gateway_usage_plan.quota_settings).
struct QuotaLimits {
    int limit = 0;               // requests per period, 0..2147483647
    std::string period = "DAY";  // DAY, WEEK or MONTH (UTC calendar periods)
};

// aws_api_gateway_api_key. Its value is a secret and never in the file: kemu reads it from
// KEMU_API_KEY_{NAME} (upper case, `-` as `_`) or generates one and prints it.
struct ApiKeyConfig {
    std::string name;  // required; [A-Za-z0-9_-]{1,128}, unique across the API's plans
    bool enabled = true;
    int line = 0;
};

// aws_api_gateway_usage_plan bound to the stage, with its keys (aws_api_gateway_usage_plan_key).
struct UsagePlanConfig {
    std::string name;                        // required; unique
    std::optional<ThrottleLimits> throttle;  // throttle_settings, per API key
    std::optional<QuotaLimits> quota;        // quota_settings, per API key
    std::vector<ApiKeyConfig> api_keys;      // Default: none
};

// aws_api_gateway_method_settings for one method: its own stage throttle instead of `*/*`'s.
struct MethodSettingsConfig {
    std::string method_path;                      // e.g. events/{event_type}/POST
    std::optional<double> throttling_rate_limit;  // unset: the stage's
    std::optional<int> throttling_burst_limit;    // unset: the stage's
};

// The retention periods CloudWatch Logs accepts (PutRetentionPolicy's retentionInDays), and 0,
// Terraform's "never expire".
inline constexpr int kLogRetentionDays[] = {0,    1,    3,    5,    7,    14,   30,  60,
                                            90,   120,  150,  180,  365,  400,  545, 731,
                                            1096, 1827, 2192, 2557, 2922, 3288, 3653};

struct ApiConfig {
    std::string stage_name = "v1";                          // Default: v1. [A-Za-z0-9_]+
    double throttling_rate_limit = 10000;                   // Default: 10000 requests/s; > 0.
    int throttling_burst_limit = 5000;                      // Default: 5000; >= 1.
    bool enable_access_logging = true;                      // Default: true.
    bool api_key_required = false;                          // Default: false.
    std::vector<std::string> cors_allowed_origins = {"*"};  // Default: ["*"].
    bool manage_account_logging_role = true;                // Default: true (Terraform only).
    // The POST integrations' passthrough_behavior: NEVER, WHEN_NO_TEMPLATES or WHEN_NO_MATCH.
    std::string passthrough_behavior = "NEVER";  // Default: NEVER (the module's setting)
    // The POST methods' integration responses: recommended (200, 400 <- 4\d{2}, 500 <- 5\d{2}),
    // default-only (one 200 without pattern) or none.
    std::string integration_responses = "recommended";  // Default: recommended
    // DEFAULT_4XX / DEFAULT_5XX gateway responses carry Access-Control-Allow-Origin/-Headers.
    bool gateway_response_cors = true;                  // Default: true
    std::vector<MethodSettingsConfig> method_settings;  // Default: none (every method `*/*`)
    // Default: none; with api_key_required and no plan, one plan `default` with one key
    // `default`, as the module creates.
    std::vector<UsagePlanConfig> usage_plans;
    // The access log group's retention_in_days (Terraform only): one of CloudWatch Logs'
    // values (kLogRetentionDays), 0 = never expire.
    int log_retention_days = 14;  // Default: 14
};

struct FlowConfig {
    std::string event_type;          // required; names stream, function and DLQ
    int shard_count = 1;             // Default: 1
    int retention_period = 24;       // Default: 24 hours (24..8760)
    std::string lambda_source_path;  // required; resolved against the YAML's folder
    std::string lambda_handler = "handler.process_event";  // Default: handler.process_event
    std::string lambda_runtime = "python3.11";             // Default: python3.11
    int lambda_memory_size = 256;                          // Default: 256 MB (128..10240)
    int lambda_timeout = 30;                               // Default: 30 s (1..900)
    int batch_size = 100;                                  // Default: 100 (1..10000)
    int batch_window_seconds = 5;                          // Default: 5 (0..300)
    bool dlq_enabled = true;                               // Default: true
    int max_retry_attempts = 3;                            // Default: 3 (-1 = forever, or 0..10000)
    std::vector<std::string> shard_level_metrics;          // Default: []
    std::string starting_position = "LATEST";              // Default: LATEST
    bool bisect_batch_on_function_error = true;            // Default: true
    bool report_batch_item_failures = false;               // Default: false
    int iterator_age_alarm_ms = 60000;                     // Default: 60000
    // The event source mapping's settings beyond the seed's (docs/kemu-yaml.md); AWS's defaults.
    int parallelization_factor = 1;  // Default: 1 (1..10): concurrent batches per shard
    // AT_TIMESTAMP's time, ms since the epoch; set exactly when starting_position is
    // AT_TIMESTAMP (`starting_position_timestamp`: ISO-8601 or Unix seconds).
    std::optional<int64_t> starting_position_timestamp_ms;
    int maximum_record_age_seconds = -1;      // Default: -1 (no limit), or 60..604800
    std::string stream_mode = "PROVISIONED";  // Default: PROVISIONED; or ON_DEMAND (4 shards)
    // The processor's own variables, after the module's EVENT_TYPE, ENVIRONMENT and STREAM_NAME
    // (which they may replace). Keys [a-zA-Z][a-zA-Z0-9_]+, none of Lambda's reserved ones,
    // at most 4 KB in all, as Lambda checks them.
    std::map<std::string, std::string> environment_variables;  // Default: none
    // Tumbling windows and event filtering (docs/kemu-yaml.md, Windows and filters).
    int tumbling_window_seconds = 0;  // Default: 0 = off (0..900)
    // filter_criteria: each pattern as JSON text, validated (core/filter_pattern.h).
    std::vector<std::string> filter_patterns;  // Default: none (every record is delivered)
    // The function's log group's retention_in_days (Terraform only), as the API's.
    int log_retention_days = 14;  // Default: 14
    int line = 0;                 // where the entry starts in the file
};

struct Config {
    std::string file;      // path it was read from; empty for the built-in default
    std::string base_dir;  // the file's folder, for relative paths
    int version = 1;
    std::string project = "events-ingestion";  // Default: events-ingestion
    std::string environment = "dev";           // Default: dev. [a-z0-9-]+
    std::string region;                        // needed only for `kemu deploy --aws`
    ApiConfig api;
    std::vector<FlowConfig> event_flows;
    // kemu only (never deployed): browser origins allowed to call the AWS APIs, as
    // `kemu up --allow-origin` (core/access_guard.h).
    std::vector<std::string> allow_origins;  // Default: none

    // Derived names, identical to the Terraform modules' (docs/kemu-yaml.md, Derived names).
    std::string stream_name(const FlowConfig& f) const {
        return environment + "-" + f.event_type + "-stream";
    }
    std::string function_name(const FlowConfig& f) const {
        return environment + "-" + f.event_type + "-processor";
    }
    std::string dlq_name(const FlowConfig& f) const {
        return environment + "-" + f.event_type + "-dlq";
    }
    std::string kms_alias(const FlowConfig& f) const {
        return "alias/" + environment + "-" + f.event_type + "-stream";
    }
    std::string api_name() const { return environment + "-" + project; }
};

// The environment variable that holds an API key's value: KEMU_API_KEY_{NAME}, the name in
// upper case with `-` as `_` (KEMU_API_KEY_WEB_APP for `web-app`).
std::string api_key_variable(const std::string& key_name);

struct ConfigError {
    std::string file;
    int line = 0;     // 1-based; 0 when not known
    std::string key;  // dotted path, e.g. event_flows[1].batch_size
    std::string message;
    // "kemu.yaml:12: event_flows[1].batch_size: must be between 1 and 10000 (got 0)"
    std::string to_string() const;
};

// Parses YAML text. `file` names it in errors; relative paths resolve against its folder.
// Returns every error found (unknown keys, wrong types, out-of-range values, duplicates).
std::vector<ConfigError> parse_config(const std::string& text, const std::string& file,
                                      Config* out);
// Reads and parses a file; an unreadable file is one error.
std::vector<ConfigError> load_config(const std::string& path, Config* out);

}  // namespace kemu
