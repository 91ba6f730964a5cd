#pragma once
// The queue attributes kemu knows (standard queues only), their ranges and defaults, and the
// parsing of the values that carry structure: RedrivePolicy and queue ARNs. See
// docs/aws/sqs.md, Queue attributes.

#include <cstdint>
#include <string>
#include <string_view>

#include "core/aws_error.h"

namespace kemu::sqs_dlq {

inline constexpr int kMaxVisibility = 43'200;  // seconds: 12 hours

// An integer attribute a client may set, with its range and default.
struct IntAttribute {
    std::string_view name;
    int64_t min, max, def;
};

// nullptr when `name` is not an integer attribute.
const IntAttribute* int_attribute(std::string_view name);
// Attributes CreateQueue and SetQueueAttributes accept.
bool is_settable(std::string_view name);
// Attributes GetQueueAttributes knows: the settable ones and the computed ones.
bool is_known(std::string_view name);
// The FIFO-only attributes; a standard queue refuses them, FifoQueue=false too.
bool is_fifo_attribute(std::string_view name);

// The queue name in arn:aws:sqs:{region}:{account}:{name}; empty when `arn` is not an ARN.
std::string name_from_arn(std::string_view arn);

struct Redrive {
    std::string target_arn;
    int max_receive_count = 0;
};

// Parses a RedrivePolicy value: {"deadLetterTargetArn": ARN, "maxReceiveCount": 1..1000} (the
// count a number or a decimal string). Errors: InvalidParameterValue with AWS's reason.
Result<Redrive> parse_redrive(const std::string& value);

}  // namespace kemu::sqs_dlq
