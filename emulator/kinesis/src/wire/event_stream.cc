#include "event_stream.h"

#include <boost/crc.hpp>

namespace kemu::kinesis::wire {
namespace {

void put_u32(std::string& out, uint32_t v) {
    for (int i = 3; i >= 0; --i)
        out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

uint32_t get_u32(std::string_view b, size_t at) {
    uint32_t v = 0;
    for (size_t i = 0; i < 4; ++i)
        v = (v << 8) | static_cast<uint8_t>(b[at + i]);
    return v;
}

uint16_t get_u16(std::string_view b, size_t at) {
    return static_cast<uint16_t>((static_cast<uint8_t>(b[at]) << 8) |
                                 static_cast<uint8_t>(b[at + 1]));
}

}  // namespace

uint32_t crc32(std::string_view bytes) {
    boost::crc_32_type crc;
    crc.process_bytes(bytes.data(), bytes.size());
    return crc.checksum();
}

std::string encode_event(const std::vector<std::pair<std::string_view, std::string_view>>& headers,
                         std::string_view payload) {
    size_t header_len = 0;
    for (const auto& [name, value] : headers)
        header_len += 1 + name.size() + 1 + 2 + value.size();
    size_t total = 16 + header_len + payload.size();
    std::string out;
    out.reserve(total);
    put_u32(out, static_cast<uint32_t>(total));
    put_u32(out, static_cast<uint32_t>(header_len));
    put_u32(out, crc32(out));
    for (const auto& [name, value] : headers) {
        out.push_back(static_cast<char>(name.size()));
        out.append(name);
        out.push_back(7);
        out.push_back(static_cast<char>((value.size() >> 8) & 0xff));
        out.push_back(static_cast<char>(value.size() & 0xff));
        out.append(value);
    }
    out.append(payload);
    put_u32(out, crc32(out));
    return out;
}

std::string initial_response_event(std::string_view payload, std::string_view content_type) {
    return encode_event({{":event-type", "initial-response"},
                         {":message-type", "event"},
                         {":content-type", content_type}},
                        payload);
}

std::string subscribe_to_shard_event(std::string_view payload, std::string_view content_type) {
    return encode_event({{":event-type", "SubscribeToShardEvent"},
                         {":message-type", "event"},
                         {":content-type", content_type}},
                        payload);
}

std::string exception_event(std::string_view type, std::string_view message) {
    std::string payload = "{\"message\":\"";
    for (char c : message) {
        if (c == '"' || c == '\\') payload.push_back('\\');
        payload.push_back(c);
    }
    payload += "\"}";
    return encode_event({{":exception-type", type},
                         {":message-type", "exception"},
                         {":content-type", "application/json"}},
                        payload);
}

const EventHeader* EventMessage::header(std::string_view name) const {
    for (const auto& h : headers) {
        if (h.name == name) return &h;
    }
    return nullptr;
}

std::optional<EventMessage> decode_event(std::string_view b, size_t* consumed) {
    if (b.size() < 16) return std::nullopt;
    uint32_t total = get_u32(b, 0);
    uint32_t header_len = get_u32(b, 4);
    if (total < 16 || header_len > total - 16 || b.size() < total) return std::nullopt;
    if (crc32(b.substr(0, 8)) != get_u32(b, 8)) return std::nullopt;
    if (crc32(b.substr(0, total - 4)) != get_u32(b, total - 4)) return std::nullopt;
    EventMessage m;
    size_t at = 12;
    const size_t end = 12 + header_len;
    while (at < end) {
        EventHeader h;
        size_t name_len = static_cast<uint8_t>(b[at++]);
        if (name_len == 0 || at + name_len + 1 > end) return std::nullopt;
        h.name = std::string(b.substr(at, name_len));
        at += name_len;
        h.type = static_cast<uint8_t>(b[at++]);
        size_t len = 0;
        switch (h.type) {
            case 0:
            case 1:
                len = 0;
                break;
            case 2:
                len = 1;
                break;
            case 3:
                len = 2;
                break;
            case 4:
                len = 4;
                break;
            case 5:
            case 8:
                len = 8;
                break;
            case 9:
                len = 16;
                break;
            case 6:
            case 7:
                if (at + 2 > end) return std::nullopt;
                len = get_u16(b, at);
                at += 2;
                break;
            default:
                return std::nullopt;
        }
        if (at + len > end) return std::nullopt;
        h.value = std::string(b.substr(at, len));
        at += len;
        m.headers.push_back(std::move(h));
    }
    m.payload = std::string(b.substr(end, total - 16 - header_len));
    if (consumed) *consumed = total;
    return m;
}

}  // namespace kemu::kinesis::wire
