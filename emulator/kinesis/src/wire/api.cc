// Request pipeline in AWS's order (docs/aws/kinesis.md, Wire protocol): CORS, method, empty body,
// content type, parse, target, authentication, member types, constraints, action.

#include "kinesis/api.h"

#include <algorithm>
#include <cctype>

#include <boost/json.hpp>

#include "../errors.h"
#include "actions.h"
#include "cbor.h"
#include "core/encoding.h"
#include "core/log.h"
#include "rules.h"
#include "subscribe.h"
#include "validate.h"

namespace kemu::kinesis {
namespace {

namespace json = boost::json;
using wire::Context;

constexpr std::string_view kJson11 = "application/x-amz-json-1.1";
constexpr std::string_view kCbor11 = "application/x-amz-cbor-1.1";
constexpr std::string_view kCoralJson = "application/json";
constexpr std::string_view kService = "Kinesis_20131202";

enum class Encoding { kJson, kCbor, kCoral, kInvalid };

// The `__type` of an error the pipeline answers before any action runs.
std::string_view shape(AwsErrorCode code) {
    return aws_error_shape(code);
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front())))
        s.remove_prefix(1);
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back())))
        s.remove_suffix(1);
    return s;
}

Encoding encoding_of(std::string_view content_type) {
    auto semi = content_type.find(';');
    auto t = trim(content_type.substr(0, semi));
    if (t == kJson11) return Encoding::kJson;
    if (t == kCbor11) return Encoding::kCbor;
    if (t == kCoralJson) return Encoding::kCoral;
    return Encoding::kInvalid;
}

class Responder {
public:
    Responder(const HttpRequest& req, Encoding enc) : enc_(enc) {
        out_.headers.reserve(6);
        out_.set_header("x-amzn-RequestId", uuid_v4());
        out_.set_header("x-amz-id-2", base64_encode(random_bytes(72)));
        if (req.has_header("Origin")) {
            out_.set_header("Access-Control-Allow-Origin", "*");
            out_.set_header("Access-Control-Expose-Headers",
                            "x-amzn-RequestId,x-amzn-ErrorType,x-amz-request-id,x-amz-id-2,"
                            "x-amzn-ErrorMessage,Date");
        }
    }

    // JSON text in, rendered in the request's encoding.
    HttpResponse body(int status, std::string json_text) {
        out_.status = status;
        if (enc_ == Encoding::kJson) {
            out_.set_header("Content-Type", std::string(kJson11));
            out_.body = std::move(json_text);
        } else {
            out_.set_header("Content-Type", std::string(kCbor11));
            out_.body = wire::json_to_cbor(json_text);
        }
        return std::move(out_);
    }
    // AWS: 200 with an event stream body and no Content-Length (docs/aws/kinesis.md,
    // SubscribeToShard).
    HttpResponse event_stream(std::shared_ptr<BodySource> source) {
        out_.status = 200;
        out_.set_header("Content-Type", "application/vnd.amazon.eventstream");
        out_.stream = std::move(source);
        return std::move(out_);
    }
    HttpResponse empty_ok() {
        out_.status = 200;
        out_.set_header("Content-Type", std::string(enc_ == Encoding::kJson ? kJson11 : kCbor11));
        return std::move(out_);
    }
    HttpResponse error(std::string_view type, std::string_view message = {},
                       const char* message_key = "message", int status = 400) {
        std::string j = "{\"__type\":";
        append_json_string(j, type);
        if (!message.empty()) {
            j += ",\"";
            j += message_key;
            j += "\":";
            append_json_string(j, message);
        }
        j += "}";
        return body(status, std::move(j));
    }
    HttpResponse error(const AwsError& e) {
        return error(e.shape(), e.message, "message", e.http_status());
    }
    HttpResponse xml(int status, std::string_view type, std::string_view message) {
        out_.status = status;
        // Appends, not operator+ chains: GCC 12 at -O3 reports a false -Wrestrict on those.
        std::string& b = out_.body;
        b = "<";
        b += type;
        if (message.empty()) {
            b += "/>\n";
        } else {
            b += ">\n  <Message>";
            b += message;
            b += "</Message>\n</";
            b += type;
            b += ">\n";
        }
        return std::move(out_);
    }
    HttpResponse raw(int status, std::string content_type, std::string body_text) {
        out_.status = status;
        out_.set_header("Content-Type", std::move(content_type));
        out_.body = std::move(body_text);
        return std::move(out_);
    }

private:
    Encoding enc_;
    HttpResponse out_;
};

std::vector<std::pair<std::string_view, std::string_view>> query_params(std::string_view q) {
    std::vector<std::pair<std::string_view, std::string_view>> out;
    while (!q.empty()) {
        auto amp = q.find('&');
        auto part = q.substr(0, amp);
        auto eq = part.find('=');
        out.push_back({part.substr(0, eq),
                       eq == std::string_view::npos ? std::string_view{} : part.substr(eq + 1)});
        if (amp == std::string_view::npos) break;
        q.remove_prefix(amp + 1);
    }
    return out;
}

using Identity = Caller;

// AWS's structural pre-authentication checks; signatures are not verified.
std::optional<AwsError> check_auth(const HttpRequest& req, const ApiOptions& opt, Identity* id) {
    auto params = query_params(req.query());
    auto param = [&](std::string_view name) -> std::optional<std::string_view> {
        for (auto& [k, v] : params) {
            if (k == name) return v;
        }
        return std::nullopt;
    };
    bool has_header = req.has_header("Authorization");
    bool has_query = param("X-Amz-Algorithm").has_value();
    std::string_view credential;
    if (has_header && has_query) return errors::signature_twice();
    if (!has_header && !has_query) return errors::missing_authentication_token();
    if (has_header) {
        std::string_view auth = req.header("Authorization");
        bool cred = false, sig = false, signed_headers = false;
        std::string_view rest = auth;
        while (!rest.empty()) {
            size_t sep = 0;  // the next ',' or ' ' (find_first_of was most of this function)
            while (sep < rest.size() && rest[sep] != ',' && rest[sep] != ' ')
                ++sep;
            if (sep == rest.size()) sep = std::string_view::npos;
            auto tok = rest.substr(0, sep);
            if (tok.starts_with("Credential=")) {
                cred = true;
                credential = tok.substr(11);
            }
            sig = sig || tok.starts_with("Signature=");
            signed_headers = signed_headers || tok.starts_with("SignedHeaders=");
            if (sep == std::string_view::npos) break;
            rest.remove_prefix(sep + 1);
        }
        bool date = req.has_header("X-Amz-Date") || req.has_header("Date");
        if (!cred || !sig || !signed_headers || !date) {
            return errors::incomplete_authorization_header(cred, sig, signed_headers, date, auth);
        }
    } else {
        std::vector<std::string_view> missing;
        for (std::string_view p : {"X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Signature",
                                   "X-Amz-SignedHeaders", "X-Amz-Date"}) {
            auto v = param(p);
            if (!v || v->empty()) missing.push_back(p);
        }
        if (!missing.empty()) return errors::incomplete_query_signature(missing);
        credential = *param("X-Amz-Credential");
    }
    // Credential = AKID/date/region/service/aws4_request (the query form is %2F-encoded).
    std::string decoded;
    if (credential.find("%2F") != std::string_view::npos) {
        decoded = credential;
        for (size_t p; (p = decoded.find("%2F")) != std::string::npos;)
            decoded.replace(p, 3, "/");
        credential = decoded;
    }
    // The access key id and the region: the first and third parts.
    std::string_view akid = credential.substr(0, credential.find('/'));
    std::string_view region;
    if (auto first = credential.find('/'); first != std::string_view::npos) {
        auto second = credential.find('/', first + 1);
        if (second != std::string_view::npos) {
            region = credential.substr(second + 1);
            region = region.substr(0, region.find('/'));
        }
    }
    bool twelve_digits = akid.size() == 12 && std::all_of(akid.begin(), akid.end(), ::isdigit);
    id->account = twelve_digits ? std::string(akid) : opt.default_account;
    id->region = !region.empty() ? std::string(region) : opt.default_region;
    return std::nullopt;
}

class KinesisHandler final : public RequestHandler, public InProcessApi {
public:
    KinesisHandler(Store& store, const Clock& clock, ApiOptions options)
        : store_(store),
          clock_(clock),
          options_(std::move(options)),
          hub_(store, clock, {.heartbeat_ms = options_.subscribe_heartbeat_ms}) {}

    bool matches(const HttpRequest&) const override { return true; }

    void handle(const HttpRequest& req, Respond respond) override { respond(serve(req, nullptr)); }
    HttpResponse call(const Caller& caller, const HttpRequest& req) override {
        return serve(req, &caller);
    }

    // Kinesis's own 500, in the request's encoding (JSON 1.1 or CBOR).
    HttpResponse internal_error(const HttpRequest& req) const override {
        Encoding enc = encoding_of(req.header("Content-Type"));
        Responder r(req, enc == Encoding::kJson ? Encoding::kJson : Encoding::kCbor);
        return r.error(errors::internal_failure());
    }

private:
    // `caller`: who an in-process request acts for; null = read it from the signature.
    HttpResponse serve(const HttpRequest& req, const Caller* caller) {
        std::string_view target = req.header("X-Amz-Target");
        auto dot = target.find('.');
        std::string_view service = target.substr(0, dot);
        std::string_view action =
            dot == std::string_view::npos ? std::string_view{} : target.substr(dot + 1);
        Encoding enc = encoding_of(req.header("Content-Type"));
        Encoding reply = enc == Encoding::kJson ? Encoding::kJson : Encoding::kCbor;
        Responder r(req, reply);

        if (req.method == "OPTIONS" && req.has_header("Origin")) return preflight(req);
        if (req.method != "POST") {
            return r.xml(403, shape(AwsErrorCode::kAccessDenied), errors::kUnknownServiceOperation);
        }
        const wire::Rules* rules = service == kService ? wire::rules_for(action) : nullptr;
        if (req.body.empty()) {
            return r.error(
                shape(rules ? AwsErrorCode::kSerialization : AwsErrorCode::kUnknownOperation));
        }
        if (enc == Encoding::kInvalid) {
            if (service.empty() || action.empty()) {
                return r.xml(403, shape(AwsErrorCode::kAccessDenied),
                             errors::kUnknownServiceOperation);
            }
            return r.xml(404, shape(AwsErrorCode::kUnknownOperation), "");
        }
        json::value parsed;
        if (enc == Encoding::kCbor) {
            auto v = wire::cbor_to_json(req.body);
            if (v) parsed = std::move(*v);
        } else {
            json::error_code ec;
            parsed = json::parse(req.body, ec);
            if (ec) parsed = nullptr;
        }
        if (!parsed.is_object()) {
            if (enc == Encoding::kCoral) {
                return r.raw(
                    400, "application/json",
                    R"({"Output":{"__type":"com.amazon.coral.service#SerializationException"},"Version":"1.0"})");
            }
            return r.error(shape(AwsErrorCode::kSerialization));
        }
        if (enc == Encoding::kCoral) {
            return r.raw(
                404, "application/json",
                R"({"Output":{"__type":"com.amazon.coral.service#UnknownOperationException"},"Version":"1.0"})");
        }
        if (!rules) return r.error(shape(AwsErrorCode::kUnknownOperation));
        Identity id = caller ? *caller : Identity{};
        auto err = caller ? std::nullopt : check_auth(req, options_, &id);
        if (err) return r.error(*err);

        auto& body = parsed.as_object();
        if (auto msg = wire::check_types(body, *rules)) {
            return r.error(shape(AwsErrorCode::kSerialization), *msg, "Message");
        }
        if (auto msg = wire::check_constraints(body, *rules)) {
            return r.error(shape(AwsErrorCode::kValidation), *msg);
        }
        Context ctx{store_, clock_, id.account, id.region, &hub_};
        if (action == "SubscribeToShard") {
            auto body_source = wire::subscribe_to_shard(ctx, body, enc == Encoding::kCbor);
            if (!body_source) return r.error(body_source.error());
            return r.event_stream(std::move(*body_source));
        }
        auto fn = wire::action_for(action);
        if (!fn) return r.error(shape(AwsErrorCode::kUnknownOperation));
        auto out = fn(ctx, body);
        if (!out) {
            if (out.error().code == AwsErrorCode::kInternalFailure &&
                !out.error().message.empty()) {  // AWS's bare 500s answer client input
                log_warn("kinesis", std::string(action) + ": " + out.error().message);
            }
            return r.error(out.error());
        }
        if (out->empty_body) return r.empty_ok();
        return r.body(200, std::move(out->json));
    }

    HttpResponse preflight(const HttpRequest& req) {
        HttpResponse out;
        out.status = 200;
        out.set_header("x-amzn-RequestId", uuid_v4());
        out.set_header("Access-Control-Allow-Origin", "*");
        if (auto h = req.header("Access-Control-Request-Headers"); !h.empty()) {
            out.set_header("Access-Control-Allow-Headers", std::string(h));
        }
        if (auto m = req.header("Access-Control-Request-Method"); !m.empty()) {
            out.set_header("Access-Control-Allow-Methods", std::string(m));
        }
        out.set_header("Access-Control-Max-Age", "172800");
        return out;
    }

    Store& store_;
    const Clock& clock_;
    ApiOptions options_;
    wire::SubscriptionHub hub_;
};

}  // namespace

std::shared_ptr<RequestHandler> make_api_handler(Store& store, const Clock& clock,
                                                 ApiOptions options) {
    return std::make_shared<KinesisHandler>(store, clock, std::move(options));
}

std::shared_ptr<InProcessApi> make_in_process_api(Store& store, const Clock& clock) {
    return std::make_shared<KinesisHandler>(store, clock, ApiOptions{});
}

}  // namespace kemu::kinesis
