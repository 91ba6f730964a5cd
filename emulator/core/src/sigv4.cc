#include "core/sigv4.h"

#include <algorithm>
#include <cctype>
#include <ctime>

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>

#include "core/encoding.h"
#include "core/log.h"

namespace kemu::sigv4 {
namespace {

constexpr std::string_view kAlgorithm = "AWS4-HMAC-SHA256";
constexpr std::string_view kStreaming = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD";
constexpr int64_t kSkewMs = 15 * 60 * 1000;  // AWS: 15 minutes either way

bool unreserved(unsigned char c) {
    return std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~';
}

std::vector<std::pair<std::string, std::string>> query_pairs(std::string_view query) {
    std::vector<std::pair<std::string, std::string>> out;
    while (!query.empty()) {
        auto amp = query.find('&');
        auto part = query.substr(0, amp);
        if (!part.empty()) {
            auto eq = part.find('=');
            std::string name = percent_decode(part.substr(0, eq));
            std::string value =
                eq == std::string_view::npos ? std::string() : percent_decode(part.substr(eq + 1));
            out.emplace_back(std::move(name), std::move(value));
        }
        if (amp == std::string_view::npos) break;
        query.remove_prefix(amp + 1);
    }
    return out;
}

std::optional<std::string> query_param(std::string_view query, std::string_view name) {
    for (auto& [k, v] : query_pairs(query)) {
        if (k == name) return v;
    }
    return std::nullopt;
}

std::string lower(std::string_view s) {
    std::string out(s);
    for (auto& c : out)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

// A header value as SigV4 canonicalises it: trimmed, runs of spaces made one.
std::string trim_value(std::string_view v) {
    std::string out;
    bool space = false;
    for (char c : v) {
        if (c == ' ' || c == '\t') {
            space = !out.empty();
            continue;
        }
        if (space) out.push_back(' ');
        space = false;
        out.push_back(c);
    }
    return out;
}

std::vector<std::string> split(std::string_view s, char sep) {
    std::vector<std::string> out;
    for (;;) {
        auto p = s.find(sep);
        out.emplace_back(s.substr(0, p));
        if (p == std::string_view::npos) return out;
        s.remove_prefix(p + 1);
    }
}

// "AKID/20150830/us-east-1/service/aws4_request" into `s`; false when it has not five parts.
bool parse_credential(std::string_view credential, Signed* s) {
    auto parts = split(credential, '/');
    if (parts.size() != 5 || parts[4] != "aws4_request") return false;
    s->access_key = parts[0];
    s->date = parts[1];
    s->region = parts[2];
    s->service = parts[3];
    return true;
}

std::string format_utc(int64_t epoch_ms) {
    std::time_t t = static_cast<std::time_t>(epoch_ms / 1000);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y%m%dT%H%M%SZ", &tm);
    return buf;
}

// The date of the signature: X-Amz-Date, else an RFC 1123 Date header turned into the same form.
std::string request_date(const HttpRequest& req) {
    if (auto d = req.header("X-Amz-Date"); !d.empty()) return std::string(d);
    std::string date(req.header("Date"));
    std::tm tm{};
    if (!date.empty() && strptime(date.c_str(), "%a, %d %b %Y %H:%M:%S", &tm)) {
        return format_utc(static_cast<int64_t>(timegm(&tm)) * 1000);
    }
    return date;
}

Verdict fail(Outcome o, std::string message) {
    Verdict v;
    v.outcome = o;
    v.message = std::move(message);
    return v;
}

}  // namespace

std::string sha256_hex(std::string_view bytes) {
    unsigned char out[SHA256_DIGEST_LENGTH];
    SHA256(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(), out);
    return hex_encode(std::string_view(reinterpret_cast<const char*>(out), sizeof out));
}

std::string hmac_sha256(std::string_view key, std::string_view data) {
    unsigned char out[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
         reinterpret_cast<const unsigned char*>(data.data()), data.size(), out, &len);
    return std::string(reinterpret_cast<const char*>(out), len);
}

std::string uri_encode(std::string_view s, bool keep_slash) {
    static constexpr char kHex[] = "0123456789ABCDEF";
    std::string out;
    out.reserve(s.size());
    for (unsigned char c : s) {
        if (unreserved(c) || (keep_slash && c == '/')) {
            out.push_back(static_cast<char>(c));
        } else {
            out.push_back('%');
            out.push_back(kHex[c >> 4]);
            out.push_back(kHex[c & 15]);
        }
    }
    return out;
}

bool has_credentials(const HttpRequest& req) {
    return req.has_header("Authorization") ||
           query_param(req.query(), "X-Amz-Algorithm").has_value();
}

std::optional<Signed> parse(const HttpRequest& req, std::string* incomplete) {
    Signed s;
    std::string why;
    if (req.has_header("Authorization")) {
        std::string_view auth = req.header("Authorization");
        std::string credential, signed_headers, signature;
        bool cred = false, sig = false, sh = false;
        std::string_view rest = auth;
        if (rest.starts_with(kAlgorithm)) rest.remove_prefix(kAlgorithm.size());
        while (!rest.empty()) {
            auto sep = rest.find_first_of(", ");
            auto tok = rest.substr(0, sep);
            if (tok.starts_with("Credential=")) {
                cred = true;
                credential = tok.substr(11);
            } else if (tok.starts_with("Signature=")) {
                sig = true;
                signature = tok.substr(10);
            } else if (tok.starts_with("SignedHeaders=")) {
                sh = true;
                signed_headers = tok.substr(14);
            }
            if (sep == std::string_view::npos) break;
            rest.remove_prefix(sep + 1);
        }
        s.amz_date = request_date(req);
        // AWS names every missing part, in this order, then quotes the header.
        if (!cred) why += "Authorization header requires 'Credential' parameter. ";
        if (!sig) why += "Authorization header requires 'Signature' parameter. ";
        if (!sh) why += "Authorization header requires 'SignedHeaders' parameter. ";
        if (s.amz_date.empty()) {
            why +=
                "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' "
                "header. ";
        }
        if (why.empty() && !parse_credential(credential, &s)) {
            why = "Credential should be scoped to a valid region. ";
        }
        if (!why.empty()) {
            if (incomplete) *incomplete = why + "Authorization=" + std::string(auth);
            return std::nullopt;
        }
        s.signed_headers = split(signed_headers, ';');
        s.signature = signature;
        return s;
    }
    auto q = req.query();
    if (!query_param(q, "X-Amz-Algorithm")) {
        if (incomplete) *incomplete = "Missing Authentication Token";
        return std::nullopt;
    }
    for (std::string_view p : {"X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Signature",
                               "X-Amz-SignedHeaders", "X-Amz-Date"}) {
        auto v = query_param(q, p);
        if (!v || v->empty())
            why += "AWS query-string parameters must include '" + std::string(p) + "'. ";
    }
    if (why.empty() && !parse_credential(*query_param(q, "X-Amz-Credential"), &s)) {
        why = "Credential should be scoped to a valid region. ";
    }
    if (!why.empty()) {
        if (incomplete) *incomplete = why + "Re-examine the query-string parameters.";
        return std::nullopt;
    }
    s.presigned = true;
    s.amz_date = *query_param(q, "X-Amz-Date");
    s.signature = *query_param(q, "X-Amz-Signature");
    s.signed_headers = split(*query_param(q, "X-Amz-SignedHeaders"), ';');
    if (auto e = query_param(q, "X-Amz-Expires")) s.expires_s = parse_int64(*e).value_or(-1);
    return s;
}

std::string canonical_uri(std::string_view path) {
    // Dot segments and empty segments go, as in RFC 3986's remove_dot_segments.
    std::vector<std::string_view> out;
    std::string_view rest = path;
    bool trailing = !path.empty() && path.back() == '/' && path.size() > 1;
    while (!rest.empty()) {
        auto slash = rest.find('/');
        auto seg = rest.substr(0, slash);
        if (seg == "..") {
            if (!out.empty()) out.pop_back();
        } else if (!seg.empty() && seg != ".") {
            out.push_back(seg);
        }
        if (slash == std::string_view::npos) break;
        rest.remove_prefix(slash + 1);
    }
    std::string normal = "/";
    for (size_t i = 0; i < out.size(); ++i) {
        if (i) normal += "/";
        normal += out[i];
    }
    if (trailing && !out.empty()) normal += "/";
    return uri_encode(normal, true);
}

std::string canonical_query(std::string_view query, bool drop_signature) {
    std::vector<std::pair<std::string, std::string>> pairs;
    for (auto& [k, v] : query_pairs(query)) {
        if (drop_signature && k == "X-Amz-Signature") continue;
        pairs.emplace_back(uri_encode(k, false), uri_encode(v, false));
    }
    std::sort(pairs.begin(), pairs.end());
    std::string out;
    for (auto& [k, v] : pairs) {
        if (!out.empty()) out += "&";
        out += k + "=" + v;
    }
    return out;
}

std::string canonical_request(const HttpRequest& req, const Signed& s,
                              std::string_view payload_hash) {
    std::string out = req.method + "\n" + canonical_uri(req.path()) + "\n" +
                      canonical_query(req.query(), s.presigned) + "\n";
    for (const auto& name : s.signed_headers) {
        std::string value;
        bool first = true;
        // The JS SDK signs HTTP/2's :authority pseudo-header, which the edge hands over as host.
        std::string_view wanted = name == ":authority" && !req.has_header(":authority")
                                      ? std::string_view("host")
                                      : std::string_view(name);
        for (const auto& h : req.headers) {
            if (!iequals(h.name, wanted)) continue;
            if (!first) value += ",";
            value += trim_value(h.value);
            first = false;
        }
        out += lower(name) + ":" + value + "\n";
    }
    out += "\n";
    for (size_t i = 0; i < s.signed_headers.size(); ++i) {
        if (i) out += ";";
        out += s.signed_headers[i];
    }
    out += "\n";
    out += payload_hash;
    return out;
}

std::string string_to_sign(std::string_view amz_date, std::string_view scope,
                           std::string_view canonical_request) {
    return std::string(kAlgorithm) + "\n" + std::string(amz_date) + "\n" + std::string(scope) +
           "\n" + sha256_hex(canonical_request);
}

std::string signing_key(std::string_view secret, std::string_view date, std::string_view region,
                        std::string_view service) {
    auto k = hmac_sha256("AWS4" + std::string(secret), date);
    k = hmac_sha256(k, region);
    k = hmac_sha256(k, service);
    return hmac_sha256(k, "aws4_request");
}

std::string signature(std::string_view key, std::string_view sts) {
    return hex_encode(hmac_sha256(key, sts));
}

std::string amz_date(int64_t epoch_ms) {
    return format_utc(epoch_ms);
}

std::optional<int64_t> parse_amz_date(std::string_view s) {
    if (s.size() != 16 || s[8] != 'T' || s[15] != 'Z') return std::nullopt;
    std::tm tm{};
    std::string str(s);
    if (!strptime(str.c_str(), "%Y%m%dT%H%M%SZ", &tm)) return std::nullopt;
    return static_cast<int64_t>(timegm(&tm)) * 1000;
}

std::optional<std::string> decode_chunked(std::string_view body, std::string_view key,
                                          std::string_view amz_date, std::string_view scope,
                                          std::string previous) {
    const std::string empty_hash = sha256_hex("");
    std::string out;
    for (;;) {
        auto eol = body.find("\r\n");
        if (eol == std::string_view::npos) return std::nullopt;
        auto head = body.substr(0, eol);
        body.remove_prefix(eol + 2);
        auto semi = head.find(";chunk-signature=");
        if (semi == std::string_view::npos) return std::nullopt;
        size_t size = 0;
        for (char c : head.substr(0, semi)) {
            int v = hex_value(c);
            if (v < 0 || size > (1u << 30)) return std::nullopt;
            size = size * 16 + static_cast<size_t>(v);
        }
        auto sig = head.substr(semi + 17);
        if (body.size() < size + 2 || body.substr(size, 2) != "\r\n") return std::nullopt;
        auto data = body.substr(0, size);
        std::string sts = "AWS4-HMAC-SHA256-PAYLOAD\n" + std::string(amz_date) + "\n" +
                          std::string(scope) + "\n" + previous + "\n" + empty_hash + "\n" +
                          sha256_hex(data);
        // An empty key decodes without checking (kemu without --verify-signatures).
        if (!key.empty()) {
            auto expected = signature(key, sts);
            if (expected != sig) return std::nullopt;
        }
        previous = std::string(sig);
        out.append(data);
        body.remove_prefix(size + 2);
        if (size == 0) return out;
    }
}

Verdict verify(const HttpRequest& req, const SecretLookup& secrets, int64_t now_ms) {
    Verdict v;
    std::string why;
    auto s = parse(req, &why);
    if (!s) return fail(Outcome::kIncomplete, why);
    auto secret = secrets(s->access_key);
    if (!secret) {
        return fail(Outcome::kUnknownKey, "The security token included in the request is invalid.");
    }
    auto signed_at = parse_amz_date(s->amz_date);
    if (!signed_at) {
        return fail(Outcome::kIncomplete, "Date must be in ISO-8601 'basic format'. Got '" +
                                              s->amz_date +
                                              "'. See http://en.wikipedia.org/wiki/ISO_8601");
    }
    auto now = amz_date(now_ms);
    if (s->presigned && s->expires_s >= 0 && now_ms > *signed_at + s->expires_s * 1000) {
        return fail(Outcome::kPresignExpired,
                    "Signature expired: " + s->amz_date + " is now earlier than " +
                        amz_date(now_ms - s->expires_s * 1000) + " (" + now + " - " +
                        std::to_string(s->expires_s) + " sec.)");
    }
    if (!s->presigned && *signed_at < now_ms - kSkewMs) {
        return fail(Outcome::kExpired, "Signature expired: " + s->amz_date +
                                           " is now earlier than " + amz_date(now_ms - kSkewMs) +
                                           " (" + now + " - 15 min.)");
    }
    if (*signed_at > now_ms + kSkewMs) {
        return fail(Outcome::kNotYetCurrent,
                    "Signature not yet current: " + s->amz_date + " is still later than " +
                        amz_date(now_ms + kSkewMs) + " (" + now + " + 15 min.)");
    }
    std::string payload_hash(req.header("X-Amz-Content-Sha256"));
    if (payload_hash.empty()) payload_hash = sha256_hex(req.body);
    auto key = signing_key(*secret, s->date, s->region, s->service);
    auto expected = signature(
        key, string_to_sign(s->amz_date, s->scope(), canonical_request(req, *s, payload_hash)));
    if (expected != s->signature) {
        log_debug("sigv4", "signature mismatch; canonical request:\n" +
                               canonical_request(req, *s, payload_hash));
        return fail(
            Outcome::kMismatch,
            "The request signature we calculated does not match the signature you provided. "
            "Check your AWS Secret Access Key and signing method. Consult the service "
            "documentation for details.");
    }
    if (payload_hash == kStreaming) {
        auto body = decode_chunked(req.body, key, s->amz_date, s->scope(), expected);
        if (!body)
            return fail(Outcome::kBadBody, "The chunk signatures of the body do not verify.");
        v.body = std::move(*body);
        v.decoded = true;
    } else if (payload_hash != "UNSIGNED-PAYLOAD" && payload_hash != sha256_hex(req.body)) {
        return fail(Outcome::kMismatch,
                    "The provided 'x-amz-content-sha256' header does not match what was computed.");
    }
    return v;
}

}  // namespace kemu::sigv4
