#pragma once
// Who may reach kemu: the checks every request passes before an adapter sees it.
//
// 1. Host: a loopback address, `localhost`, a `*.localhost` name, the address kemu listens on,
//    or a name given with --allow-host. Anything else (a DNS-rebinding page) gets 403.
// 2. Origin: a request that carries one is served only when it is allowed: for the AWS APIs and
//    kemu's own endpoints, kemu's own origin (http://HOST:PORT) and --allow-origin URLs; for the
//    API Gateway front door, the stage's cors_allowed_origins. Else 403. Preflights echo the
//    allowed origin, never `*`.
// 3. Credentials (AWS APIs only): SigV4 in AWS's shape (Authorization header or presigned
//    query), else AWS's MissingAuthenticationToken for the protocol; with verify_signatures,
//    the signature itself (core/sigv4.h) against the configured keys.
// kemu's own endpoints (/_kemu/...) carry no credentials: its CLI and tests call them; they
// are host- and origin-checked only. The front door follows the emulated API (API keys).
//
// A refused request never reaches the adapter, so it has no effect.

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/http.h"

namespace kemu {

struct AccessPolicy {
    std::string listen_host = "127.0.0.1";
    std::vector<std::string> allowed_hosts;    // --allow-host
    std::vector<std::string> allowed_origins;  // --allow-origin, kemu.yaml's allow_origins
    bool verify_signatures = false;
    std::map<std::string, std::string> keys;  // access key id -> secret
};

// KEMU_ACCESS_KEYS: "id:secret" pairs separated by commas or spaces; empty: test/test.
// Returns an error line for a malformed value.
std::string parse_access_keys(const char* value, std::map<std::string, std::string>* out);

// Which kind of API a handler serves, and how its errors look.
struct GuardedApi {
    enum Kind { kAws, kFrontDoor, kInternal };
    Kind kind = kAws;
    // kAws: the signing name ("kinesis", "sqs", "monitoring", "lambda"); "kinesis" checks the
    // presence of credentials itself, after its content checks, as AWS orders them.
    std::string service;
    std::string query_namespace;                  // query protocol's xmlns (SQS, CloudWatch)
    std::vector<std::string> front_door_origins;  // kFrontDoor: cors_allowed_origins
};

class AccessGuard {
public:
    AccessGuard(AccessPolicy policy, const Clock& clock);

    void set_port(uint16_t port) { port_ = port; }  // after listen: kemu's own origin

    bool host_allowed(std::string_view host_header) const;
    bool origin_allowed(std::string_view origin, const GuardedApi& api) const;

    // nullopt: serve the request (`*decoded_body` set when an aws-chunked body was decoded);
    // else the answer that refuses it.
    std::optional<HttpResponse> check(const HttpRequest& req, const GuardedApi& api,
                                      std::optional<std::string>* decoded_body) const;

    const AccessPolicy& policy() const { return policy_; }

private:
    bool own_origin(std::string_view origin) const;

    AccessPolicy policy_;
    const Clock& clock_;
    std::atomic<uint16_t> port_{0};
};

// `inner` behind the guard: refused requests get the guard's answer; allowed origins get
// Access-Control-Allow-Origin echoed (an adapter's `*` becomes the origin).
std::shared_ptr<RequestHandler> guarded(std::shared_ptr<RequestHandler> inner,
                                        std::shared_ptr<const AccessGuard> guard, GuardedApi api);

// True for 127.0.0.0/8, ::1, "localhost" and "*.localhost".
bool loopback_host(std::string_view host);

}  // namespace kemu
