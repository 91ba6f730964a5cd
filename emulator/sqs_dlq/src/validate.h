#pragma once
// What SQS accepts before anything is stored: queue names, queue attribute values, tags, message
// bodies and message attributes. Errors carry AWS's codes and sentences (errors.h).

#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/aws_error.h"
#include "sqs_dlq/types.h"

namespace kemu::sqs_dlq {

// True for the characters SQS accepts in a body: #x9 #xA #xD #x20-#xD7FF #xE000-#xFFFD
// #x10000-#x10FFFF, in well-formed UTF-8.
bool valid_text(std::string_view s);

// 1 to 80 of [A-Za-z0-9_-]; a `.fifo` name or FifoQueue=true is refused (kemu emulates
// standard queues only).
Result<void> validate_queue_name(const std::string& name, const AttributeList& attributes);

// Names and values for CreateQueue / SetQueueAttributes. A RedrivePolicy must name an existing
// queue other than `queue_name`; `queue_exists` answers that. The FIFO attributes are refused
// (FifoQueue=false too), and so are both kinds of SSE in one request (docs/aws/sqs.md, Queue
// attributes).
Result<void> validate_queue_attributes(const std::string& queue_name, const AttributeList& attrs,
                                       const std::function<bool(const std::string&)>& queue_exists);

Result<void> validate_tags(const std::vector<std::pair<std::string, std::string>>& tags);

// Message attributes as SendMessage checks them, in AWS's order.
Result<void> validate_message_attributes(const MessageAttributes& attributes);

// MessageGroupId: 1 to 128 of the printable ASCII characters but space (alphanumerics and
// punctuation).
Result<void> validate_message_group_id(const std::string& id);

// What message attributes count toward MaximumMessageSize: names, types and values.
size_t attributes_size(const MessageAttributes& attributes);

}  // namespace kemu::sqs_dlq
