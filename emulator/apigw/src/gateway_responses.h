#pragma once
// The gateway responses this API can reach (docs/aws/apigw.md, Gateway responses), with AWS's
// status, message and x-amzn-ErrorType. Bodies follow the default template
// `{"message":$context.error.messageString}` (compact); the two hard-coded 5xx texts keep AWS's `":
// "`.

#include <string_view>

namespace kemu::apigw {

enum class GatewayResponseType {
    kMissingAuthenticationToken,
    kInvalidApiKey,
    kThrottled,
    kQuotaExceeded,
    kRequestTooLarge,
    kUnsupportedMediaType,
    kBadRequestBody,
    kApiConfigurationError,
    kRequestHeaderTooLarge,
};

struct GatewayResponseSpec {
    std::string_view type;  // $context.error.responseType
    int status;
    std::string_view message;     // $context.error.message
    std::string_view error_type;  // x-amzn-ErrorType; empty = no header
    bool spaced;                  // body `{"message": "..."}` (AWS's hard-coded 5xx texts)
};

const GatewayResponseSpec& gateway_response_spec(GatewayResponseType t);

}  // namespace kemu::apigw
