#pragma once
// Shared by the CloudWatch and CloudWatch Logs wire adapters: an AWS error as the two services
// spell them (their codes are not Kinesis's or SQS's, so they live here rather than in core's
// table), and the JSON values the actions read and write.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "cloudwatch/api.h"

namespace kemu::cloudwatch::wire {

using ojson = nlohmann::ordered_json;

struct ApiError {
    std::string code;  // "ResourceNotFoundException", "InvalidParameterValue", ...
    int status = 400;
    std::string message;
    bool sender = true;  // the query protocol's <Type>Sender</Type>
};

// "1 validation error detected: Value '0' at 'limit' failed to satisfy constraint: Member must
// have value greater than or equal to 1", AWS's validation sentence.
std::string constraint_message(std::string_view value, std::string_view field,
                               std::string_view constraint);

}  // namespace kemu::cloudwatch::wire
