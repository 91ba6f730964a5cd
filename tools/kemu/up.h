#pragma once
// `kemu up` and `kemu validate`: the command line's wiring of the modules.

#include <string>
#include <vector>

namespace kemu::cli {

struct UpOptions {
    std::string config;  // empty: ./kemu.yaml when present, else no topology
    std::string host = "127.0.0.1";
    int port = 4566;
    std::string data_dir = ".kemu/data";
    bool in_memory = false;
    std::string region = "us-east-1";
    std::string account = "000000000000";
    bool shard_limits = false;
    std::string durability = "wal";
    int status_delay_ms = 0;
    int account_shard_limit = 500;
    int sqs_purge_cooldown_ms = 60'000;  // AWS: one PurgeQueue per queue per 60 s
    int sqs_delete_cooldown_ms = 0;      // AWS: 60 s before a deleted name can be reused
    int efo_heartbeat_ms = 5'000;        // AWS: an idle subscription gets an empty event every 5 s
    int lambda_retry_backoff_ms = 1000;  // first back-off of a failing batch (doubles, cap 60 s)
    int lambda_idle_timeout_s = 600;     // an idle environment is stopped after this
    int lambda_concurrency = 1000;       // environments per function; beyond: throttles
    bool lambda_echo_logs = true;        // function logs on stdout too
    // The handlers' AWS_ENDPOINT_URL: "kemu" (http://127.0.0.1:PORT of this kemu), "none"
    // (unset), or a URL.
    std::string handler_endpoint = "kemu";
    bool no_lambda = false;  // serve the APIs only; no processors, no handler checks
    int alarm_period_s = 0;  // > 0: every alarm period in seconds (AWS module: 60)
    std::string python;      // interpreter override for python3.x runtimes
    std::string node;        // interpreter override for nodejs runtimes
    std::string log_level = "info";
    std::string log_format = "text";  // text or json
    bool scenario_hooks = false;      // kemu test's clock and recorders (scenario/hooks.h)

    // The API Gateway front door's run settings (kemu.yaml's api block describes the API).
    std::string apigw_account_throttle = "10000/5000";  // RATE/BURST or off
    std::string apigw_api_id;                           // empty: derived from the API name

    // Who may reach kemu (core/access_guard.h).
    std::vector<std::string> allow_hosts;    // --allow-host: names besides loopback's
    std::vector<std::string> allow_origins;  // --allow-origin: browser origins of the AWS APIs
    bool verify_signatures = false;          // check SigV4 against KEMU_ACCESS_KEYS
    bool insecure_open = false;              // listen beyond loopback without verification
};

int run_up(const UpOptions& o);
int run_validate(const std::string& config);

}  // namespace kemu::cli
