#pragma once
// The AWS event-stream message format (application/vnd.amazon.eventstream), as SubscribeToShard
// sends it (docs/aws/kinesis.md, SubscribeToShard): a 12-byte prelude (total length, headers
// length, CRC-32 of those 8 bytes), the headers, the payload, and a CRC-32 of everything before it.
// Integers are big-endian; the CRC is zlib's (IEEE, reflected).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace kemu::kinesis::wire {

// CRC-32 (zlib) of `bytes`.
uint32_t crc32(std::string_view bytes);

// One message with string-valued (type 7) headers, in the order given.
// REQUIRES: names 1..255 bytes, values at most 32 767 bytes (the JS decoder's limit).
std::string encode_event(const std::vector<std::pair<std::string_view, std::string_view>>& headers,
                         std::string_view payload);

// The three messages kemu sends: initial-response, SubscribeToShardEvent, exception.
std::string initial_response_event(std::string_view payload, std::string_view content_type);
std::string subscribe_to_shard_event(std::string_view payload, std::string_view content_type);
std::string exception_event(std::string_view type, std::string_view message);

// A decoded message, for tests and tools: every header type of the format is accepted.
struct EventHeader {
    std::string name;
    uint8_t type = 7;
    std::string value;  // raw value bytes (strings and byte arrays without their length)
};
struct EventMessage {
    std::vector<EventHeader> headers;
    std::string payload;
    const EventHeader* header(std::string_view name) const;
};

// Decodes the message at the start of `bytes`; nullopt when it is incomplete or malformed, or
// either CRC is wrong. `*consumed` receives its total length.
std::optional<EventMessage> decode_event(std::string_view bytes, size_t* consumed = nullptr);

}  // namespace kemu::kinesis::wire
