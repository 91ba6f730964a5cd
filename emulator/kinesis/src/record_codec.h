#pragma once
// Records in the `records` column family:
//   key:   stream id (8, BE) · shard index (4, BE) · sequence index (8, BE)
//   value: arrival ms (8, LE) · flags (1; bit 0: written encrypted) · key length (2, LE) ·
//          partition key · data
// Big-endian keys keep one shard's records together, in sequence order.

#include <cstdint>
#include <string>
#include <string_view>

namespace kemu::kinesis {

std::string records_key(uint64_t stream_id, int shard, uint64_t seq_ix);
// The sequence index of a records key.
uint64_t key_seq(std::string_view key);

std::string encode_value(int64_t arrival_ms, bool encrypted, std::string_view pk,
                         std::string_view data);

// Views into the value it was decoded from.
struct StoredRecord {
    int64_t arrival_ms;
    bool encrypted;
    std::string_view pk;
    std::string_view data;
};

// Throws on a value too short for its own lengths.
StoredRecord decode_value(std::string_view v);

}  // namespace kemu::kinesis
