#pragma once
// CORS as the module configures a REST API (docs/aws/apigw.md, CORS): no CORS engine, only the
// headers mapped on each response. `cors_allowed_origins` of ["*"] or one origin is a static value;
// several origins use the echo pattern (the request's Origin when listed, plus `Vary: Origin`).

#include <string>
#include <string_view>
#include <vector>

namespace kemu::apigw {

// The console's default list, which the module maps on the preflight and gateway responses.
inline constexpr std::string_view kCorsAllowHeaders =
    "Content-Type,X-Amz-Date,Authorization,X-Api-Key,X-Amz-Security-Token";
inline constexpr std::string_view kCorsAllowMethods = "OPTIONS,POST";

class CorsPolicy {
public:
    explicit CorsPolicy(std::vector<std::string> origins) : origins_(std::move(origins)) {}

    bool enabled() const { return !origins_.empty(); }
    bool echoes() const { return origins_.size() > 1; }

    // Access-Control-Allow-Origin for a method response (preflight, 200/400/500), or empty for
    // none: static for one origin or "*"; with several, the request's Origin when listed.
    std::string_view allow_origin(std::string_view request_origin) const;

    // Gateway responses take static values only [I]: "*", the one origin, or with several
    // origins the first one (kemu's choice, documented).
    std::string_view gateway_allow_origin() const;

private:
    std::vector<std::string> origins_;
};

}  // namespace kemu::apigw
