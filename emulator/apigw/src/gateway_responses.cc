#include "gateway_responses.h"

namespace kemu::apigw {
namespace {

// Rows marked [U] are kemu's choices where AWS does not say (docs/aws/apigw.md, Gateway
// responses).
constexpr GatewayResponseSpec kSpecs[] = {
    {"MISSING_AUTHENTICATION_TOKEN", 403, "Missing Authentication Token",
     "MissingAuthenticationTokenException", false},
    {"INVALID_API_KEY", 403, "Forbidden", "ForbiddenException", false},
    {"THROTTLED", 429, "Too Many Requests", "TooManyRequestsException", false},
    {"QUOTA_EXCEEDED", 429, "Limit Exceeded", "LimitExceededException", false},
    {"REQUEST_TOO_LARGE", 413, "Request Too Long", "RequestTooLongException", false},  // [U]
    {"UNSUPPORTED_MEDIA_TYPE", 415, "Unsupported Media Type", "UnsupportedMediaTypeException",
     false},                                                      // [U] type
    {"BAD_REQUEST_BODY", 400, "", "BadRequestException", false},  // message given per request
    {"API_CONFIGURATION_ERROR", 500, "Internal server error", "InternalServerErrorException", true},
    {"REQUEST_HEADER_TOO_LARGE", 431, "Request Header Fields Too Large", "", false},  // [U]
};

}  // namespace

const GatewayResponseSpec& gateway_response_spec(GatewayResponseType t) {
    return kSpecs[static_cast<int>(t)];
}

}  // namespace kemu::apigw
