#include "kinesis/numbers.h"

#include <algorithm>
#include <cstdio>

#include <boost/container/small_vector.hpp>

#include "core/encoding.h"

namespace kemu::kinesis {
namespace {

// Arbitrary-size unsigned arithmetic on base-16 digit strings, for the 47-hex-digit sequence
// numbers; only conversion is needed, never arithmetic on the hot path.
std::string hex_to_decimal(std::string_view hex) {
    // Base-1e9 limbs, little-endian; the hex digits go in seven at a time (28 bits: a limb times
    // 2^28 plus a carry stays within 64 bits). A sequence number needs seven limbs.
    boost::container::small_vector<uint32_t, 16> limbs;
    for (size_t at = 0; at < hex.size();) {
        size_t n = std::min<size_t>(7, hex.size() - at);
        uint64_t carry = 0;
        for (size_t k = 0; k < n; ++k) {
            char c = hex[at + k];
            carry =
                carry << 4 | static_cast<uint64_t>((c <= '9') ? c - '0' : (c | 0x20) - 'a' + 10);
        }
        at += n;
        for (auto& l : limbs) {
            uint64_t v = (static_cast<uint64_t>(l) << (4 * n)) + carry;
            l = static_cast<uint32_t>(v % 1000000000);
            carry = v / 1000000000;
        }
        while (carry) {
            limbs.push_back(static_cast<uint32_t>(carry % 1000000000));
            carry /= 1000000000;
        }
    }
    if (limbs.empty()) return "0";
    std::string out = std::to_string(limbs.back());
    size_t head = out.size();
    out.resize(head + 9 * (limbs.size() - 1));
    char* p = out.data() + head;
    for (size_t i = limbs.size() - 1; i-- > 0; p += 9) {
        uint32_t v = limbs[i];
        for (int d = 8; d >= 0; --d, v /= 10)
            p[d] = static_cast<char>('0' + v % 10);
    }
    return out;
}

std::string decimal_to_hex(std::string_view dec) {
    std::vector<uint32_t> limbs;  // base 2^32 little-endian
    for (char c : dec) {
        uint64_t carry = static_cast<uint64_t>(c - '0');
        for (auto& l : limbs) {
            uint64_t v = static_cast<uint64_t>(l) * 10 + carry;
            l = static_cast<uint32_t>(v);
            carry = v >> 32;
        }
        if (carry) limbs.push_back(static_cast<uint32_t>(carry));
    }
    if (limbs.empty()) return "0";
    std::string out;
    char buf[16];
    std::snprintf(buf, sizeof buf, "%x", limbs.back());
    out = buf;
    for (size_t i = limbs.size() - 1; i-- > 0;) {
        std::snprintf(buf, sizeof buf, "%08x", limbs[i]);
        out += buf;
    }
    return out;
}

uint64_t hex_field(std::string_view hex, size_t pos, size_t len) {
    uint64_t v = 0;
    for (size_t i = pos; i < pos + len; ++i) {
        char c = hex[i];
        v = v * 16 + ((c <= '9') ? c - '0' : (c | 0x20) - 'a' + 10);
    }
    return v;
}

// The first shard creation second (in the year 2477) AWS refuses in an input number.
constexpr int64_t kMaxCreateSecs = 16025175000LL;

void put_hex(std::string& out, uint64_t v, int width) {
    static constexpr char kHex[] = "0123456789abcdef";
    for (int i = width - 1; i >= 0; --i)
        out.push_back(kHex[(v >> (4 * i)) & 15]);
}

}  // namespace

std::string u128_to_string(u128 v) {
    if (v == 0) return "0";
    char buf[48];
    int i = 47;
    buf[i] = '\0';
    while (v) {
        buf[--i] = static_cast<char>('0' + static_cast<int>(v % 10));
        v /= 10;
    }
    return std::string(buf + i);
}

std::optional<u128> parse_u128(std::string_view s) {
    if (s.empty() || s.size() > 39) return std::nullopt;
    u128 v = 0;
    for (char c : s) {
        if (c < '0' || c > '9') return std::nullopt;
        u128 next = v * 10 + static_cast<unsigned>(c - '0');
        if (next / 10 != v) return std::nullopt;  // overflow
        v = next;
    }
    return v;
}

u128 hash_partition_key(std::string_view key) {
    auto d = md5(key);
    u128 v = 0;
    for (uint8_t b : d)
        v = (v << 8) | b;
    return v;
}

std::vector<HashRange> uniform_ranges(int n) {
    // w = floor(2^128 / n), computed without 2^128: floor((2^128-1)/n) differs only when n
    // divides 2^128, i.e. n is a power of two.
    u128 w = kMaxHashKey / static_cast<unsigned>(n);
    if ((n & (n - 1)) == 0) w += 1;
    if (n == 1) w = 0;  // unused
    std::vector<HashRange> out;
    for (int i = 0; i < n; ++i) {
        u128 start = w * static_cast<unsigned>(i);
        u128 end = (i == n - 1) ? kMaxHashKey : w * static_cast<unsigned>(i + 1) - 1;
        out.push_back({start, end});
    }
    return out;
}

std::string encode_sequence(const SeqParts& p) {
    std::string hex;
    hex.reserve(47);
    hex.push_back('2');
    put_hex(hex, static_cast<uint64_t>(p.shard_create_secs), 9);
    put_hex(hex, static_cast<uint64_t>(p.shard_index) & 0xf, 1);
    put_hex(hex, p.seq_ix, 16);
    hex += "00";
    put_hex(hex, static_cast<uint64_t>(p.record_secs), 9);
    put_hex(hex, static_cast<uint32_t>(p.shard_index), 8);
    hex.push_back('2');
    return hex_to_decimal(hex);
}

std::optional<SeqParts> decode_sequence(std::string_view dec) {
    if (dec.empty() || dec.size() > 129) return std::nullopt;
    for (char c : dec) {
        if (c < '0' || c > '9') return std::nullopt;
    }
    std::string hex = decimal_to_hex(dec);
    // Values below 2^129 are "version 0" (those below 2^124 get 2^124 added first).
    if (hex.size() < 33 || (hex.size() == 33 && hex[0] == '1')) {
        SeqParts p;
        p.version = 0;
        // Layout: 1, 9 hex create secs, 2 hex, 16 hex random, 4 hex shard index. Adding 2^124
        // puts a '1' before the 31 low digits.
        if (hex.size() < 32) hex = "1" + std::string(31 - hex.size(), '0') + hex;
        p.shard_index = static_cast<int32_t>(hex_field(hex, hex.size() - 4, 4));
        p.shard_create_secs = static_cast<int64_t>(hex_field(hex, 1, 9));
        // AWS refuses a shard creation date this far in the future (docs/aws/kinesis.md,
        // Sequence numbers) as an invalid number, whatever its version.
        if (p.shard_create_secs >= kMaxCreateSecs) return std::nullopt;
        return p;
    }
    // Version 1/2 numbers have 47 hex digits and start with '2' (2^185 < v < 1.5·2^185).
    if (hex.size() != 47 || hex[0] != '2') return std::nullopt;
    if (hex.find_first_not_of('0', 1) == std::string::npos) return std::nullopt;  // exactly 2^185
    char version = hex[46];
    SeqParts p;
    if (version == '2') {
        p.version = 2;
        p.shard_create_secs = static_cast<int64_t>(hex_field(hex, 1, 9));
        p.seq_ix = hex_field(hex, 11, 16);
        if (p.seq_ix > 0x7fffffffffffffffULL) return std::nullopt;
        p.record_secs = static_cast<int64_t>(hex_field(hex, 29, 9));
        p.shard_index = static_cast<int32_t>(static_cast<uint32_t>(hex_field(hex, 38, 8)));
    } else if (version == '1') {
        p.version = 1;
        p.shard_create_secs = static_cast<int64_t>(hex_field(hex, 1, 9));
        p.record_secs = static_cast<int64_t>(hex_field(hex, 12, 9));
        p.seq_ix = hex_field(hex, 35, 2);
        p.shard_index = static_cast<int32_t>(static_cast<uint32_t>(hex_field(hex, 37, 8)));
    } else if (version == '0') {
        p.version = 0;
    } else {
        return std::nullopt;
    }
    if (p.shard_create_secs >= kMaxCreateSecs) return std::nullopt;
    return p;
}

std::string shard_id(int index) {
    if (index < 0) {
        char buf[32];
        std::snprintf(buf, sizeof buf, "shardId-%012d", index);
        return buf;
    }
    // Every answer names one: no printf here. An int has at most 10 digits, within the 12.
    std::string out = "shardId-000000000000";
    for (size_t at = out.size(); index > 0; index /= 10)
        out[--at] = static_cast<char>('0' + index % 10);
    return out;
}

std::optional<int> parse_shard_id(std::string_view s) {
    auto dash = s.find('-');
    if (dash != std::string_view::npos) s = s.substr(dash + 1);
    if (s.empty() || s.size() > 20) return std::nullopt;
    int64_t v = 0;
    for (char c : s) {
        if (c < '0' || c > '9') return std::nullopt;
        v = v * 10 + (c - '0');
        if (v > 2147483647) return std::nullopt;
    }
    return static_cast<int>(v);
}

}  // namespace kemu::kinesis
