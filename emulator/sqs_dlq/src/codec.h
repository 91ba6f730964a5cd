#pragma once
// Byte layout helpers for the SQS keys and values (see queue_store.h for the layout).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace kemu::sqs_dlq::codec {

inline void put_u64(std::string& out, uint64_t v) {
    for (int i = 7; i >= 0; --i)
        out.push_back(static_cast<char>((v >> (i * 8)) & 0xff));
}
inline void put_u32(std::string& out, uint32_t v) {
    for (int i = 3; i >= 0; --i)
        out.push_back(static_cast<char>((v >> (i * 8)) & 0xff));
}
inline void put_str(std::string& out, std::string_view s) {
    put_u32(out, static_cast<uint32_t>(s.size()));
    out.append(s);
}

// Reads what the put_ functions wrote; every read fails (returns false) past the end.
class Reader {
public:
    explicit Reader(std::string_view in) : in_(in) {}
    bool u64(uint64_t* v) {
        if (in_.size() < 8) return false;
        *v = 0;
        for (int i = 0; i < 8; ++i)
            *v = (*v << 8) | static_cast<uint8_t>(in_[i]);
        in_.remove_prefix(8);
        return true;
    }
    bool i64(int64_t* v) {
        uint64_t u;
        if (!u64(&u)) return false;
        *v = static_cast<int64_t>(u);
        return true;
    }
    bool u32(uint32_t* v) {
        if (in_.size() < 4) return false;
        *v = 0;
        for (int i = 0; i < 4; ++i)
            *v = (*v << 8) | static_cast<uint8_t>(in_[i]);
        in_.remove_prefix(4);
        return true;
    }
    bool str(std::string* s) {
        uint32_t n;
        if (!u32(&n) || in_.size() < n) return false;
        s->assign(in_.substr(0, n));
        in_.remove_prefix(n);
        return true;
    }
    bool empty() const { return in_.empty(); }

private:
    std::string_view in_;
};

// 'M'/'V' + queue id + sequence.
inline std::string message_key(char kind, uint64_t queue_id, uint64_t seq) {
    std::string k;
    k.reserve(17);
    k.push_back(kind);
    put_u64(k, queue_id);
    put_u64(k, seq);
    return k;
}

}  // namespace kemu::sqs_dlq::codec
