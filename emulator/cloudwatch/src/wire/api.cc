// The CloudWatch and CloudWatch Logs RequestHandler: picks the protocol from the request and
// hands it to logs.cc, query.cc or cbor_protocol.cc.

#include "cloudwatch/api.h"

#include "logs.h"
#include "monitoring.h"

namespace kemu::cloudwatch {
namespace {

constexpr std::string_view kLogsPrefix = "Logs_20140328.";

// The service in a SigV4 Authorization header's credential scope:
// "AWS4-HMAC-SHA256 Credential=AKID/20261206/us-east-1/monitoring/aws4_request, ...".
std::string_view signed_service(const HttpRequest& req) {
    auto auth = req.header("Authorization");
    auto at = auth.find("Credential=");
    if (at == std::string_view::npos) return {};
    auto scope = auth.substr(at + 11);
    scope = scope.substr(0, scope.find_first_of(", "));
    // AKID / date / region / service / aws4_request
    auto end = scope.rfind('/');
    if (end == std::string_view::npos) return {};
    auto start = scope.rfind('/', end - 1);
    if (start == std::string_view::npos) return {};
    return scope.substr(start + 1, end - start - 1);
}

class Api final : public RequestHandler {
public:
    Api(CloudWatch& cw, const Clock& clock, ApiOptions options)
        : cw_(cw), clock_(clock), options_(std::move(options)) {
        if (!options_.started_ms) options_.started_ms = clock.now_ms();
    }

    bool matches(const HttpRequest& req) const override { return is_cloudwatch_request(req); }

    HttpResponse internal_error(const HttpRequest& req) const override {
        wire::ApiError e{"InternalFailure", 500,
                         "The request processing has failed because of an unknown error, "
                         "exception or failure.",
                         false};
        if (req.header("X-Amz-Target").starts_with(kLogsPrefix)) {
            HttpResponse r;
            r.status = 500;
            r.set_header("Content-Type", "application/x-amz-json-1.1");
            r.body = wire::ojson{{"__type", e.code}, {"message", e.message}}.dump();
            return r;
        }
        return wire::monitoring_error(req, e);
    }

    void handle(const HttpRequest& req, Respond respond) override {
        auto target = req.header("X-Amz-Target");
        if (target.starts_with(kLogsPrefix)) {
            respond(wire::handle_logs(cw_.logs(), options_, target.substr(kLogsPrefix.size()),
                                      req.body));
            return;
        }
        respond(wire::handle_monitoring(cw_, clock_, options_, req));
    }

private:
    CloudWatch& cw_;
    const Clock& clock_;
    ApiOptions options_;
};

}  // namespace

bool is_cloudwatch_request(const HttpRequest& req) {
    if (req.header("X-Amz-Target").starts_with(kLogsPrefix)) return true;
    if (req.path().starts_with(wire::kCborPathPrefix)) return true;
    if (req.header("X-Amz-Target").starts_with(wire::kJsonTargetPrefix)) return true;
    if (!req.header("X-Amz-Target").empty()) return false;
    return req.method == "POST" && signed_service(req) == "monitoring";
}

std::shared_ptr<RequestHandler> make_api_handler(CloudWatch& cw, const Clock& clock,
                                                 ApiOptions options) {
    return std::make_shared<Api>(cw, clock, std::move(options));
}

}  // namespace kemu::cloudwatch
