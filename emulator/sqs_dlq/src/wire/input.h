#pragma once
// Reading a Call's input members: strings, integers (JSON numbers or the query protocol's
// decimal strings), lists, maps, message attributes, and the queue a request names.

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "call.h"
#include "core/aws_error.h"
#include "sqs_dlq/types.h"

namespace kemu::sqs_dlq::wire {

// A member that should be a scalar, as text for validation messages. Never the dump of a
// structure: a client's 500,000-deep array would recurse off the stack, and bad UTF-8 would
// throw.
std::string scalar_text(const json& v);

// nullopt when absent or null.
std::optional<std::string> get_string(const json& in, const char* key);

// Integers arrive as JSON numbers (JSON protocol) or decimal strings (query protocol).
Result<std::optional<int64_t>> get_int(const json& in, const char* key);

// The string members of a list; empty when absent.
std::vector<std::string> get_list(const json& in, const char* key);

// A map's members as (name, text) pairs; empty when absent.
std::vector<std::pair<std::string, std::string>> get_map(const json& in, const char* key);

// Message attributes in either protocol's converted form: {name: {DataType, StringValue |
// BinaryValue}}; binary values are base64 on the wire and raw bytes here.
Result<MessageAttributes> parse_message_attributes(const json& in, const char* key);

// The queue a request names: QueueUrl (its last path segment), else the request path.
Result<std::string> queue_of(const Call& c);

// http://{Host}/{account}/{name}: clients reach the queue at the address they used.
std::string queue_url(const Call& c, const std::string& account, const std::string& name);

}  // namespace kemu::sqs_dlq::wire
