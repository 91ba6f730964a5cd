// The front door's request pipeline, in AWS's order (docs/aws/apigw.md, Check order).

#include "apigw/front_door.h"

#include <chrono>
#include <cstdio>
#include <ctime>
#include <map>
#include <memory>

#include "access_log.h"
#include "core/encoding.h"
#include "cors.h"
#include "gateway_responses.h"
#include "kinesis/api.h"
#include "mapping_template.h"
#include "metrics.h"
#include "route.h"
#include "throttle.h"

namespace kemu::apigw {
namespace {

using Steady = std::chrono::steady_clock;

int64_t micros_since(Steady::time_point t) {
    return std::chrono::duration_cast<std::chrono::microseconds>(Steady::now() - t).count();
}

bool is_hex(char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

bool is_uuid(std::string_view s) {
    if (s.size() != 36) return false;
    for (size_t i = 0; i < s.size(); ++i) {
        bool dash = i == 8 || i == 13 || i == 18 || i == 23;
        if (dash ? s[i] != '-' : !is_hex(s[i])) return false;
    }
    return true;
}

// Request line + headers as they were on the wire (HTTP/1.1 framing).
size_t head_size(const HttpRequest& req) {
    size_t n = req.method.size() + 1 + req.target.size() + 11;
    for (const auto& h : req.headers)
        n += h.name.size() + 2 + h.value.size() + 2;
    return n + 2;
}

// `name=` at the start of an `&`-separated parameter list.
bool has_param(std::string_view params, std::string_view name_eq) {
    size_t pos = 0;
    while ((pos = params.find(name_eq, pos)) != std::string_view::npos) {
        if (pos == 0 || params[pos - 1] == '&') return true;
        ++pos;
    }
    return false;
}

bool json_content_type(std::string_view ct) {
    // AWS: no Content-Type selects the application/json template; parameters are ignored [U].
    auto semi = ct.find(';');
    ct = ct.substr(0, semi);
    while (!ct.empty() && (ct.back() == ' ' || ct.back() == '\t'))
        ct.remove_suffix(1);
    while (!ct.empty() && (ct.front() == ' ' || ct.front() == '\t'))
        ct.remove_prefix(1);
    return ct.empty() || iequals(ct, "application/json");
}

std::string trace_id(int64_t now_ms) {
    char secs[16];
    std::snprintf(secs, sizeof secs, "%08llx", static_cast<unsigned long long>(now_ms / 1000));
    return std::string("Root=1-") + secs + "-" + hex_encode(random_bytes(12));
}

// Everything the access log and the metrics need to know about one request.
struct Exchange {
    std::string request_id;
    std::string extended_id;
    int64_t now_ms = 0;
    Route route;
    std::string_view stage = {};
    std::string error_message;
    std::string_view error_type;
    std::string api_key_id;
    int integration_status = 0;
    int64_t integration_us = -1;
    std::string integration_error;
    std::string endpoint_request_id;
};

struct KeyState {
    ApiKey key;
    std::string id;
    std::unique_ptr<TokenBucket> throttle;
    std::unique_ptr<QuotaCounter> quota;
};

// The integration responses configured on the POST methods (api.integration_responses).
enum class IntegrationResponses {
    kRecommended,  // 200 default, 400 <- 4\d{2}, 500 <- 5\d{2}, error template (the module's)
    kDefaultOnly,  // one 200 without pattern: Kinesis errors reach the client as 200
    kNone,         // no integration response at all: every call is 500 Internal server error
};

IntegrationResponses integration_responses(const std::string& setting) {
    if (setting == "default-only") return IntegrationResponses::kDefaultOnly;
    if (setting == "none") return IntegrationResponses::kNone;
    return IntegrationResponses::kRecommended;
}

// aws_api_gateway_method_settings' method_path: "events/{event_type}/POST".
std::string method_path(std::string_view resource_path, std::string_view method) {
    std::string p(resource_path.substr(1));
    p += '/';
    p += method;
    return p;
}

class FrontDoorImpl final : public FrontDoor {
public:
    FrontDoorImpl(kinesis::Store& store, const Clock& clock, const Config& config,
                  FrontDoorOptions options)
        : clock_(clock),
          options_(std::move(options)),
          stage_(config.api.stage_name),
          api_id_(options_.api_id.empty() ? derive_api_id(config) : options_.api_id),
          key_required_(config.api.api_key_required),
          integration_responses_(integration_responses(config.api.integration_responses)),
          // WHEN_NO_TEMPLATES refuses too: a template exists for application/json.
          unmapped_passthrough_(config.api.passthrough_behavior == "WHEN_NO_MATCH"),
          gateway_response_cors_(config.api.gateway_response_cors),
          cors_(config.api.cors_allowed_origins),
          kinesis_(kinesis::make_in_process_api(store, clock)),
          stage_bucket_({config.api.throttling_rate_limit, config.api.throttling_burst_limit},
                        clock.now_ms()) {
        for (const auto& f : config.event_flows)
            streams_[f.event_type] = config.stream_name(f);
        if (options_.account_throttle) {
            account_bucket_ =
                std::make_unique<TokenBucket>(*options_.account_throttle, clock.now_ms());
        }
        for (const auto& m : config.api.method_settings) {
            ThrottleSettings t{
                m.throttling_rate_limit.value_or(config.api.throttling_rate_limit),
                m.throttling_burst_limit.value_or(config.api.throttling_burst_limit)};
            method_buckets_[m.method_path] = std::make_unique<TokenBucket>(t, clock.now_ms());
        }
        for (const auto& k : options_.api_keys) {
            auto& s = keys_[k.value];
            s.key = k;
            s.id = md5_hex(k.value).substr(0, 10);
            if (k.throttle) s.throttle = std::make_unique<TokenBucket>(*k.throttle, clock.now_ms());
            if (k.quota) s.quota = std::make_unique<QuotaCounter>(*k.quota);
        }
        if (!options_.access_log_root.empty()) {
            access_log_ =
                std::make_unique<AccessLog>(access_log_path(config, options_.access_log_root));
        }
    }

    bool matches(const HttpRequest& req) const override {
        if (req.has_header("X-Amz-Target")) return false;
        if (has_param(req.query(), "Action=")) return false;
        auto ct = req.header("Content-Type");
        if (ct.find("x-www-form-urlencoded") != std::string_view::npos &&
            has_param(req.body, "Action=")) {
            return false;
        }
        std::string_view id;
        if (host_style(req.header("Host"), &id)) return true;
        std::string_view p = req.path();
        if (p.size() < 2 || p[0] != '/') return false;
        p.remove_prefix(1);
        auto slash = p.find('/');
        auto first = p.substr(0, slash);
        if (first == stage_) return true;
        // An unknown stage: the gateway answers, as AWS does [O].
        if (slash == std::string_view::npos) return false;
        auto rest = p.substr(slash + 1);
        return rest == "events" || rest.starts_with("events/");
    }

    void handle(const HttpRequest& req, Respond respond) override { respond(answer(req)); }

    // What API Gateway itself answers when it fails: 500 "Internal server error".
    HttpResponse internal_error(const HttpRequest&) const override {
        Exchange x;
        x.now_ms = clock_.now_ms();
        x.request_id = uuid_v4();
        x.extended_id = base64_encode(random_bytes(11));
        return gateway(x, GatewayResponseType::kApiConfigurationError);
    }

    HttpResponse answer(const HttpRequest& req) {
        auto started = Steady::now();
        Exchange x;
        x.now_ms = clock_.now_ms();
        auto client_id = req.header("x-amzn-RequestId");
        // AWS: a UUID in x-amzn-RequestId becomes $context.requestId (docs/aws/apigw.md).
        x.request_id = is_uuid(client_id) ? std::string(client_id) : uuid_v4();
        x.extended_id = base64_encode(random_bytes(11));
        x.route.resource_path = "-";
        HttpResponse out = process(req, x);
        finish(req, x, out, micros_since(started));
        return out;
    }

    MetricsSnapshot metrics() const override { return metrics_.snapshot(); }
    void set_stage_throttle(ThrottleSettings settings) override {
        stage_bucket_.reset(settings, clock_.now_ms());
    }
    std::string api_id() const override { return api_id_; }
    std::string stage() const override { return stage_; }

private:
    HttpResponse process(const HttpRequest& req, Exchange& x) {
        if (head_size(req) > options_.max_request_head_bytes) {
            return gateway(x, GatewayResponseType::kRequestHeaderTooLarge);
        }
        std::string_view host_api;
        if (host_style(req.header("Host"), &host_api) && host_api != api_id_) {
            return gateway(x, GatewayResponseType::kMissingAuthenticationToken);
        }
        x.route = resolve_route(req.method, req.path(), stage_);
        if (x.route.kind == RouteKind::kPreflight && !cors_.enabled()) x.route = Route{};
        if (x.route.kind == RouteKind::kNone) {
            x.route.resource_path = "-";
            return gateway(x, GatewayResponseType::kMissingAuthenticationToken);
        }
        x.stage = stage_;
        if (req.body.size() > options_.max_body_bytes) {
            return gateway(x, GatewayResponseType::kRequestTooLarge);
        }
        bool post = x.route.kind != RouteKind::kPreflight;
        KeyState* key = nullptr;
        // AWS: OPTIONS never requires a key (browsers send none on preflight).
        if (post && key_required_) {
            auto it = keys_.find(req.header("x-api-key"));
            if (it == keys_.end() || !it->second.key.enabled) {
                return gateway(x, GatewayResponseType::kInvalidApiKey);
            }
            key = &it->second;
            x.api_key_id = it->second.id;
        }
        if (auto t = throttle(key, req.method, x)) return gateway(x, *t);
        if (!post) return preflight(req, x);
        bool passthrough = false;
        if (!json_content_type(req.header("Content-Type"))) {
            if (!unmapped_passthrough_) {
                return gateway(x, GatewayResponseType::kUnsupportedMediaType);
            }
            passthrough = true;  // AWS: the body goes to Kinesis unmapped
        }
        return integrate(req, x, passthrough);
    }

    // Most specific first (docs/aws/apigw.md, Throttling): usage plan, its quota, the stage's
    // setting for this method (its own, else `*/*`), account.
    std::optional<GatewayResponseType> throttle(KeyState* key, std::string_view method,
                                                const Exchange& x) {
        int64_t now = x.now_ms;
        if (key && key->throttle && !key->throttle->try_take(now)) {
            return GatewayResponseType::kThrottled;
        }
        if (key && key->quota && !key->quota->try_take(now)) {
            return GatewayResponseType::kQuotaExceeded;
        }
        TokenBucket* stage = &stage_bucket_;
        if (!method_buckets_.empty()) {
            auto it = method_buckets_.find(method_path(x.route.resource_path, method));
            if (it != method_buckets_.end()) stage = it->second.get();
        }
        if (!stage->try_take(now)) return GatewayResponseType::kThrottled;
        if (account_bucket_ && !account_bucket_->try_take(now)) {
            return GatewayResponseType::kThrottled;
        }
        return std::nullopt;
    }

    HttpResponse integrate(const HttpRequest& req, Exchange& x, bool passthrough) {
        auto it = streams_.find(x.route.event_type);
        const std::string* stream = it == streams_.end() ? nullptr : &it->second;
        bool batch = x.route.kind == RouteKind::kPutRecords;
        HttpRequest k;
        k.method = "POST";
        k.target = "/";
        k.remote_address = req.remote_address;
        if (passthrough) {
            k.body = req.body;
        } else if (!batch) {
            k.body = render_put_record(stream, req.body, x.request_id);
        } else {
            auto r = render_put_records(stream, req.body);
            if (!r.ok) {
                x.error_message = std::move(r.error);
                return gateway(x, GatewayResponseType::kBadRequestBody);
            }
            k.body = std::move(r.text);
        }
        k.headers.reserve(2);
        k.headers.push_back(
            {"X-Amz-Target", batch ? "Kinesis_20131202.PutRecords" : "Kinesis_20131202.PutRecord"});
        // AWS: integration.request.header.Content-Type = 'application/x-amz-json-1.1'
        k.headers.push_back({"Content-Type", "application/x-amz-json-1.1"});

        auto started = Steady::now();
        // The integration's credentials: the streams' own account and region.
        HttpResponse res = kinesis_->call({options_.account, options_.region}, k);
        x.integration_us = micros_since(started);
        x.integration_status = res.status;
        for (const auto& h : res.headers) {
            if (iequals(h.name, "x-amzn-RequestId")) x.endpoint_request_id = h.value;
        }
        bool failed = res.status < 200 || res.status > 299;
        if (failed) x.integration_error = res.body;

        // Integration response selection: patterns match the status as a string (docs/aws/apigw.md,
        // Integration responses).
        int status = 200;
        std::string body;
        switch (integration_responses_) {
            case IntegrationResponses::kNone:
                return gateway(x, GatewayResponseType::kApiConfigurationError);
            case IntegrationResponses::kDefaultOnly:
                body = std::move(res.body);  // AWS: errors pass as 200 (the production bug)
                break;
            case IntegrationResponses::kRecommended:
                if (res.status >= 400 && res.status <= 499) {
                    status = 400;  // 4\d{2}
                    body = render_error_template(res.body);
                } else if (res.status >= 500 && res.status <= 599) {
                    status = 500;  // 5\d{2}
                    body = render_error_template(res.body);
                } else {
                    body = std::move(res.body);
                }
                break;
        }
        HttpResponse out;
        out.status = status;
        out.headers.reserve(8);
        // AWS: integration responses default to application/json whatever Kinesis sent.
        out.set_header("Content-Type", "application/json");
        out.set_header("Date", http_date(x.now_ms));
        out.set_header("x-amzn-RequestId", x.request_id);
        out.set_header("x-amz-apigw-id", x.extended_id);
        out.set_header("X-Amzn-Trace-Id", trace_id(x.now_ms));
        add_method_cors(req, out);
        out.body = std::move(body);
        return out;
    }

    // The module maps Access-Control-Allow-Origin on every POST method response.
    void add_method_cors(const HttpRequest& req, HttpResponse& out) const {
        if (!cors_.enabled()) return;
        auto origin = cors_.allow_origin(req.header("Origin"));
        if (!origin.empty()) out.set_header("Access-Control-Allow-Origin", std::string(origin));
        if (cors_.echoes()) out.set_header("Vary", "Origin");
    }

    // MOCK integration: 200, empty body, the three Allow-* headers, whatever the request says.
    HttpResponse preflight(const HttpRequest& req, Exchange& x) const {
        HttpResponse out;
        out.status = 200;
        out.set_header("Content-Type", "application/json");
        out.set_header("Date", http_date(x.now_ms));
        out.set_header("x-amzn-RequestId", x.request_id);
        out.set_header("x-amz-apigw-id", x.extended_id);
        out.set_header("Access-Control-Allow-Headers", std::string(kCorsAllowHeaders));
        out.set_header("Access-Control-Allow-Methods", std::string(kCorsAllowMethods));
        add_method_cors(req, out);
        return out;
    }

    HttpResponse gateway(Exchange& x, GatewayResponseType type) const {
        const auto& spec = gateway_response_spec(type);
        if (x.error_message.empty()) x.error_message = spec.message;
        x.error_type = spec.type;
        HttpResponse out;
        out.status = spec.status;
        out.set_header("Content-Type", "application/json");
        out.set_header("Date", http_date(x.now_ms));
        out.set_header("x-amzn-RequestId", x.request_id);
        out.set_header("x-amz-apigw-id", x.extended_id);
        if (!spec.error_type.empty()) {
            out.set_header("x-amzn-ErrorType", std::string(spec.error_type));
        }
        // DEFAULT_4XX / DEFAULT_5XX as the module customises them (static values only).
        if (gateway_response_cors_ && cors_.enabled()) {
            out.set_header("Access-Control-Allow-Origin",
                           std::string(cors_.gateway_allow_origin()));
            out.set_header("Access-Control-Allow-Headers", std::string(kCorsAllowHeaders));
        }
        // {"message":$context.error.messageString}: the message as a JSON string.
        out.body = spec.spaced ? R"({"message": ")" : R"({"message":")";
        for (char c : x.error_message) {
            if (c == '"' || c == '\\') out.body += '\\';
            if (static_cast<unsigned char>(c) < 0x20) {
                out.body += ' ';
                continue;
            }
            out.body += c;
        }
        out.body += "\"}";
        return out;
    }

    void finish(const HttpRequest& req, const Exchange& x, const HttpResponse& out,
                int64_t latency_us) {
        metrics_.record(req.method, x.route.resource_path, out.status, latency_us,
                        x.integration_us);
        if (!access_log_ && !options_.access_log_sink) return;
        AccessLogEntry e;
        e.request_id = x.request_id;
        e.extended_request_id = x.extended_id;
        e.source_ip = req.remote_address;
        e.request_time_ms = x.now_ms;
        e.http_method = req.method;
        e.resource_path = x.route.resource_path;
        e.path = req.path();
        e.stage = x.stage;
        e.status = out.status;
        e.response_length = out.body.size();
        e.response_latency_ms = latency_us / 1000;
        e.integration_latency_ms = x.integration_us < 0 ? -1 : x.integration_us / 1000;
        e.integration_status = x.integration_status;
        e.integration_error = x.integration_error;
        e.error_message = x.error_type.empty() ? std::string_view{} : x.error_message;
        e.error_response_type = x.error_type;
        e.user_agent = req.header("User-Agent");
        e.api_key_id = x.api_key_id;
        e.api_id = api_id_;
        e.domain_name = req.header("Host");
        e.endpoint_request_id = x.endpoint_request_id;
        auto line = format_access_log(e);
        if (access_log_) access_log_->write(line);
        if (options_.access_log_sink) {
            std::string_view text(line);
            if (text.ends_with('\n')) text.remove_suffix(1);
            options_.access_log_sink(x.now_ms, text);
        }
    }

    const Clock& clock_;
    FrontDoorOptions options_;
    std::string stage_;
    std::string api_id_;
    bool key_required_;
    IntegrationResponses integration_responses_;
    bool unmapped_passthrough_;
    bool gateway_response_cors_;
    CorsPolicy cors_;
    std::shared_ptr<kinesis::InProcessApi> kinesis_;
    TokenBucket stage_bucket_;
    std::unique_ptr<TokenBucket> account_bucket_;
    std::map<std::string, std::unique_ptr<TokenBucket>, std::less<>> method_buckets_;
    std::map<std::string, std::string, std::less<>> streams_;
    std::map<std::string, KeyState, std::less<>> keys_;
    std::unique_ptr<AccessLog> access_log_;
    Metrics metrics_;
};

}  // namespace

std::shared_ptr<FrontDoor> make_front_door(kinesis::Store& store, const Clock& clock,
                                           const Config& config, FrontDoorOptions options) {
    return std::make_shared<FrontDoorImpl>(store, clock, config, std::move(options));
}

}  // namespace kemu::apigw
