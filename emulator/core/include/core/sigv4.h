#pragma once
// AWS Signature Version 4, as AWS computes it on its side (OpenSSL HMAC-SHA256): the canonical
// request, the string to sign, the signing key, presigned (query-string) requests, and
// `STREAMING-AWS4-HMAC-SHA256-PAYLOAD` (aws-chunked) bodies with their per-chunk signatures.
// Public description: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv4.html
// (create-signed-request.html and sigv4-streaming.html under it).
//
// Non-S3 rules (every API kemu serves): the canonical URI is the path as sent, dot segments and
// repeated slashes removed, then percent-encoded once more (so a `%` becomes `%25`, as the SDKs
// compute it); the canonical query is every parameter but X-Amz-Signature, decoded then
// encoded, sorted by name then value.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/http.h"

namespace kemu::sigv4 {

std::string sha256_hex(std::string_view bytes);
std::string hmac_sha256(std::string_view key, std::string_view data);  // raw 32 bytes
// RFC 3986 encoding: everything but A-Z a-z 0-9 - _ . ~ (and '/' when `keep_slash`).
std::string uri_encode(std::string_view s, bool keep_slash);

// What a request says about its signature.
struct Signed {
    bool presigned = false;
    std::string access_key, date, region, service;  // from the credential scope
    std::vector<std::string> signed_headers;        // lower case, as listed
    std::string signature;                          // hex
    std::string amz_date;                           // yyyymmddThhmmssZ
    int64_t expires_s = -1;                         // presigned: X-Amz-Expires

    std::string scope() const { return date + "/" + region + "/" + service + "/aws4_request"; }
};

// True when the request carries credentials in AWS's shape: an Authorization header, or the
// presigned `X-Amz-Algorithm` query parameter (AWS recognises query auth by that key alone).
bool has_credentials(const HttpRequest& req);

// Parses the Authorization header or the presigned parameters. On failure, nullopt and
// `*incomplete` says what is missing in AWS's words (IncompleteSignature).
std::optional<Signed> parse(const HttpRequest& req, std::string* incomplete);

// The canonical request's parts, exposed for the unit tests' published vectors.
std::string canonical_uri(std::string_view path);
std::string canonical_query(std::string_view query, bool drop_signature);
std::string canonical_request(const HttpRequest& req, const Signed& s,
                              std::string_view payload_hash);
std::string string_to_sign(std::string_view amz_date, std::string_view scope,
                           std::string_view canonical_request);
std::string signing_key(std::string_view secret, std::string_view date, std::string_view region,
                        std::string_view service);
std::string signature(std::string_view signing_key, std::string_view string_to_sign);  // hex

enum class Outcome {
    kOk,
    kIncomplete,      // IncompleteSignature
    kUnknownKey,      // InvalidClientTokenId / UnrecognizedClientException
    kMismatch,        // SignatureDoesNotMatch / InvalidSignatureException
    kExpired,         // signed more than 15 minutes ago
    kNotYetCurrent,   // signed more than 15 minutes ahead
    kPresignExpired,  // a presigned URL past X-Amz-Expires
    kBadBody,         // an aws-chunked body that does not parse or whose chunks do not verify
};

struct Verdict {
    Outcome outcome = Outcome::kOk;
    std::string message;  // AWS's text for the outcome
    std::string body;     // kOk with an aws-chunked body: the decoded payload
    bool decoded = false;
};

using SecretLookup = std::function<std::optional<std::string>(std::string_view access_key)>;

// Verifies the request's signature against the secret of its access key, at `now_ms`.
Verdict verify(const HttpRequest& req, const SecretLookup& secrets, int64_t now_ms);

// The payload of an aws-chunked body, each chunk's signature checked against the chain that
// starts at `seed_signature`; nullopt when a chunk is malformed or its signature is wrong.
std::optional<std::string> decode_chunked(std::string_view body, std::string_view key,
                                          std::string_view amz_date, std::string_view scope,
                                          std::string seed_signature);

// yyyymmddThhmmssZ of an epoch time in milliseconds, and back (nullopt when malformed).
std::string amz_date(int64_t epoch_ms);
std::optional<int64_t> parse_amz_date(std::string_view s);

}  // namespace kemu::sigv4
