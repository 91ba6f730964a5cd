#pragma once
// Shard iterator tokens: a position in one shard, sealed (token.h) with the time it was made.
// Every GetRecords answers with a new token, even for the same position (a nonce inside).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "kinesis/types.h"

namespace kemu::kinesis {

struct IteratorPos {
    int64_t created_ms;
    StreamKey key;
    uint64_t stream_id;
    int shard;
    uint64_t seq_ix;
};

std::string make_iterator(const IteratorPos& p);
// nullopt for a token that is not a well-formed iterator.
std::optional<IteratorPos> parse_iterator(std::string_view token);

}  // namespace kemu::kinesis
