// CloudWatch's three protocols around the same actions:
//   query         form POST to any path, XML answers (AWS CLI v2 2.9, boto3 1.26)
//   AWS JSON 1.0  `X-Amz-Target: GraniteServiceVersion20100801.{Action}` with
//                 `x-amzn-query-mode: true` (botocore 1.43 and AWS CLI v1 1.45 pick it from the
//                 model's protocol list)
//   RPC v2 CBOR   POST /service/GraniteServiceVersion20100801/operation/{Action}, CBOR bodies,
//                 `smithy-protocol: rpc-v2-cbor` (botocore 1.43, AWS CLI v1 1.45, the JS SDK).
// CloudWatch is "AWS query compatible": a JSON or CBOR error's __type is the error's shape name and
// the `x-amzn-query-error: {query code};Sender` header carries the query protocol's code, which the
// SDKs use to raise the same exception as over the query protocol.

#include "monitoring.h"

#include <bit>
#include <cmath>
#include <cstring>
#include <limits>

#include "core/encoding.h"

namespace kemu::cloudwatch::wire {
namespace {

// The model's shape for each query error code (botocore's cloudwatch service-2.json).
std::string_view shape_of(std::string_view code) {
    if (code == "InvalidParameterValue") return "InvalidParameterValueException";
    if (code == "MissingParameter") return "MissingRequiredParameterException";
    if (code == "InvalidParameterCombination") return "InvalidParameterCombinationException";
    if (code == "InvalidFormat") return "InvalidFormatFault";
    if (code == "InternalFailure") return "InternalServiceFault";
    return code;  // ResourceNotFound, InvalidNextToken, ValidationError
}

void cbor_head(std::string& out, uint8_t major, uint64_t n) {
    uint8_t m = static_cast<uint8_t>(major << 5);
    if (n < 24) {
        out += static_cast<char>(m | n);
    } else if (n <= 0xff) {
        out += static_cast<char>(m | 24);
        out += static_cast<char>(n);
    } else if (n <= 0xffff) {
        out += static_cast<char>(m | 25);
        for (int s = 8; s >= 0; s -= 8)
            out += static_cast<char>(n >> s);
    } else if (n <= 0xffffffffULL) {
        out += static_cast<char>(m | 26);
        for (int s = 24; s >= 0; s -= 8)
            out += static_cast<char>(n >> s);
    } else {
        out += static_cast<char>(m | 27);
        for (int s = 56; s >= 0; s -= 8)
            out += static_cast<char>(n >> s);
    }
}

void cbor_double(std::string& out, double d) {
    out += static_cast<char>(0xfb);
    auto bits = std::bit_cast<uint64_t>(d);
    for (int s = 56; s >= 0; s -= 8)
        out += static_cast<char>(bits >> s);
}

void cbor_value(const ojson& v, std::string& out) {
    if (auto ms = timestamp_marker_ms(v)) {
        cbor_head(out, 6, 1);  // tag 1: epoch seconds
        cbor_double(out, static_cast<double>(*ms) / 1000.0);
    } else if (v.is_object()) {
        size_t n = 0;
        for (const auto& [k, item] : v.items())
            if (!item.is_null()) ++n;
        cbor_head(out, 5, n);
        for (const auto& [k, item] : v.items()) {
            if (item.is_null()) continue;
            cbor_head(out, 3, k.size());
            out += k;
            cbor_value(item, out);
        }
    } else if (v.is_array()) {
        cbor_head(out, 4, v.size());
        for (const auto& item : v)
            cbor_value(item, out);
    } else if (v.is_string()) {
        const auto& s = v.get_ref<const std::string&>();
        cbor_head(out, 3, s.size());
        out += s;
    } else if (v.is_boolean()) {
        out += static_cast<char>(v.get<bool>() ? 0xf5 : 0xf4);
    } else if (v.is_number_unsigned()) {
        cbor_head(out, 0, v.get<uint64_t>());
    } else if (v.is_number_integer()) {
        auto i = v.get<int64_t>();
        if (i >= 0)
            cbor_head(out, 0, static_cast<uint64_t>(i));
        else
            cbor_head(out, 1, static_cast<uint64_t>(-1 - i));
    } else if (v.is_number_float()) {
        cbor_double(out, v.get<double>());
    } else {
        out += static_cast<char>(0xf6);  // null
    }
}

HttpResponse cbor_response(int status, const ojson& body, const std::string& request_id) {
    HttpResponse r;
    r.status = status;
    r.set_header("smithy-protocol", "rpc-v2-cbor");
    r.set_header("Content-Type", "application/cbor");
    r.set_header("x-amzn-RequestId", request_id);
    cbor_value(body.is_null() ? ojson::object() : body, r.body);
    return r;
}

HttpResponse cbor_error(const ApiError& e, const std::string& request_id) {
    auto r = cbor_response(
        e.status, {{"__type", std::string(shape_of(e.code))}, {"message", e.message}}, request_id);
    r.set_header("x-amzn-query-error", e.code + (e.sender ? ";Sender" : ";Receiver"));
    return r;
}

HttpResponse xml_response(int status, std::string body, const std::string& request_id) {
    HttpResponse r;
    r.status = status;
    r.set_header("Content-Type", "text/xml");
    r.set_header("x-amzn-RequestId", request_id);
    r.body = std::move(body);
    return r;
}

// A CBOR decoder into JSON values: the RPC v2 CBOR requests' subset (definite and indefinite
// lengths, byte strings as base64 text, tag 1 timestamps as their epoch seconds; other tags are
// read through). Bounded nesting, every length checked against the input.
struct CborReader {
    std::string_view in;
    size_t pos = 0;

    std::optional<uint64_t> arg(uint8_t info) {
        if (info < 24) return info;
        int n = info == 24 ? 1 : info == 25 ? 2 : info == 26 ? 4 : info == 27 ? 8 : 0;
        if (n == 0 || in.size() - pos < static_cast<size_t>(n)) return std::nullopt;
        uint64_t v = 0;
        for (int i = 0; i < n; ++i)
            v = (v << 8) | static_cast<uint8_t>(in[pos++]);
        return v;
    }

    bool at_break() {
        if (pos < in.size() && static_cast<uint8_t>(in[pos]) == 0xff) {
            ++pos;
            return true;
        }
        return false;
    }

    std::optional<std::string> text(uint8_t major, uint8_t info) {
        if (info == 31) {  // indefinite: definite chunks of the same major type, then a break
            std::string out;
            while (!at_break()) {
                if (pos >= in.size()) return std::nullopt;
                auto b = static_cast<uint8_t>(in[pos++]);
                if (b >> 5 != major || (b & 31) == 31) return std::nullopt;
                auto chunk = text(major, b & 31);
                if (!chunk) return std::nullopt;
                out += *chunk;
            }
            return out;
        }
        auto n = arg(info);
        if (!n || *n > in.size() - pos) return std::nullopt;
        std::string out(in.substr(pos, *n));
        pos += *n;
        return out;
    }

    std::optional<ojson> item(int depth) {
        if (depth > 64 || pos >= in.size()) return std::nullopt;
        auto b = static_cast<uint8_t>(in[pos++]);
        uint8_t major = b >> 5, info = b & 31;
        switch (major) {
            case 0: {
                auto v = arg(info);
                if (!v) return std::nullopt;
                return ojson(*v);
            }
            case 1: {
                auto v = arg(info);
                if (!v) return std::nullopt;
                // -1 - n; below int64's range it is kept as a double, as nlohmann's reader does.
                if (*v > static_cast<uint64_t>(std::numeric_limits<int64_t>::max()))
                    return ojson(-1.0 - static_cast<double>(*v));
                return ojson(-1 - static_cast<int64_t>(*v));
            }
            case 2: {
                auto t = text(major, info);
                if (!t) return std::nullopt;
                return ojson(base64_encode(*t));
            }
            case 3: {
                auto t = text(major, info);
                if (!t) return std::nullopt;
                return ojson(std::move(*t));
            }
            case 4:
            case 5: {
                ojson out = major == 4 ? ojson::array() : ojson::object();
                std::optional<uint64_t> n;
                if (info != 31) {
                    n = arg(info);
                    if (!n || *n > in.size() - pos) return std::nullopt;
                }
                for (uint64_t i = 0; n ? i < *n : !at_break(); ++i) {
                    if (major == 4) {
                        auto v = item(depth + 1);
                        if (!v) return std::nullopt;
                        out.push_back(std::move(*v));
                        continue;
                    }
                    auto k = item(depth + 1);
                    if (!k || !k->is_string()) return std::nullopt;
                    auto v = item(depth + 1);
                    if (!v) return std::nullopt;
                    out[k->get<std::string>()] = std::move(*v);
                }
                return out;
            }
            case 6:
                if (!arg(info)) return std::nullopt;
                return item(depth + 1);  // tag 1 (epoch seconds) and others: the value itself
            default:
                break;
        }
        if (info == 20 || info == 21) return ojson(info == 21);
        if (info == 22 || info == 23) return ojson(nullptr);
        if (info == 25 || info == 26 || info == 27) {
            auto v = arg(info);
            if (!v) return std::nullopt;
            if (info == 27) return ojson(std::bit_cast<double>(*v));
            if (info == 26)
                return ojson(static_cast<double>(std::bit_cast<float>(static_cast<uint32_t>(*v))));
            // half precision
            int exp = static_cast<int>((*v >> 10) & 0x1f);
            double mant = static_cast<double>(*v & 0x3ff);
            double d = exp == 0    ? std::ldexp(mant, -24)
                       : exp == 31 ? (mant == 0 ? INFINITY : NAN)
                                   : std::ldexp(mant + 1024, exp - 25);
            return ojson((*v & 0x8000) ? -d : d);
        }
        return std::nullopt;
    }
};

bool is_cbor(const HttpRequest& req) {
    return req.path().starts_with(kCborPathPrefix);
}

bool is_json(const HttpRequest& req) {
    return req.header("X-Amz-Target").starts_with(kJsonTargetPrefix);
}

// JSON 1.0 timestamps are epoch seconds.
ojson json_protocol(const ojson& v) {
    if (auto ms = timestamp_marker_ms(v)) return static_cast<double>(*ms) / 1000.0;
    if (v.is_object()) {
        ojson out = ojson::object();
        for (const auto& [k, item] : v.items())
            if (!item.is_null()) out[k] = json_protocol(item);
        return out;
    }
    if (v.is_array()) {
        ojson out = ojson::array();
        for (const auto& item : v)
            out.push_back(json_protocol(item));
        return out;
    }
    return v;
}

HttpResponse json_response(int status, const ojson& body, const std::string& request_id) {
    HttpResponse r;
    r.status = status;
    r.set_header("Content-Type", "application/x-amz-json-1.0");
    r.set_header("x-amzn-RequestId", request_id);
    r.body = json_protocol(body.is_null() ? ojson::object() : body).dump();
    return r;
}

HttpResponse json_error(const ApiError& e, const std::string& request_id) {
    auto r = json_response(
        e.status, {{"__type", std::string(shape_of(e.code))}, {"message", e.message}}, request_id);
    r.set_header("x-amzn-query-error", e.code + (e.sender ? ";Sender" : ";Receiver"));
    return r;
}

}  // namespace

std::optional<ojson> cbor_input(std::string_view body) {
    if (body.empty()) return ojson::object();
    CborReader r{body};
    auto v = r.item(0);
    if (!v || r.pos != body.size() || !v->is_object()) return std::nullopt;
    return v;
}

std::string cbor_encode(const ojson& v) {
    std::string out;
    cbor_value(v, out);
    return out;
}

HttpResponse monitoring_error(const HttpRequest& req, const ApiError& e) {
    auto id = uuid_v4();
    if (is_json(req)) return json_error(e, id);
    return is_cbor(req) ? cbor_error(e, id) : xml_response(e.status, query_error_xml(e, id), id);
}

HttpResponse handle_monitoring(CloudWatch& cw, const Clock& clock, const ApiOptions& options,
                               const HttpRequest& req) {
    auto id = uuid_v4();
    if (is_json(req)) {
        auto action = req.header("X-Amz-Target").substr(kJsonTargetPrefix.size());
        auto input =
            ojson::parse(req.body.empty() ? std::string_view("{}") : req.body, nullptr, false);
        if (input.is_discarded() || !input.is_object())
            return json_error({"SerializationException", 400,
                               "The request body is not valid "
                               "JSON."},
                              id);
        auto r = run_monitoring_action(cw, clock, options, action, input);
        if (r.error) return json_error(*r.error, id);
        return json_response(200, r.output, id);
    }
    if (is_cbor(req)) {
        // /service/GraniteServiceVersion20100801/operation/{Action}
        auto rest = req.path().substr(kCborPathPrefix.size());
        constexpr std::string_view kOperation = "operation/";
        if (!rest.starts_with(kOperation) || req.method != "POST")
            return cbor_error({"UnknownOperationException", 404, ""}, id);
        auto action = rest.substr(kOperation.size());
        auto input = cbor_input(req.body);
        if (!input)
            return cbor_error({"SerializationException", 400,
                               "The request body is not valid "
                               "CBOR."},
                              id);
        auto r = run_monitoring_action(cw, clock, options, action, *input);
        if (r.error) return cbor_error(*r.error, id);
        return cbor_response(200, r.output, id);
    }
    std::string action;
    auto input = query_input(req.body, &action);
    if (!input)
        return xml_response(
            400,
            query_error_xml(
                {"MalformedQueryString", 400, "The query string is not valid form encoding."}, id),
            id);
    if (action.empty()) return xml_response(400, query_error_xml(missing_action(), id), id);
    auto r = run_monitoring_action(cw, clock, options, action, *input);
    if (r.error) return xml_response(r.error->status, query_error_xml(*r.error, id), id);
    return xml_response(200, query_xml(action, r.output, id), id);
}

ApiError missing_action() {
    return {"MissingAction", 400, "The request is missing an action or a required parameter."};
}

}  // namespace kemu::cloudwatch::wire
