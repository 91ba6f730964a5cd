#include "core/access_guard.h"

#include <algorithm>
#include <cctype>

#include <boost/asio/ip/address.hpp>

#include "core/encoding.h"
#include "core/sigv4.h"

namespace kemu {
namespace {

std::string lower(std::string_view s) {
    std::string out(s);
    for (auto& c : out)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

// The host of a Host header or URL authority, without port or IPv6 brackets.
std::string host_only(std::string_view authority) {
    if (authority.starts_with("[")) {
        auto close = authority.find(']');
        return lower(authority.substr(1, close == std::string_view::npos ? close : close - 1));
    }
    auto colon = authority.find(':');
    if (colon != std::string_view::npos && authority.find(':', colon + 1) != std::string_view::npos)
        return lower(authority);  // a bare IPv6 address
    return lower(authority.substr(0, colon));
}

bool ip_literal(std::string_view host) {
    boost::system::error_code ec;
    (void)boost::asio::ip::make_address(std::string(host), ec);
    return !ec;
}

bool wildcard(std::string_view host) {
    return host.empty() || host == "0.0.0.0" || host == "::";
}

std::string strip_slash(std::string_view s) {
    while (s.size() > 1 && s.back() == '/')
        s.remove_suffix(1);
    return std::string(s);
}

HttpResponse refuse(std::string message) {
    HttpResponse r;
    r.status = 403;
    r.set_header("Content-Type", "application/json");
    r.body = R"({"message":)";
    append_json_string(r.body, message);
    r.body += "}";
    return r;
}

// How AWS answers each credential problem. The query protocol (SQS, CloudWatch) and the JSON
// protocols that carry its codes (x-amzn-query-error) use the query code and status; JSON 1.1
// services (Kinesis, Logs) answer 400 with the exception shape; REST APIs (Lambda) answer 403.
struct AuthError {
    std::string_view query_code;
    int query_status;
    std::string_view shape;
    int json11_status;
    int rest_status;
};

AuthError auth_error(sigv4::Outcome o) {
    using sigv4::Outcome;
    switch (o) {
        case Outcome::kIncomplete:
            return {"IncompleteSignature", 400, "IncompleteSignatureException", 400, 400};
        case Outcome::kUnknownKey:
            return {"InvalidClientTokenId", 403, "UnrecognizedClientException", 400, 403};
        case Outcome::kPresignExpired:
            return {"RequestExpired", 400, "InvalidSignatureException", 400, 403};
        case Outcome::kOk:  // not an error; the missing-token row stands in
            return {"MissingAuthenticationToken", 403, "MissingAuthenticationTokenException", 400,
                    403};
        default:
            return {"SignatureDoesNotMatch", 403, "InvalidSignatureException", 400, 403};
    }
}

void cbor_text(std::string& out, std::string_view s) {
    if (s.size() < 24) {
        out.push_back(static_cast<char>(0x60 | s.size()));
    } else if (s.size() < 256) {
        out.push_back(static_cast<char>(0x78));
        out.push_back(static_cast<char>(s.size()));
    } else {
        out.push_back(static_cast<char>(0x79));
        out.push_back(static_cast<char>((s.size() >> 8) & 0xff));
        out.push_back(static_cast<char>(s.size() & 0xff));
    }
    out.append(s);
}

std::string cbor_error(std::string_view type, std::string_view message) {
    std::string out(1, static_cast<char>(0xa2));
    cbor_text(out, "__type");
    cbor_text(out, type);
    cbor_text(out, "message");
    cbor_text(out, message.substr(0, 65535));
    return out;
}

std::string json_error(std::string_view type, std::string_view message) {
    std::string out = R"({"__type":)";
    append_json_string(out, type);
    out += R"(,"message":)";
    append_json_string(out, message);
    out += "}";
    return out;
}

// The credential error `o` (missing token when kOk) in the request's protocol.
HttpResponse render(sigv4::Outcome o, std::string message, const HttpRequest& req,
                    const GuardedApi& api) {
    auto e = auth_error(o);
    bool missing = o == sigv4::Outcome::kOk;
    std::string ctype(req.header("Content-Type"));
    HttpResponse r;
    std::string rid = uuid_v4();
    r.set_header("x-amzn-RequestId", rid);
    bool query = ctype.starts_with("application/x-www-form-urlencoded") ||
                 (ctype.empty() && req.query().find("Action=") != std::string_view::npos);
    if (api.service == "lambda" || req.path().starts_with("/2015-03-31/")) {
        r.status = e.rest_status;
        r.set_header("x-amzn-ErrorType", std::string(e.shape));
        r.set_header("Content-Type", "application/json");
        if (missing) message = "Missing Authentication Token";
        r.body = R"({"message":)";
        append_json_string(r.body, message);
        r.body += "}";
    } else if (query || (ctype.empty() && api.service != "kinesis")) {
        r.status = e.query_status;
        r.set_header("Content-Type", "text/xml");
        if (missing) message = "Request is missing Authentication Token";
        r.body = R"(<?xml version="1.0"?><ErrorResponse xmlns=")" + api.query_namespace +
                 R"("><Error><Type>Sender</Type><Code>)" + std::string(e.query_code) +
                 "</Code><Message>";
        xml_escape(message, r.body);
        r.body += "</Message><Detail/></Error><RequestId>" + rid + "</RequestId></ErrorResponse>";
    } else if (api.service == "kinesis" || ctype.starts_with("application/x-amz-json-1.1") ||
               ctype.starts_with("application/x-amz-cbor-1.1")) {
        if (missing) message = "Missing Authentication Token";
        r.status = e.json11_status;
        bool cbor = ctype.starts_with("application/x-amz-cbor-1.1") ||
                    (api.service == "kinesis" && !ctype.starts_with("application/x-amz-json"));
        r.set_header("Content-Type", cbor ? "application/x-amz-cbor-1.1" : ctype);
        r.body = cbor ? cbor_error(e.shape, message) : json_error(e.shape, message);
    } else {
        // JSON 1.0 and RPC v2 CBOR of the query-compatible services (SQS, CloudWatch).
        if (missing) message = "Missing Authentication Token";
        r.status = e.query_status;
        std::string type = "com.amazon.coral.service#" + std::string(e.shape);
        r.set_header("x-amzn-query-error", std::string(e.query_code) + ";Sender");
        if (req.has_header("smithy-protocol")) {
            r.set_header("smithy-protocol", "rpc-v2-cbor");
            r.set_header("Content-Type", "application/cbor");
            r.body = cbor_error(type, message);
        } else {
            r.set_header("Content-Type", "application/x-amz-json-1.0");
            r.body = json_error(type, message);
        }
    }
    return r;
}

class GuardedHandler final : public RequestHandler {
public:
    GuardedHandler(std::shared_ptr<RequestHandler> inner, std::shared_ptr<const AccessGuard> guard,
                   GuardedApi api)
        : inner_(std::move(inner)), guard_(std::move(guard)), api_(std::move(api)) {}

    bool matches(const HttpRequest& req) const override { return inner_->matches(req); }

    void handle(const HttpRequest& req, Respond respond) override {
        std::optional<std::string> decoded;
        if (auto refusal = guard_->check(req, api_, &decoded)) return respond(std::move(*refusal));
        std::string origin(req.header("Origin"));
        if (!origin.empty() && api_.kind != GuardedApi::kFrontDoor) {
            respond = [origin, aws = api_.kind == GuardedApi::kAws,
                       respond = std::move(respond)](HttpResponse r) {
                bool had = false;
                for (auto& h : r.headers) {
                    if (!iequals(h.name, "Access-Control-Allow-Origin")) continue;
                    h.value = origin;
                    had = true;
                }
                if (!had && aws) {
                    r.set_header("Access-Control-Allow-Origin", origin);
                    r.set_header("Access-Control-Expose-Headers",
                                 "x-amzn-RequestId,x-amzn-ErrorType,x-amzn-query-error,Date");
                }
                if (had || aws) r.set_header("Vary", "Origin");
                respond(std::move(r));
            };
        }
        if (!decoded) return inner_->handle(req, std::move(respond));
        HttpRequest copy = req;
        copy.body = std::move(*decoded);
        inner_->handle(copy, std::move(respond));
    }

    HttpResponse internal_error(const HttpRequest& req) const override {
        return inner_->internal_error(req);
    }

private:
    std::shared_ptr<RequestHandler> inner_;
    std::shared_ptr<const AccessGuard> guard_;
    GuardedApi api_;
};

}  // namespace

bool loopback_host(std::string_view host) {
    std::string h = host_only(host);
    if (h == "localhost" || h.ends_with(".localhost") || h == "::1") return true;
    if (h == "127.0.0.1") return true;  // the usual case, without parsing an address
    boost::system::error_code ec;
    auto addr = boost::asio::ip::make_address(h, ec);
    return !ec && addr.is_loopback();
}

std::string parse_access_keys(const char* value, std::map<std::string, std::string>* out) {
    out->clear();
    std::string v = value ? value : "";
    for (auto& c : v) {
        if (c == ',' || c == '\n' || c == '\t') c = ' ';
    }
    size_t start = 0;
    while (start < v.size()) {
        auto end = v.find(' ', start);
        auto pair = v.substr(start, end == std::string::npos ? end : end - start);
        start = end == std::string::npos ? v.size() : end + 1;
        if (pair.empty()) continue;
        auto colon = pair.find(':');
        if (colon == std::string::npos || colon == 0 || colon + 1 == pair.size())
            return "KEMU_ACCESS_KEYS: each entry is ACCESS_KEY_ID:SECRET (got an entry without a "
                   "colon or with an empty part)";
        (*out)[pair.substr(0, colon)] = pair.substr(colon + 1);
    }
    if (out->empty()) (*out)["test"] = "test";
    return "";
}

AccessGuard::AccessGuard(AccessPolicy policy, const Clock& clock)
    : policy_(std::move(policy)), clock_(clock) {
    for (auto& h : policy_.allowed_hosts)
        h = host_only(h);
    for (auto& o : policy_.allowed_origins)
        o = strip_slash(o);
}

bool AccessGuard::host_allowed(std::string_view host_header) const {
    if (host_header.empty()) return true;  // HTTP/1.0 clients; browsers always send one
    std::string host = host_only(host_header);
    if (loopback_host(host)) return true;
    std::string listen = host_only(policy_.listen_host);
    if (host == listen) return true;
    // Listening on every address: an IP literal cannot be a rebound name.
    if (wildcard(listen) && ip_literal(host)) return true;
    return std::find(policy_.allowed_hosts.begin(), policy_.allowed_hosts.end(), host) !=
           policy_.allowed_hosts.end();
}

bool AccessGuard::own_origin(std::string_view origin) const {
    if (!origin.starts_with("http://")) return false;
    auto authority = origin.substr(7);
    if (authority.find('/') != std::string_view::npos) return false;
    auto colon = authority.rfind(':');
    if (colon == std::string_view::npos ||
        authority.substr(colon).find(']') != std::string_view::npos)
        return false;
    if (authority.substr(colon + 1) != std::to_string(port_.load())) return false;
    return host_allowed(authority);
}

bool AccessGuard::origin_allowed(std::string_view origin, const GuardedApi& api) const {
    std::string o = strip_slash(origin);
    if (api.kind == GuardedApi::kFrontDoor) {
        for (const auto& allowed : api.front_door_origins) {
            if (allowed == "*" || strip_slash(allowed) == o) return true;
        }
        return false;
    }
    if (own_origin(o)) return true;
    return std::find(policy_.allowed_origins.begin(), policy_.allowed_origins.end(), o) !=
           policy_.allowed_origins.end();
}

std::optional<HttpResponse> AccessGuard::check(const HttpRequest& req, const GuardedApi& api,
                                               std::optional<std::string>* decoded_body) const {
    auto host = req.header("Host");
    if (!host_allowed(host)) {
        return refuse("kemu does not answer requests for host '" + std::string(host) +
                      "': it answers loopback addresses, localhost, *.localhost and the address "
                      "it listens on (kemu up --allow-host NAME adds a name)");
    }
    if (req.has_header("Origin")) {
        auto origin = req.header("Origin");
        if (!origin_allowed(origin, api)) {
            return refuse("kemu does not serve pages from origin '" + std::string(origin) +
                          "' here" +
                          (api.kind == GuardedApi::kFrontDoor
                               ? std::string(" (the stage's cors_allowed_origins in kemu.yaml "
                                             "lists the allowed origins)")
                               : std::string(" (kemu up --allow-origin URL adds one)")));
        }
    }
    if (api.kind != GuardedApi::kAws) return std::nullopt;
    if (req.method == "OPTIONS" && req.has_header("Origin")) return std::nullopt;  // preflight
    // Kinesis answers missing and malformed credentials itself, after its content checks.
    bool adapter_checks = api.service == "kinesis";
    if (!sigv4::has_credentials(req)) {
        if (adapter_checks) return std::nullopt;
        return render(sigv4::Outcome::kOk, "", req, api);
    }
    bool chunked = req.header("X-Amz-Content-Sha256") == "STREAMING-AWS4-HMAC-SHA256-PAYLOAD";
    if (!policy_.verify_signatures) {
        if (chunked) {
            std::string why;
            auto s = sigv4::parse(req, &why);
            auto body =
                s ? sigv4::decode_chunked(req.body, {}, s->amz_date, s->scope(), s->signature)
                  : std::nullopt;
            if (body) *decoded_body = std::move(*body);
        }
        if (!adapter_checks) {
            std::string why;
            if (!sigv4::parse(req, &why)) return render(sigv4::Outcome::kIncomplete, why, req, api);
        }
        return std::nullopt;
    }
    auto verdict = sigv4::verify(
        req,
        [this](std::string_view id) -> std::optional<std::string> {
            auto it = policy_.keys.find(std::string(id));
            if (it == policy_.keys.end()) return std::nullopt;
            return it->second;
        },
        clock_.now_ms());
    if (verdict.outcome == sigv4::Outcome::kOk) {
        if (verdict.decoded) *decoded_body = std::move(verdict.body);
        return std::nullopt;
    }
    if (verdict.outcome == sigv4::Outcome::kIncomplete && adapter_checks) return std::nullopt;
    return render(verdict.outcome, verdict.message, req, api);
}

std::shared_ptr<RequestHandler> guarded(std::shared_ptr<RequestHandler> inner,
                                        std::shared_ptr<const AccessGuard> guard, GuardedApi api) {
    return std::make_shared<GuardedHandler>(std::move(inner), std::move(guard), std::move(api));
}

}  // namespace kemu
