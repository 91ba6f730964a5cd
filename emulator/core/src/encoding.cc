#include "core/encoding.h"

#include <charconv>
#include <cstdio>
#include <ctime>
#include <random>

#include <openssl/evp.h>
#include <openssl/md5.h>

namespace kemu {
namespace {

constexpr char kB64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

constexpr std::array<int8_t, 256> make_b64_table() {
    std::array<int8_t, 256> t{};
    for (auto& v : t)
        v = -1;
    for (int i = 0; i < 64; ++i)
        t[static_cast<uint8_t>(kB64[i])] = static_cast<int8_t>(i);
    return t;
}
constexpr auto kB64Table = make_b64_table();

std::mt19937_64& rng() {
    thread_local std::mt19937_64 gen{std::random_device{}()};
    return gen;
}

}  // namespace

std::string base64_encode(std::string_view in) {
    std::string out;
    out.resize(((in.size() + 2) / 3) * 4);
    size_t o = 0, i = 0;
    const auto* p = reinterpret_cast<const uint8_t*>(in.data());
    for (; i + 2 < in.size(); i += 3) {
        uint32_t v = (p[i] << 16) | (p[i + 1] << 8) | p[i + 2];
        out[o++] = kB64[(v >> 18) & 63];
        out[o++] = kB64[(v >> 12) & 63];
        out[o++] = kB64[(v >> 6) & 63];
        out[o++] = kB64[v & 63];
    }
    if (i < in.size()) {
        uint32_t v = p[i] << 16;
        if (i + 1 < in.size()) v |= p[i + 1] << 8;
        out[o++] = kB64[(v >> 18) & 63];
        out[o++] = kB64[(v >> 12) & 63];
        out[o++] = i + 1 < in.size() ? kB64[(v >> 6) & 63] : '=';
        out[o++] = '=';
    }
    return out;
}

std::optional<std::string> base64_decode(std::string_view in) {
    if (in.size() % 4 != 0) return std::nullopt;
    if (in.empty()) return std::string();
    size_t pad = in.back() == '=' ? (in[in.size() - 2] == '=' ? 2 : 1) : 0;
    std::string out(in.size() / 4 * 3 - pad, '\0');
    const auto* p = reinterpret_cast<const uint8_t*>(in.data());
    auto* o = reinterpret_cast<uint8_t*>(out.data());
    // Every group but the last has no padding: four table look-ups, three bytes out.
    size_t full = in.size() - 4;
    for (size_t i = 0; i < full; i += 4, o += 3) {
        int32_t w = (kB64Table[p[i]] << 18) | (kB64Table[p[i + 1]] << 12) |
                    (kB64Table[p[i + 2]] << 6) | kB64Table[p[i + 3]];
        if (w < 0) return std::nullopt;  // a -1 (not in the alphabet) sets the sign bit
        o[0] = static_cast<uint8_t>(w >> 16);
        o[1] = static_cast<uint8_t>(w >> 8);
        o[2] = static_cast<uint8_t>(w);
    }
    // The last group: '=' only as its last one or two characters.
    int v[4];
    for (int k = 0; k < 4; ++k) {
        bool padded = k >= 4 - static_cast<int>(pad);
        if (!padded && p[full + k] == '=') return std::nullopt;
        v[k] = padded ? 0 : kB64Table[p[full + k]];
        if (v[k] < 0) return std::nullopt;
    }
    uint32_t w = (v[0] << 18) | (v[1] << 12) | (v[2] << 6) | v[3];
    o[0] = static_cast<uint8_t>(w >> 16);
    if (pad < 2) o[1] = static_cast<uint8_t>(w >> 8);
    if (pad < 1) o[2] = static_cast<uint8_t>(w);
    return out;
}

bool base64_canonical(std::string_view in) {
    if (in.size() % 4 != 0) return false;
    size_t pad = 0;
    while (pad < in.size() && in[in.size() - 1 - pad] == '=')
        ++pad;
    if (pad > 2) return false;
    for (size_t i = 0; i + pad < in.size(); ++i) {
        if (kB64Table[static_cast<uint8_t>(in[i])] < 0) return false;
    }
    if (pad == 0) return true;
    // One '=': the last character carries 4 bits of data, 2 unused; two: 2 bits, 4 unused.
    int last = kB64Table[static_cast<uint8_t>(in[in.size() - 1 - pad])];
    return (last & (pad == 1 ? 0x3 : 0xf)) == 0;
}

std::string hex_encode(std::string_view bytes) {
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out(bytes.size() * 2, '0');
    for (size_t i = 0; i < bytes.size(); ++i) {
        auto b = static_cast<uint8_t>(bytes[i]);
        out[2 * i] = kHex[b >> 4];
        out[2 * i + 1] = kHex[b & 15];
    }
    return out;
}

std::array<uint8_t, 16> md5(std::string_view bytes) {
    // Fetched once: EVP_md5() would look the algorithm up in OpenSSL 3's provider store on
    // every call, and EVP_Digest allocates a context each time (both showed in PutRecord's
    // profile: every record's partition key is hashed).
    static EVP_MD* const kMd5 = EVP_MD_fetch(nullptr, "MD5", nullptr);
    struct Ctx {
        EVP_MD_CTX* p = EVP_MD_CTX_new();
        ~Ctx() { EVP_MD_CTX_free(p); }
    };
    thread_local Ctx ctx;
    std::array<uint8_t, 16> digest{};
    unsigned int len = 0;
    if (!kMd5 || !ctx.p || !EVP_DigestInit_ex2(ctx.p, kMd5, nullptr) ||
        !EVP_DigestUpdate(ctx.p, bytes.data(), bytes.size()) ||
        !EVP_DigestFinal_ex(ctx.p, digest.data(), &len)) {
        EVP_Digest(bytes.data(), bytes.size(), digest.data(), &len, EVP_md5(), nullptr);
    }
    return digest;
}

std::string md5_hex(std::string_view bytes) {
    auto d = md5(bytes);
    return hex_encode(std::string_view(reinterpret_cast<const char*>(d.data()), d.size()));
}

std::string random_bytes(size_t n) {
    std::string out(n, '\0');
    auto& g = rng();
    for (size_t i = 0; i < n; i += 8) {
        uint64_t v = g();
        for (size_t k = 0; k < 8 && i + k < n; ++k)
            out[i + k] = static_cast<char>(v >> (8 * k));
    }
    return out;
}

std::string uuid_v4() {
    auto& g = rng();
    uint64_t hi = g(), lo = g();
    hi = (hi & 0xffffffffffff0fffULL) | 0x0000000000004000ULL;
    lo = (lo & 0x3fffffffffffffffULL) | 0x8000000000000000ULL;
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out(36, '-');
    int pos = 0;
    auto put = [&](uint64_t v, int nibbles) {
        for (int k = nibbles - 1; k >= 0; --k) {
            if (pos == 8 || pos == 13 || pos == 18 || pos == 23) ++pos;
            out[pos++] = kHex[(v >> (4 * k)) & 15];
        }
    };
    put(hi, 16);
    put(lo, 16);
    return out;
}

std::string iso8601_ms(int64_t epoch_ms) {
    std::time_t secs = static_cast<std::time_t>(epoch_ms / 1000);
    std::tm tm{};
    gmtime_r(&secs, &tm);
    char buf[96];
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                  tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                  static_cast<int>(epoch_ms % 1000));
    return buf;
}

void append_json_string(std::string& out, std::string_view s) {
    out.push_back('"');
    for (char ch : s) {
        auto c = static_cast<unsigned char>(ch);
        switch (c) {
            case '"':
                out += "\\\"";
                break;
            case '\\':
                out += "\\\\";
                break;
            case '\n':
                out += "\\n";
                break;
            case '\r':
                out += "\\r";
                break;
            case '\t':
                out += "\\t";
                break;
            default:
                if (c < 0x20) {
                    char buf[8];
                    std::snprintf(buf, sizeof buf, "\\u%04x", c);
                    out += buf;
                } else {
                    out.push_back(ch);
                }
        }
    }
    out.push_back('"');
}

std::optional<int64_t> parse_int64(std::string_view text) {
    int64_t v = 0;
    auto r = std::from_chars(text.data(), text.data() + text.size(), v);
    if (r.ec != std::errc() || r.ptr != text.data() + text.size()) return std::nullopt;
    return v;
}

std::optional<int64_t> whole_int64(double v) {
    // 2^63 is exact as a double; int64's range is [-2^63, 2^63). NaN fails both comparisons.
    constexpr double kTwo63 = 9223372036854775808.0;
    if (!(v >= -kTwo63 && v < kTwo63)) return std::nullopt;
    return static_cast<int64_t>(v);
}

bool valid_utf8(std::string_view bytes) {
    const auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
    const auto* end = p + bytes.size();
    while (p < end) {
        unsigned char c = *p;
        if (c < 0x80) {
            ++p;
            continue;
        }
        int n;
        uint32_t cp, min;
        if ((c & 0xE0) == 0xC0) {
            n = 1, cp = c & 0x1F, min = 0x80;
        } else if ((c & 0xF0) == 0xE0) {
            n = 2, cp = c & 0x0F, min = 0x800;
        } else if ((c & 0xF8) == 0xF0) {
            n = 3, cp = c & 0x07, min = 0x10000;
        } else {
            return false;
        }
        if (end - p <= n) return false;
        for (int i = 1; i <= n; ++i) {
            if ((p[i] & 0xC0) != 0x80) return false;
            cp = (cp << 6) | (p[i] & 0x3F);
        }
        if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
        p += n + 1;
    }
    return true;
}

std::string http_date(int64_t epoch_ms) {
    static constexpr const char* kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                              "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    std::time_t secs = static_cast<std::time_t>(epoch_ms / 1000);
    std::tm tm{};
    gmtime_r(&secs, &tm);
    char buf[40];  // not strftime: %a and %b follow the locale
    std::snprintf(buf, sizeof buf, "%s, %02d %s %04d %02d:%02d:%02d GMT", kDays[tm.tm_wday],
                  tm.tm_mday, kMonths[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min,
                  tm.tm_sec);
    return buf;
}

const std::string& http_date_now() {
    thread_local std::time_t cached_secs = -1;
    thread_local std::string cached;
    std::time_t now = std::time(nullptr);
    if (now != cached_secs) {
        cached_secs = now;
        cached = http_date(int64_t{now} * 1000);
    }
    return cached;
}

void xml_escape(std::string_view s, std::string& out) {
    for (char c : s) {
        switch (c) {
            case '&':
                out += "&amp;";
                break;
            case '<':
                out += "&lt;";
                break;
            case '>':
                out += "&gt;";
                break;
            case '"':
                out += "&quot;";
                break;
            case '\'':
                out += "&apos;";
                break;
            case '\r':
                out += "&#xD;";
                break;
            default:
                // XML 1.0 cannot carry other control characters, even escaped: a text echoing
                // client input must still parse.
                if (static_cast<unsigned char>(c) < 0x20 && c != '\t' && c != '\n') {
                    out.push_back('?');
                } else {
                    out.push_back(c);
                }
        }
    }
}

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

std::string percent_decode(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    for (size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '%' && i + 2 < s.size()) {
            int hi = hex_value(s[i + 1]), lo = hex_value(s[i + 2]);
            if (hi >= 0 && lo >= 0) {
                out.push_back(static_cast<char>(hi * 16 + lo));
                i += 2;
                continue;
            }
        }
        out.push_back(s[i]);
    }
    return out;
}

std::optional<std::string> form_decode(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    for (size_t i = 0; i < s.size(); ++i) {
        char c = s[i];
        if (c == '+') {
            out.push_back(' ');
        } else if (c == '%') {
            if (i + 2 >= s.size()) return std::nullopt;
            int hi = hex_value(s[i + 1]), lo = hex_value(s[i + 2]);
            if (hi < 0 || lo < 0) return std::nullopt;
            out.push_back(static_cast<char>(hi * 16 + lo));
            i += 2;
        } else {
            out.push_back(c);
        }
    }
    return out;
}

std::optional<std::vector<std::pair<std::string, std::string>>> parse_form(std::string_view body) {
    std::vector<std::pair<std::string, std::string>> out;
    while (!body.empty()) {
        auto amp = body.find('&');
        auto part = body.substr(0, amp);
        body = amp == std::string_view::npos ? std::string_view() : body.substr(amp + 1);
        if (part.empty()) continue;
        auto eq = part.find('=');
        auto key = form_decode(part.substr(0, eq));
        auto value =
            form_decode(eq == std::string_view::npos ? std::string_view() : part.substr(eq + 1));
        if (!key || !value) return std::nullopt;
        out.emplace_back(std::move(*key), std::move(*value));
    }
    return out;
}

}  // namespace kemu
