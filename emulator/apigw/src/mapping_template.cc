#include "mapping_template.h"

#include <charconv>
#include <cmath>

#include <boost/json.hpp>

#include "core/encoding.h"

namespace kemu::apigw {
namespace {

namespace json = boost::json;

void append_stream(std::string& out, const std::string* stream) {
    // AWS: a map miss renders the reference's source text, which Kinesis then rejects (400).
    if (stream) {
        out += *stream;
    } else {
        out += kUnknownStreamText;
    }
}

// Java's Double.toString: plain decimal in [1e-3, 1e7), else d.dddE<n>; always a fraction digit.
void append_java_double(std::string& out, double d) {
    if (std::isnan(d)) {
        out += "NaN";
        return;
    }
    if (std::isinf(d)) {
        out += d < 0 ? "-Infinity" : "Infinity";
        return;
    }
    char buf[64];
    double a = std::fabs(d);
    if (a == 0 || (a >= 1e-3 && a < 1e7)) {
        auto r = std::to_chars(buf, buf + sizeof buf, d, std::chars_format::fixed);
        std::string s(buf, r.ptr);
        if (s.find('.') == std::string::npos) s += ".0";
        out += s;
        return;
    }
    auto r = std::to_chars(buf, buf + sizeof buf, d, std::chars_format::scientific);
    std::string s(buf, r.ptr);  // e.g. "1.5e+20", "1e-05"
    auto e = s.find('e');
    std::string mant = s.substr(0, e);
    if (mant.find('.') == std::string::npos) mant += ".0";
    std::string exp = s.substr(e + 1);
    bool neg = !exp.empty() && exp[0] == '-';
    if (!exp.empty() && (exp[0] == '+' || exp[0] == '-')) exp.erase(0, 1);
    while (exp.size() > 1 && exp[0] == '0')
        exp.erase(0, 1);
    out += mant;
    out += 'E';
    if (neg) out += '-';
    out += exp;
}

// Looks up `key` in an object value; null when `v` is not an object or lacks it.
const json::value* member(const json::value& v, std::string_view key) {
    if (!v.is_object()) return nullptr;
    return v.as_object().if_contains(key);
}

}  // namespace

void append_java_text(std::string& out, const json::value& v) {
    switch (v.kind()) {
        case json::kind::string:
            out.append(v.get_string().data(), v.get_string().size());
            return;
        case json::kind::int64:
            out += std::to_string(v.get_int64());
            return;
        case json::kind::uint64:
            out += std::to_string(v.get_uint64());
            return;
        case json::kind::double_:
            append_java_double(out, v.get_double());
            return;
        case json::kind::bool_:
            out += v.get_bool() ? "true" : "false";
            return;
        case json::kind::null:
            out += "null";
            return;
        case json::kind::array: {
            out += '[';
            bool first = true;
            for (const auto& e : v.get_array()) {
                if (!first) out += ", ";
                first = false;
                append_java_text(out, e);
            }
            out += ']';
            return;
        }
        case json::kind::object: {
            out += '{';
            bool first = true;
            for (const auto& kv : v.get_object()) {
                if (!first) out += ", ";
                first = false;
                out.append(kv.key().data(), kv.key().size());
                out += '=';
                append_java_text(out, kv.value());
            }
            out += '}';
            return;
        }
    }
}

std::string render_put_record(const std::string* stream, std::string_view body,
                              std::string_view request_id) {
    std::string out;
    out.reserve(64 + (stream ? stream->size() : 48) + body.size() * 4 / 3 + request_id.size());
    out += R"({"StreamName":")";
    append_stream(out, stream);
    out += R"(","Data":")";
    out += base64_encode(body);  // AWS: the raw request body bytes exactly as sent
    out += R"(","PartitionKey":")";
    out += request_id;
    out += R"("})";
    return out;
}

Rendered render_put_records(const std::string* stream, std::string_view body) {
    Rendered r;
    json::value doc;
    bool blank = body.find_first_not_of(" \t\r\n") == std::string_view::npos;
    if (!blank) {
        json::error_code ec;
        doc = json::parse(body, ec);
        if (ec) {
            r.ok = false;
            r.error = "Could not parse request body into json: " + ec.message();
            return r;
        }
    }
    r.text.reserve(64 + body.size() * 4 / 3);
    r.text += R"({"StreamName":")";
    append_stream(r.text, stream);
    r.text += R"(","Records":[)";
    const json::value* records = member(doc, "records");
    // Velocity iterates lists, and a map's values; anything else runs the loop zero times.
    std::vector<const json::value*> items;
    if (records && records->is_array()) {
        for (const auto& e : records->get_array())
            items.push_back(&e);
    } else if (records && records->is_object()) {
        for (const auto& kv : records->get_object())
            items.push_back(&kv.value());
    }
    std::string scratch;
    for (size_t i = 0; i < items.size(); ++i) {
        if (i) r.text += ',';
        r.text += R"({"Data":")";
        const json::value* data = member(*items[i], "data");
        if (data && !data->is_null()) {
            scratch.clear();
            append_java_text(scratch, *data);
            r.text += base64_encode(scratch);
        } else {
            r.text += "$util.base64Encode($r.data)";  // null argument: the source text
        }
        r.text += R"(","PartitionKey":")";
        const json::value* pk = member(*items[i], "partitionKey");
        if (pk && !pk->is_null()) {
            append_java_text(r.text, *pk);  // AWS: pasted verbatim, no escaping
        } else {
            r.text += "$r.partitionKey";
        }
        r.text += R"("})";
    }
    r.text += "]}";
    return r;
}

std::string render_error_template(std::string_view kinesis_body) {
    json::error_code ec;
    json::value doc = json::parse(kinesis_body, ec);
    std::string out = R"({"message":")";
    // AWS: $input.path of a missing field prints as an empty string.
    if (!ec) {
        if (auto* m = member(doc, "message"); m && !m->is_null()) append_java_text(out, *m);
    }
    out += R"(","type":")";
    if (!ec) {
        if (auto* t = member(doc, "__type"); t && !t->is_null()) append_java_text(out, *t);
    }
    out += R"("})";
    return out;
}

}  // namespace kemu::apigw
