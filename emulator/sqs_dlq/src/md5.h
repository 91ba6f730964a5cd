#pragma once
#include <string>

#include "sqs_dlq/types.h"

namespace kemu::sqs_dlq {

// MD5OfMessageAttributes (docs/aws/sqs.md, Messages): attributes sorted by name; for each, the
// name, the data type and the value, each with a 4-byte big-endian length, and a transport byte (1
// String/Number, 2 Binary) before the value. Lower-case hex; empty for no attributes.
std::string md5_of_attributes(const MessageAttributes& attributes);

}  // namespace kemu::sqs_dlq
