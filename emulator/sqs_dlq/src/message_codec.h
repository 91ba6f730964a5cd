#pragma once
// A stored message and its byte encodings: the message as sent ('M' value), its receive state
// ('V' value) and the receipt handle a receive hands out. See queue_store.h for the layout.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "sqs_dlq/types.h"

namespace kemu::sqs_dlq {

struct Message {
    std::string message_id;
    std::string body;
    std::string md5_body;
    std::string md5_attributes;
    MessageAttributes attributes;
    int64_t sent_ms = 0;
    int delay_seconds = 0;
    std::string sender_id;
    std::string trace_header;
    std::string dead_letter_source_arn;
    std::string message_group_id;
    // Receive state, rewritten on every receive.
    int64_t visible_at_ms = 0;
    int receive_count = 0;
    int64_t first_receive_ms = 0;
};

// The message as sent, versioned; never rewritten. Version 2 appends the message group id to
// version 1's fields.
std::string encode_message(const Message& m);
// Fills the sent fields of `*m` and sets visible_at_ms from the send and delay. Reads both
// versions (a version 1 message has no group id). False when `in` is not what encode_message
// wrote.
bool decode_message(std::string_view in, Message* m);

// The receive state: visible at, receive count, first receive.
std::string encode_state(const Message& m);
bool decode_state(std::string_view in, Message* m);

// A message as ReceiveMessage (or a peek) shows it, without a receipt handle.
ReceivedMessage received(const Message& m);

// Receipt handle: base64 of version(1) · queue id(8) · sequence(8) · receive count(4).
// A handle names one receive of one message; the next receive makes it stale.
struct Handle {
    uint64_t queue_id, seq;
    int receive_count;
};
std::string make_handle(uint64_t queue_id, uint64_t seq, int receive_count);
// nullopt for anything make_handle did not write.
std::optional<Handle> parse_handle(const std::string& text);

}  // namespace kemu::sqs_dlq
