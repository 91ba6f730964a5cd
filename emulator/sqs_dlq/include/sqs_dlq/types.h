#pragma once
// Plain values of the SQS engine: message attributes, messages as sent and as received, and the
// queue attribute names kemu knows. No JSON, XML or HTTP here.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace kemu::sqs_dlq {

// One message attribute. `value` holds the raw bytes: UTF-8 text for String/Number types,
// decoded bytes for Binary types (the wire adapters do the base64).
struct MessageAttribute {
    std::string data_type;  // "String", "Number", "Binary", or with a custom suffix "Number.int"
    std::string value;
    bool binary() const { return data_type.rfind("Binary", 0) == 0; }
    bool operator==(const MessageAttribute&) const = default;
};
using MessageAttributes = std::map<std::string, MessageAttribute>;  // sorted by name, as MD5 needs

struct SendRequest {
    std::string body;
    std::optional<int> delay_seconds;  // 0..900; unset: the queue's DelaySeconds
    MessageAttributes attributes;
    std::string trace_header;  // the AWSTraceHeader system attribute, if sent
    // MessageGroupId on a standard queue (AWS's fair queues): kept and returned on receive.
    std::optional<std::string> message_group_id;
    bool batch_entry = false;  // sent as a SendMessageBatch entry (AWS words some errors apart)
};

struct SendResult {
    std::string message_id;
    std::string md5_body;
    std::string md5_attributes;         // empty when the message has no attributes
    std::string md5_system_attributes;  // empty without system attributes
};

struct ReceiveRequest {
    int max_messages = 1;                   // 1..10
    std::optional<int> visibility_timeout;  // 0..43200; unset: the queue's VisibilityTimeout
};

// A message as ReceiveMessage returns it; the adapter picks the attributes the client asked for.
struct ReceivedMessage {
    std::string message_id;
    std::string receipt_handle;
    std::string body;
    std::string md5_body;
    MessageAttributes attributes;
    int64_t sent_ms = 0;
    int64_t first_receive_ms = 0;
    int receive_count = 0;
    std::string sender_id;
    std::string trace_header;
    std::string dead_letter_source_arn;  // set once redriven from another queue
    std::string message_group_id;        // empty when sent without one
};

// Ordered (name, value) pairs as GetQueueAttributes returns them.
using AttributeList = std::vector<std::pair<std::string, std::string>>;

struct QueueSummary {
    std::string name;
    std::string arn;
};

struct MoveTask {
    std::string task_handle;
    std::string status;  // RUNNING, COMPLETED, CANCELLED, FAILED
    std::string source_arn;
    std::string destination_arn;  // empty: each message's original source
    int max_per_second = 0;       // 0: not given
    int64_t moved = 0;
    int64_t to_move = 0;
    int64_t started_ms = 0;
    std::string failure_reason;
};

}  // namespace kemu::sqs_dlq
