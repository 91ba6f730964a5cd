#include "cbor.h"

#include <nlohmann/json.hpp>

#include <cmath>

#include "core/encoding.h"

namespace kemu::kinesis::wire {
namespace {

bool is_timestamp_key(std::string_view key) {
    return key.size() >= 9 && key.substr(key.size() - 9) == "Timestamp";
}

boost::json::value to_boost(const nlohmann::json& j, std::string_view key) {
    using nlohmann::json;
    switch (j.type()) {
        case json::value_t::null:
        case json::value_t::discarded: return nullptr;
        case json::value_t::boolean: return j.get<bool>();
        case json::value_t::string: return boost::json::string(j.get_ref<const std::string&>());
        case json::value_t::binary: {
            const auto& b = j.get_binary();
            return boost::json::string(
                base64_encode(std::string_view(reinterpret_cast<const char*>(b.data()), b.size())));
        }
        case json::value_t::number_integer:
        case json::value_t::number_unsigned:
        case json::value_t::number_float: {
            // AWS: CBOR timestamps are epoch milliseconds; the JSON form is seconds.
            if (is_timestamp_key(key)) return j.get<double>() / 1000.0;
            if (j.is_number_float()) return j.get<double>();
            if (j.is_number_unsigned()) return j.get<uint64_t>();
            return j.get<int64_t>();
        }
        case json::value_t::array: {
            boost::json::array a;
            for (const auto& e : j) a.push_back(to_boost(e, key));
            return a;
        }
        case json::value_t::object: {
            boost::json::object o;
            for (auto it = j.begin(); it != j.end(); ++it) o[it.key()] = to_boost(it.value(), it.key());
            return o;
        }
    }
    return nullptr;
}

nlohmann::json from_boost(const boost::json::value& v, std::string_view key) {
    switch (v.kind()) {
        case boost::json::kind::null: return nullptr;
        case boost::json::kind::bool_: return v.get_bool();
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
            for (const auto& e : v.get_array()) a.push_back(from_boost(e, key));
            return a;
        }
        case boost::json::kind::object: {
            auto o = nlohmann::json::object();
            for (const auto& kv : v.get_object()) o[std::string(kv.key())] = from_boost(kv.value(), kv.key());
            return o;
        }
    }
    return nullptr;
}

}  // namespace

std::optional<boost::json::value> cbor_to_json(std::string_view bytes) {
    auto j = nlohmann::json::from_cbor(bytes.begin(), bytes.end(), true, false,
                                       nlohmann::json::cbor_tag_handler_t::ignore);
    if (j.is_discarded()) return std::nullopt;
    return to_boost(j, "");
}

std::string json_to_cbor(std::string_view json) {
    boost::json::error_code ec;
    auto v = boost::json::parse(json, ec);
    if (ec) return {};
    auto out = nlohmann::json::to_cbor(from_boost(v, ""));
    return std::string(out.begin(), out.end());
}

}  // namespace kemu::kinesis::wire
