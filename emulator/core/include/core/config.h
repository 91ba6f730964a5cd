#pragma once
// kemu.yaml, parsed once into plain structs (schema v1, shared with the Terraform modules). Only
// config.cc touches yaml-cpp. Modules take `const&` of their part.

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace kemu {

struct ApiConfig {
    std::string stage_name = "v1";                          // Default: v1. [A-Za-z0-9_]+
    double throttling_rate_limit = 10000;                   // Default: 10000 requests/s; > 0.
    int throttling_burst_limit = 5000;                      // Default: 5000; >= 1.
    bool enable_access_logging = true;                      // Default: true.
    bool api_key_required = false;                          // Default: false.
    std::vector<std::string> cors_allowed_origins = {"*"};  // Default: ["*"].
    bool manage_account_logging_role = true;                // Default: true (Terraform only).
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
    int line = 0;                                          // where the entry starts in the file
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

    // Derived names, identical to the Terraform module's.
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
