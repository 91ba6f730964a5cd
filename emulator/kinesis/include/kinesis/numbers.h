#pragma once
// The big numbers of Kinesis: 128-bit hash keys and 56-digit sequence numbers (docs/aws/kinesis.md,
// Shards and hash keys, Sequence numbers), with their decimal forms.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace kemu::kinesis {

__extension__ typedef unsigned __int128 u128;
constexpr u128 kMaxHashKey = ~static_cast<u128>(0);  // 2^128 - 1

std::string u128_to_string(u128 v);
// Decimal digits only; nullopt when empty, not all digits, or >= 2^128.
std::optional<u128> parse_u128(std::string_view s);

// MD5 of the partition key's UTF-8 bytes as a big-endian 128-bit integer.
u128 hash_partition_key(std::string_view key);

struct HashRange {
    u128 start;
    u128 end;  // inclusive
    bool contains(u128 k) const { return k >= start && k <= end; }
};
// The uniform split of the key space into n ranges (CreateStream, UpdateShardCount).
std::vector<HashRange> uniform_ranges(int n);

// One sequence number's fields ("version 2" layout).
struct SeqParts {
    int version = 2;
    int64_t shard_create_secs = 0;
    int32_t shard_index = 0;
    uint64_t seq_ix = 0;
    int64_t record_secs = 0;
};

// The 56-digit decimal text of a version-2 sequence number.
std::string encode_sequence(const SeqParts& p);
// Decodes client input (AT_SEQUENCE_NUMBER, SequenceNumberForOrdering). nullopt when invalid
// as AWS does; version 0 numbers decode with version = 0.
std::optional<SeqParts> decode_sequence(std::string_view decimal);

// Canonical shard id: "shardId-" + 12 digits.
std::string shard_id(int index);
// Lenient parse of a client's shard id (docs/aws/kinesis.md, Shards and hash keys): text after the
// first '-', all digits, 0..2147483647. nullopt otherwise.
std::optional<int> parse_shard_id(std::string_view s);

}  // namespace kemu::kinesis
