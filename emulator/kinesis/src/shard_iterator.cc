// Shard iterator tokens (shard_iterator.h).

#include "shard_iterator.h"

#include <charconv>
#include <cstdio>
#include <vector>

#include "core/encoding.h"
#include "token.h"

namespace kemu::kinesis {
namespace {

template <class T>
bool parse_num(std::string_view s, T* out) {
    auto r = std::from_chars(s.data(), s.data() + s.size(), *out);
    return r.ec == std::errc() && r.ptr == s.data() + s.size() && !s.empty();
}

}  // namespace

std::string make_iterator(const IteratorPos& p) {
    char ms[32];
    std::snprintf(ms, sizeof ms, "%014lld", static_cast<long long>(p.created_ms));
    std::string plain = std::string(ms) + "/" + p.key.account + "/" + p.key.region + "/" +
                        std::to_string(p.stream_id) + "/" + std::to_string(p.shard) + "/" +
                        std::to_string(p.seq_ix) + "/" + hex_encode(random_bytes(4)) + "/" +
                        p.key.name;
    return seal_token(std::move(plain));
}

std::optional<IteratorPos> parse_iterator(std::string_view token) {
    auto plain = unseal_token(token);
    if (!plain) return std::nullopt;
    std::vector<std::string_view> f;
    std::string_view rest = *plain;
    for (int i = 0; i < 7; ++i) {
        auto slash = rest.find('/');
        if (slash == std::string_view::npos) return std::nullopt;
        f.push_back(rest.substr(0, slash));
        rest = rest.substr(slash + 1);
    }
    f.push_back(rest);
    IteratorPos p;
    if (!parse_num(f[0], &p.created_ms) || !parse_num(f[3], &p.stream_id) ||
        !parse_num(f[4], &p.shard) || !parse_num(f[5], &p.seq_ix) || f[7].empty() || p.shard < 0)
        return std::nullopt;  // (the key is public: a sealed token can still be forged)
    // f[6] is a nonce: every GetRecords answers with a new token, even for the same position.
    p.key = {std::string(f[1]), std::string(f[2]), std::string(f[7])};
    return p;
}

}  // namespace kemu::kinesis
