#pragma once
// The API Gateway front door: the REST API (v1) that the seed's `api_gateway` Terraform module
// deploys, served on the edge listener. `POST /{stage}/events/{event_type}` becomes a Kinesis
// PutRecord, `POST /{stage}/events/batch/{event_type}` a PutRecords, `OPTIONS` on both a CORS
// preflight; everything else is the gateway's 403 Missing Authentication Token.
// Behaviour: docs/aws/apigw.md; the choices kemu makes where AWS is unconfirmed: ../../README.md.
//
// Requests are checked in AWS's order (docs/aws/apigw.md, Check order): request head size,
// route, body size, API key, throttling (usage plan, quota, stage method, account), content
// type, then the mapping template, the Kinesis call (in process) and the integration response.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/config.h"
#include "core/http.h"
#include "kinesis/store.h"

namespace kemu::apigw {

struct ThrottleSettings {
    double rate = 0;    // tokens per second; 0 blocks everything
    int64_t burst = 0;  // bucket capacity; 0 blocks everything
};

enum class QuotaPeriod { kDay, kWeek, kMonth };  // calendar periods in UTC; weeks start Monday

struct Quota {
    int64_t limit = 0;  // requests per period and API key
    QuotaPeriod period = QuotaPeriod::kDay;
};

// An API key of a usage plan bound to the stage, with its value resolved.
struct ApiKey {
    std::string value;  // what clients send in `x-api-key`
    bool enabled = true;
    std::optional<ThrottleSettings> throttle = {};  // its usage plan's, per key
    std::optional<Quota> quota = {};                // its usage plan's, per key
    std::string name = {};                          // the key's name in kemu.yaml
    bool generated = false;                         // no KEMU_API_KEY_{NAME}: kemu made the value
};

// What `kemu up` decides rather than kemu.yaml: who the integration calls Kinesis as, the
// account throttle, the key values (secrets) and where logs go. Everything that describes the
// API itself is the `api` block of the Config.
struct FrontDoorOptions {
    std::string account = "000000000000";  // the streams' account
    std::string region = "us-east-1";      // the streams' region
    std::string api_id;                    // Default: empty = derive_api_id(config)
    // The keys of the usage plans; checked only when `api.api_key_required` is set.
    std::vector<ApiKey> api_keys;
    // The account-level throttle, AWS's per-region default; nullopt = off.
    std::optional<ThrottleSettings> account_throttle = ThrottleSettings{10000, 5000};
    size_t max_body_bytes = 10u << 20;      // Default: 10 MiB; larger bodies get 413
    size_t max_request_head_bytes = 10240;  // request line + headers; larger gets 431
    // Where access logs go: empty = none. Otherwise the file access_log_path(config, root).
    std::string access_log_root;
    // Also (or instead, with --in-memory) each access-log line, without its newline, with the
    // request's time: `kemu up` appends them to the CloudWatch log store under
    // access_log_group(config). Empty: none.
    std::function<void(int64_t request_time_ms, std::string_view line)> access_log_sink;
};

// `{root}/logs/aws/apigateway/{environment}-{project}/access-logs.log`: the log group's name.
std::string access_log_path(const Config& config, const std::string& root);
// `/aws/apigateway/{environment}-{project}/access-logs`, the stage's access-log group.
std::string access_log_group(const Config& config);

// A 10-character lower-case id derived from the API name, stable across restarts.
std::string derive_api_id(const Config& config);

// Reads an environment variable; null when unset.
using EnvLookup = std::function<const char*(const std::string& name)>;

// The keys of `config`'s usage plans (none unless `api.api_key_required`), each value read from
// KEMU_API_KEY_{NAME} or, when that is unset, 32 random hex characters (`generated`). Returns
// an error sentence (an empty variable), or empty.
std::string resolve_api_keys(const Config& config, const EnvLookup& env, std::vector<ApiKey>* out);

// `kemu up --apigw-account-throttle`: `RATE/BURST` (e.g. 10000/5000) or `off`. Returns an error
// sentence, or empty.
std::string parse_account_throttle(const std::string& value, std::optional<ThrottleSettings>* out);

// `kemu up --apigw-api-id`: lower-case letters and digits, 1..63 of them. Returns an error
// sentence, or empty.
std::string check_api_id(const std::string& id);

// The first retired `KEMU_APIGW_*` variable of a `NAME=VALUE` environment block (null-ended,
// like `environ`), as a sentence saying what replaced it; empty when there is none.
std::string retired_setting_error(char** environment);

// Front-door metrics as CloudWatch's AWS/ApiGateway namespace names them, for a metrics
// endpoint. Latencies are milliseconds.
struct LatencyStats {
    uint64_t count = 0;
    double sum_ms = 0;
    double max_ms = 0;
};
struct RouteStatusCount {
    std::string method;    // "POST"
    std::string resource;  // "/events/{event_type}", or "-" for unmatched requests
    int status = 0;
    uint64_t count = 0;
};
struct MetricsSnapshot {
    uint64_t count = 0;                      // Count
    uint64_t errors_4xx = 0;                 // 4XXError
    uint64_t errors_5xx = 0;                 // 5XXError
    LatencyStats latency;                    // Latency: request in to response out
    LatencyStats integration_latency;        // IntegrationLatency: the Kinesis call
    std::vector<RouteStatusCount> requests;  // sorted by method, resource, status
};

class FrontDoor : public RequestHandler {
public:
    // Claims requests for the gateway: host-style `{id}.execute-api.localhost`, or a path whose
    // first segment is the stage, or `/{other stage}/events/...`. Never a request carrying
    // `X-Amz-Target` or an `Action=` parameter (the Kinesis and SQS APIs).
    bool matches(const HttpRequest& req) const override = 0;
    virtual MetricsSnapshot metrics() const = 0;
    virtual std::string api_id() const = 0;
    virtual std::string stage() const = 0;
    // Replaces the stage's default throttle (`*/*`) while running, as an UpdateStage of its
    // throttling settings would (`kemu test`'s front-door throttle fault).
    virtual void set_stage_throttle(ThrottleSettings settings) = 0;
};

// The front door for the `api` block and event flows of `config`. `store` and `clock` must
// outlive it. Thread-safe: handle() runs on every edge thread.
std::shared_ptr<FrontDoor> make_front_door(kinesis::Store& store, const Clock& clock,
                                           const Config& config, FrontDoorOptions options);

}  // namespace kemu::apigw
