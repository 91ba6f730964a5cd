#pragma once
// Opaque tokens (shard iterators, NextTokens): base64( 00..01 header ‖ AES-256-CBC(plaintext) ),
// the framing AWS's tokens have (docs/aws/kinesis.md, Shard iterators). The key is fixed, so
// tokens stay valid across
// restarts; they are opaque, not secret.

#include <optional>
#include <string>
#include <string_view>

namespace kemu::kinesis {

// Pads `plaintext` with '\0' so the decoded token is at least 152 bytes.
std::string seal_token(std::string plaintext);
// nullopt for anything not produced by seal_token (bad base64, header, length, padding).
// Trailing '\0' padding is removed.
std::optional<std::string> unseal_token(std::string_view token);

}  // namespace kemu::kinesis
