#pragma once
// Byte encodings shared by the wire adapters: base64, hex, MD5, UUIDs, request ids, forms.

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace kemu {

std::string base64_encode(std::string_view bytes);
// Strict standard base64 with padding; nullopt on anything else.
std::optional<std::string> base64_decode(std::string_view text);
// Whether base64_decode takes `text` and base64_encode of the result gives `text` back: the
// alphabet, '=' only as the last one or two characters, and no bits set past the data in the
// last character (e.g. "QR==" decodes but is not canonical: "QQ==" is). Decodes nothing.
bool base64_canonical(std::string_view text);

std::string hex_encode(std::string_view bytes);

std::array<uint8_t, 16> md5(std::string_view bytes);
std::string md5_hex(std::string_view bytes);

// A random RFC 4122 version-4 UUID in lower-case text form. Thread-safe, no syscalls after the
// first call on a thread.
std::string uuid_v4();
// ISO-8601 UTC with milliseconds, as AWS writes timestamps: 2024-06-10T14:55:02.118Z.
std::string iso8601_ms(int64_t epoch_ms);
// RFC 7231 IMF-fixdate, as in an HTTP Date header: "Tue, 14 Nov 2023 22:13:20 GMT".
std::string http_date(int64_t epoch_ms);
// The current second's IMF-fixdate, formatted once per second per thread.
const std::string& http_date_now();

// Appends `s` as a JSON string literal (quotes included), escaping quotes, backslashes and
// control characters; other bytes pass through.
void append_json_string(std::string& out, std::string_view s);

// A whole decimal integer ("-12", no '+', no spaces); nullopt on anything else or overflow.
std::optional<int64_t> parse_int64(std::string_view text);
// A finite number inside int64's range, truncated toward zero; nullopt for NaN, infinities and
// anything a cast would make undefined (a client's 1e300 where a Long belongs).
std::optional<int64_t> whole_int64(double v);

// True when `bytes` is well-formed UTF-8 (no overlongs, no surrogates, nothing past U+10FFFF).
bool valid_utf8(std::string_view bytes);

// `n` random bytes from a per-thread generator (not for secrets).
std::string random_bytes(size_t n);

// Appends `s` escaped for XML text or an attribute value. Carriage returns become &#xD; so
// text survives XML's line-end normalisation byte for byte; other control characters but tab
// and newline, which XML 1.0 cannot carry even escaped, become '?'.
void xml_escape(std::string_view s, std::string& out);

// The value of one hex digit ('0'-'9', 'a'-'f', 'A'-'F'), or -1.
int hex_value(char c);

// %XX decoding only ('+' stays '+'), as a URL path and SigV4's query strings are read; a
// malformed escape is kept as it is.
std::string percent_decode(std::string_view s);

// Percent-decodes an application/x-www-form-urlencoded string ('+' is a space): the query
// protocols' bodies (SQS, CloudWatch) and query strings. Form decoding is this one loop, so kemu
// does not link Boost.URL for it. nullopt on a bad escape.
std::optional<std::string> form_decode(std::string_view s);

// Splits "a=1&b=2" into decoded pairs, in order (empty parts skipped); nullopt on a bad escape.
std::optional<std::vector<std::pair<std::string, std::string>>> parse_form(std::string_view body);

}  // namespace kemu
