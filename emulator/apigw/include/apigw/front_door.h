#pragma once
// The API Gateway front door: the REST API (v1) that the seed's `api_gateway` Terraform module
// deploys, served on the edge listener. `POST /{stage}/events/{event_type}` becomes a Kinesis
// PutRecord, `POST /{stage}/events/batch/{event_type}` a PutRecords, `OPTIONS` on both a CORS
// preflight; everything else is the gateway's 403 Missing Authentication Token.
// Behaviour: spec/apigw.md; the choices kemu makes where AWS is unconfirmed: ../../README.md.
//
// Requests are checked in AWS's order (spec §1.3): request head size, route, body size, API key,
// throttling (usage plan, quota, stage, account), content type, then the mapping template, the
// Kinesis call (in process) and the integration response.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/config.h"
#include "core/http.h"
#include "kinesis/store.h"

namespace kemu::apigw {

// How a request whose Content-Type has no mapping template is handled (spec §2.4).
enum class Passthrough {
    kNever,            // 415 Unsupported Media Type (the module's setting)
    kWhenNoTemplates,  // 415 too: a template exists for application/json
    kWhenNoMatch,      // AWS's default: the body goes to Kinesis unmapped
};

// The integration responses configured on the POST methods (spec §3.3).
enum class IntegrationResponses {
    kRecommended,  // 200 default, 400 <- 4\d{2}, 500 <- 5\d{2}, error template (the module's)
    kDefaultOnly,  // one 200 without pattern: Kinesis errors reach the client as 200
    kNone,         // no integration response at all: every call is 500 Internal server error
};

struct ThrottleSettings {
    double rate = 0;    // tokens per second; 0 blocks everything
    int64_t burst = 0;  // bucket capacity; 0 blocks everything
};

enum class QuotaPeriod { kDay, kWeek, kMonth };  // calendar periods in UTC; weeks start Monday

struct Quota {
    int64_t limit = 0;  // requests per period and API key
    QuotaPeriod period = QuotaPeriod::kDay;
};

struct ApiKey {
    std::string value;  // what clients send in `x-api-key`
    bool enabled = true;
};

struct FrontDoorOptions {
    std::string account = "000000000000";  // the streams' account
    std::string region = "us-east-1";      // the streams' region
    std::string api_id;                    // Default: empty = derived from the API name
    // The usage plan bound to the stage: its keys, optional per-key throttle and quota. Keys are
    // checked only when `api.api_key_required` is set.
    std::vector<ApiKey> api_keys;
    std::optional<ThrottleSettings> usage_plan_throttle;
    std::optional<Quota> quota;
    // Layer 5 of spec §6.2. Default: 10,000 rps, burst 5,000; nullopt = off.
    std::optional<ThrottleSettings> account_throttle = ThrottleSettings{10000, 5000};
    IntegrationResponses integration_responses = IntegrationResponses::kRecommended;
    Passthrough passthrough = Passthrough::kNever;  // Default: NEVER (the module's setting)
    // DEFAULT_4XX / DEFAULT_5XX gateway responses carry Access-Control-Allow-Origin/-Headers,
    // as the module configures them. false: AWS's built-in defaults (no CORS headers).
    bool gateway_response_cors = true;
    size_t max_body_bytes = 10u << 20;      // Default: 10 MiB; larger bodies get 413
    size_t max_request_head_bytes = 10240;  // request line + headers; larger gets 431
    // Where access logs go: empty = none. Otherwise the file access_log_path(config, root).
    std::string access_log_root;
};

// `{root}/logs/aws/apigateway/{environment}-{project}/access-logs.log`: the log group's name.
std::string access_log_path(const Config& config, const std::string& root);

// A 10-character lower-case id derived from the API name, stable across restarts.
std::string derive_api_id(const Config& config);

// Applies one `KEMU_APIGW_*` setting (see the module README). Returns an error sentence, or
// empty when the value was understood. Unknown names are errors.
std::string apply_setting(const std::string& name, const std::string& value,
                          FrontDoorOptions* options);

// Applies every `KEMU_APIGW_*=value` entry of a `NAME=VALUE` environment block (null-ended,
// like `environ`). Returns the first error, or empty.
std::string apply_settings(char** environment, FrontDoorOptions* options);

// The key kemu uses when `api_key_required` is set and no KEMU_APIGW_API_KEYS is given: 32 hex
// characters derived from the API name, so it is stable across restarts.
std::string default_api_key(const Config& config);

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
};

// The front door for the `api` block and event flows of `config`. `store` and `clock` must
// outlive it. Thread-safe: handle() runs on every edge thread.
std::shared_ptr<FrontDoor> make_front_door(kinesis::Store& store, const Clock& clock,
                                           const Config& config, FrontDoorOptions options);

}  // namespace kemu::apigw
