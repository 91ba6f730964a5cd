#pragma once
// CloudWatch's and CloudWatch Logs' APIs on the edge listener (docs/aws/cloudwatch-api.md):
//   Logs      AWS JSON 1.1, `X-Amz-Target: Logs_20140328.<Action>`, any path
//   CloudWatch the query protocol (form POST, `Action=...&Version=2010-08-01`, XML answers) when
//             the SigV4 credential scope names `monitoring`; RPC v2 CBOR on
//             /service/GraniteServiceVersion20100801/operation/<Action>
// SQS also takes form posts: a form post is CloudWatch's only when its Authorization header's
// credential scope says so, so this handler goes before SQS's.

#include <cstdint>
#include <memory>
#include <string>

#include "cloudwatch/cloudwatch.h"
#include "core/clock.h"
#include "core/http.h"

namespace kemu::cloudwatch {

struct ApiOptions {
    std::string account = "000000000000";
    std::string region = "us-east-1";
    // When the alarms were made (AlarmConfigurationUpdatedTimestamp); 0: the handler's creation.
    int64_t started_ms = 0;
};

// True for a Logs target, the CBOR path, or a form post signed for `monitoring`.
bool is_cloudwatch_request(const HttpRequest& req);

std::shared_ptr<RequestHandler> make_api_handler(CloudWatch& cw, const Clock& clock,
                                                 ApiOptions options = {});

}  // namespace kemu::cloudwatch
