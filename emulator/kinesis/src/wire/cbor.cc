#include "cbor.h"

#include <cmath>
#include <cstring>

#include <nlohmann/json.hpp>

#include "core/encoding.h"

namespace kemu::kinesis::wire {
namespace {

bool is_timestamp_key(std::string_view key) {
    return key.size() >= 9 && key.substr(key.size() - 9) == "Timestamp";
}

// A CBOR reader straight into the JSON form. nlohmann 3.11.2 cannot be used here: it rejects
// tags 0..5, and the Java SDKs send every timestamp as tag 1.
class CborReader {
public:
    explicit CborReader(std::string_view in) : in_(in) {}

    std::optional<boost::json::value> document() {
        auto v = item("", 0);
        if (!v || pos_ != in_.size()) return std::nullopt;
        return v;
    }

private:
    static constexpr int kMaxDepth = 64;
    static constexpr uint64_t kBreak = ~uint64_t{0};

    bool byte(uint8_t* b) {
        if (pos_ >= in_.size()) return false;
        *b = static_cast<uint8_t>(in_[pos_++]);
        return true;
    }
    // The argument of an initial byte; kBreak for indefinite length (info 31).
    bool argument(uint8_t info, uint64_t* out) {
        if (info < 24) {
            *out = info;
            return true;
        }
        if (info == 31) {
            *out = kBreak;
            return true;
        }
        int n = info == 24 ? 1 : info == 25 ? 2 : info == 26 ? 4 : info == 27 ? 8 : 0;
        if (n == 0 || pos_ + static_cast<size_t>(n) > in_.size()) return false;
        uint64_t v = 0;
        for (int i = 0; i < n; ++i)
            v = (v << 8) | static_cast<uint8_t>(in_[pos_++]);
        *out = v;
        return true;
    }
    bool at_break() {
        if (pos_ < in_.size() && static_cast<uint8_t>(in_[pos_]) == 0xff) {
            ++pos_;
            return true;
        }
        return false;
    }
    // Definite or chunked byte/text string.
    bool string(int major, uint64_t len, std::string* out) {
        if (len != kBreak) {
            if (len > in_.size() - pos_) return false;
            out->append(in_.substr(pos_, len));
            pos_ += len;
            return true;
        }
        while (!at_break()) {
            uint8_t b;
            uint64_t n = 0;
            if (!byte(&b) || (b >> 5) != major || !argument(b & 31, &n) || n == kBreak)
                return false;
            if (!string(major, n, out)) return false;
        }
        return true;
    }
    static double half_to_double(uint16_t h) {
        int exp = (h >> 10) & 0x1f;
        int mant = h & 0x3ff;
        double v = exp == 0    ? std::ldexp(mant, -24)
                   : exp == 31 ? (mant ? NAN : INFINITY)
                               : std::ldexp(mant + 1024, exp - 25);
        return (h & 0x8000) ? -v : v;
    }
    boost::json::value number(double v, std::string_view key) {
        // AWS: CBOR timestamps are epoch milliseconds; the JSON form is seconds.
        if (is_timestamp_key(key)) return v / 1000.0;
        return v;
    }
    boost::json::value integer(int64_t v, std::string_view key) {
        if (is_timestamp_key(key)) return static_cast<double>(v) / 1000.0;
        return v;
    }

    std::optional<boost::json::value> item(std::string_view key, int depth) {
        if (depth > kMaxDepth) return std::nullopt;
        uint8_t b;
        if (!byte(&b)) return std::nullopt;
        int major = b >> 5;
        uint8_t info = b & 31;
        uint64_t arg;
        if (major != 7 && !argument(info, &arg)) return std::nullopt;
        switch (major) {
            case 0:
                if (arg > static_cast<uint64_t>(INT64_MAX)) return boost::json::value(arg);
                return integer(static_cast<int64_t>(arg), key);
            case 1:
                if (arg > static_cast<uint64_t>(INT64_MAX)) return std::nullopt;
                return integer(-1 - static_cast<int64_t>(arg), key);
            case 2: {
                std::string raw;
                if (!string(2, arg, &raw)) return std::nullopt;
                return boost::json::value(base64_encode(raw));
            }
            case 3: {
                std::string text;
                // A text string must be UTF-8 (RFC 8949 §3.1); the JSON path refuses the same.
                if (!string(3, arg, &text) || !valid_utf8(text)) return std::nullopt;
                return boost::json::value(text);
            }
            case 4: {
                boost::json::array a;
                for (uint64_t i = 0; arg == kBreak ? !at_break() : i < arg; ++i) {
                    auto v = item(key, depth + 1);
                    if (!v) return std::nullopt;
                    a.push_back(std::move(*v));
                }
                return boost::json::value(std::move(a));
            }
            case 5: {
                boost::json::object o;
                for (uint64_t i = 0; arg == kBreak ? !at_break() : i < arg; ++i) {
                    auto k = item("", depth + 1);
                    if (!k || !k->is_string()) return std::nullopt;
                    std::string name(k->as_string());
                    auto v = item(name, depth + 1);
                    if (!v) return std::nullopt;
                    o[name] = std::move(*v);
                }
                return boost::json::value(std::move(o));
            }
            case 6:
                return item(key, depth + 1);  // tags (1: epoch time) carry no meaning here
            default:
                break;
        }
        // major 7: simple values and floats
        switch (info) {
            case 20:
                return boost::json::value(false);
            case 21:
                return boost::json::value(true);
            case 22:
            case 23:
                return boost::json::value(nullptr);  // null, undefined: absent
            case 25: {
                uint64_t h;
                if (!argument(25, &h)) return std::nullopt;
                return number(half_to_double(static_cast<uint16_t>(h)), key);
            }
            case 26: {
                uint64_t f;
                if (!argument(26, &f)) return std::nullopt;
                float x;
                auto u = static_cast<uint32_t>(f);
                std::memcpy(&x, &u, 4);
                return number(x, key);
            }
            case 27: {
                uint64_t d;
                if (!argument(27, &d)) return std::nullopt;
                double x;
                std::memcpy(&x, &d, 8);
                return number(x, key);
            }
            default:
                return std::nullopt;
        }
    }

    std::string_view in_;
    size_t pos_ = 0;
};

nlohmann::json from_boost(const boost::json::value& v, std::string_view key) {
    switch (v.kind()) {
        case boost::json::kind::null:
            return nullptr;
        case boost::json::kind::bool_:
            return v.get_bool();
        case boost::json::kind::int64:
        case boost::json::kind::uint64:
        case boost::json::kind::double_: {
            double d = v.is_double() ? v.get_double()
                                     : (v.is_int64() ? static_cast<double>(v.get_int64())
                                                     : static_cast<double>(v.get_uint64()));
            if (is_timestamp_key(key)) return static_cast<int64_t>(std::llround(d * 1000.0));
            if (v.is_int64()) return v.get_int64();
            if (v.is_uint64()) return v.get_uint64();
            return d;
        }
        case boost::json::kind::string: {
            std::string_view s = v.get_string();
            if (key == "Data") {
                if (auto raw = base64_decode(s)) {
                    return nlohmann::json::binary(std::vector<uint8_t>(raw->begin(), raw->end()));
                }
            }
            return std::string(s);
        }
        case boost::json::kind::array: {
            auto a = nlohmann::json::array();
            for (const auto& e : v.get_array())
                a.push_back(from_boost(e, key));
            return a;
        }
        case boost::json::kind::object: {
            auto o = nlohmann::json::object();
            for (const auto& kv : v.get_object())
                o[std::string(kv.key())] = from_boost(kv.value(), kv.key());
            return o;
        }
    }
    return nullptr;
}

}  // namespace

std::optional<boost::json::value> cbor_to_json(std::string_view bytes) {
    return CborReader(bytes).document();
}

std::string json_to_cbor(std::string_view json) {
    boost::json::error_code ec;
    auto v = boost::json::parse(json, ec);
    if (ec) return {};
    auto out = nlohmann::json::to_cbor(from_boost(v, ""));
    return std::string(out.begin(), out.end());
}

}  // namespace kemu::kinesis::wire
