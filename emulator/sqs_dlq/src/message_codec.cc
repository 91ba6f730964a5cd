#include "message_codec.h"

#include "codec.h"
#include "core/encoding.h"

namespace kemu::sqs_dlq {

std::string encode_message(const Message& m) {
    std::string out;
    out.reserve(m.body.size() + 128);
    out.push_back(2);  // format version
    codec::put_str(out, m.message_id);
    codec::put_str(out, m.body);
    codec::put_str(out, m.md5_body);
    codec::put_str(out, m.md5_attributes);
    codec::put_u64(out, static_cast<uint64_t>(m.sent_ms));
    codec::put_u32(out, static_cast<uint32_t>(m.delay_seconds));
    codec::put_str(out, m.sender_id);
    codec::put_str(out, m.trace_header);
    codec::put_str(out, m.dead_letter_source_arn);
    codec::put_u32(out, static_cast<uint32_t>(m.attributes.size()));
    for (const auto& [name, a] : m.attributes) {
        codec::put_str(out, name);
        codec::put_str(out, a.data_type);
        codec::put_str(out, a.value);
    }
    codec::put_str(out, m.message_group_id);
    return out;
}

bool decode_message(std::string_view in, Message* m) {
    if (in.empty() || (in[0] != 1 && in[0] != 2)) return false;
    const char version = in[0];
    codec::Reader r(in.substr(1));
    uint64_t sent;
    uint32_t delay, n;
    if (!r.str(&m->message_id) || !r.str(&m->body) || !r.str(&m->md5_body) ||
        !r.str(&m->md5_attributes) || !r.u64(&sent) || !r.u32(&delay) || !r.str(&m->sender_id) ||
        !r.str(&m->trace_header) || !r.str(&m->dead_letter_source_arn) || !r.u32(&n))
        return false;
    m->sent_ms = static_cast<int64_t>(sent);
    m->delay_seconds = static_cast<int>(delay);
    for (uint32_t i = 0; i < n; ++i) {
        std::string name;
        MessageAttribute a;
        if (!r.str(&name) || !r.str(&a.data_type) || !r.str(&a.value)) return false;
        m->attributes.emplace(std::move(name), std::move(a));
    }
    if (version >= 2 && !r.str(&m->message_group_id)) return false;
    m->visible_at_ms = m->sent_ms + int64_t{m->delay_seconds} * 1000;
    return r.empty();
}

ReceivedMessage received(const Message& m) {
    ReceivedMessage r;
    r.message_id = m.message_id;
    r.body = m.body;
    r.md5_body = m.md5_body;
    r.attributes = m.attributes;
    r.sent_ms = m.sent_ms;
    r.first_receive_ms = m.first_receive_ms;
    r.receive_count = m.receive_count;
    r.sender_id = m.sender_id;
    r.trace_header = m.trace_header;
    r.dead_letter_source_arn = m.dead_letter_source_arn;
    r.message_group_id = m.message_group_id;
    return r;
}

std::string encode_state(const Message& m) {
    std::string out;
    codec::put_u64(out, static_cast<uint64_t>(m.visible_at_ms));
    codec::put_u32(out, static_cast<uint32_t>(m.receive_count));
    codec::put_u64(out, static_cast<uint64_t>(m.first_receive_ms));
    return out;
}

bool decode_state(std::string_view in, Message* m) {
    codec::Reader r(in);
    uint32_t count;
    if (!r.i64(&m->visible_at_ms) || !r.u32(&count) || !r.i64(&m->first_receive_ms)) return false;
    m->receive_count = static_cast<int>(count);
    return r.empty();
}

std::string make_handle(uint64_t queue_id, uint64_t seq, int receive_count) {
    std::string raw;
    raw.push_back(1);
    codec::put_u64(raw, queue_id);
    codec::put_u64(raw, seq);
    codec::put_u32(raw, static_cast<uint32_t>(receive_count));
    return base64_encode(raw);
}

std::optional<Handle> parse_handle(const std::string& text) {
    auto raw = base64_decode(text);
    if (!raw || raw->size() != 21 || (*raw)[0] != 1) return std::nullopt;
    codec::Reader r(std::string_view(*raw).substr(1));
    Handle h{};
    uint32_t count;
    if (!r.u64(&h.queue_id) || !r.u64(&h.seq) || !r.u32(&count)) return std::nullopt;
    h.receive_count = static_cast<int>(count);
    return h;
}

}  // namespace kemu::sqs_dlq
