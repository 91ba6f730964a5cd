// The records column family's keys and values (record_codec.h).

#include "record_codec.h"

#include <cstring>
#include <stdexcept>

namespace kemu::kinesis {

std::string records_key(uint64_t stream_id, int shard, uint64_t seq_ix) {
    std::string k(20, '\0');
    for (int i = 0; i < 8; ++i)
        k[i] = static_cast<char>(stream_id >> (56 - 8 * i));
    auto s = static_cast<uint32_t>(shard);
    for (int i = 0; i < 4; ++i)
        k[8 + i] = static_cast<char>(s >> (24 - 8 * i));
    for (int i = 0; i < 8; ++i)
        k[12 + i] = static_cast<char>(seq_ix >> (56 - 8 * i));
    return k;
}

uint64_t key_seq(std::string_view k) {
    uint64_t s = 0;
    for (int i = 12; i < 20; ++i)
        s = (s << 8) | static_cast<uint8_t>(k[i]);
    return s;
}

std::string encode_value(int64_t arrival_ms, bool encrypted, std::string_view pk,
                         std::string_view data) {
    std::string v;
    v.resize(11 + pk.size() + data.size());
    auto a = static_cast<uint64_t>(arrival_ms);
    for (int i = 0; i < 8; ++i)
        v[i] = static_cast<char>(a >> (8 * i));
    v[8] = encrypted ? 1 : 0;
    v[9] = static_cast<char>(pk.size() & 0xff);
    v[10] = static_cast<char>(pk.size() >> 8);
    std::memcpy(v.data() + 11, pk.data(), pk.size());
    std::memcpy(v.data() + 11 + pk.size(), data.data(), data.size());
    return v;
}

StoredRecord decode_value(std::string_view v) {
    if (v.size() < 11) throw std::runtime_error("kinesis: corrupt record");
    uint64_t a = 0;
    for (int i = 0; i < 8; ++i)
        a |= static_cast<uint64_t>(static_cast<uint8_t>(v[i])) << (8 * i);
    size_t pk_len =
        static_cast<uint8_t>(v[9]) | (static_cast<size_t>(static_cast<uint8_t>(v[10])) << 8);
    if (v.size() < 11 + pk_len) throw std::runtime_error("kinesis: corrupt record");
    return {static_cast<int64_t>(a), v[8] != 0, v.substr(11, pk_len), v.substr(11 + pk_len)};
}

}  // namespace kemu::kinesis
