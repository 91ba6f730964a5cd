// CloudWatch's query protocol: a form POST (`Action=DescribeAlarms&Version=2010-08-01&...`)
// in, `<{Action}Response>` XML out, errors as `<ErrorResponse>`. Lists in forms are
// `Name.member.N`; in XML, `<member>` elements.

#include <cstdio>

#include "core/encoding.h"
#include "monitoring.h"

namespace kemu::cloudwatch::wire {
namespace {

constexpr std::string_view kXmlns = "http://monitoring.amazonaws.com/doc/2010-08-01/";

bool all_digits(std::string_view s) {
    if (s.empty()) return false;
    for (char c : s)
        if (c < '0' || c > '9') return false;
    return true;
}

void put(ojson& root, std::string_view key, std::string value) {
    ojson* cur = &root;
    std::vector<std::string_view> parts;
    size_t start = 0;
    while (true) {
        auto dot = key.find('.', start);
        parts.push_back(key.substr(start, dot - start));
        if (dot == std::string_view::npos) break;
        start = dot + 1;
    }
    for (size_t i = 0; i < parts.size(); ++i) {
        if (parts[i] == "member" && i + 1 < parts.size() && all_digits(parts[i + 1])) {
            // An index past what fits in 64 bits is as out of range as 1001.
            auto parsed = parse_int64(parts[i + 1]);
            if (!parsed || *parsed == 0 || *parsed > 1000) return;
            auto n = static_cast<size_t>(*parsed);
            if (!cur->is_array()) *cur = ojson::array();
            while (cur->size() < n)
                cur->push_back(nullptr);
            cur = &(*cur)[n - 1];
            ++i;
            continue;
        }
        if (!cur->is_object()) *cur = ojson::object();
        cur = &(*cur)[std::string(parts[i])];
    }
    *cur = std::move(value);
}

void xml_value(const ojson& v, std::string& out) {
    if (auto ms = timestamp_marker_ms(v)) {
        out += iso8601_ms(*ms);
    } else if (v.is_object()) {
        for (const auto& [k, item] : v.items()) {
            if (item.is_null()) continue;
            out += "<" + k + ">";
            xml_value(item, out);
            out += "</" + k + ">";
        }
    } else if (v.is_array()) {
        for (const auto& item : v) {
            out += "<member>";
            xml_value(item, out);
            out += "</member>";
        }
    } else if (v.is_string()) {
        xml_escape(v.get_ref<const std::string&>(), out);
    } else if (v.is_boolean()) {
        out += v.get<bool>() ? "true" : "false";
    } else if (v.is_number_float()) {
        char buf[40];
        std::snprintf(buf, sizeof buf, "%.17g", v.get<double>());
        out += buf;
    } else {
        out += v.dump();
    }
}

}  // namespace

std::optional<ojson> query_input(std::string_view form, std::string* action) {
    ojson input = ojson::object();
    auto fields = parse_form(form);
    if (!fields) return std::nullopt;
    for (auto& [k, v] : *fields) {
        if (k == "Action") {
            *action = std::move(v);
        } else if (k != "Version") {
            put(input, k, std::move(v));
        }
    }
    return input;
}

std::string query_xml(std::string_view action, const ojson& output, const std::string& request_id) {
    std::string a(action);
    std::string out = "<" + a + "Response xmlns=\"" + std::string(kXmlns) + "\">";
    if (!output.is_null()) {
        out += "<" + a + "Result>";
        xml_value(output, out);
        out += "</" + a + "Result>";
    }
    out += "<ResponseMetadata><RequestId>" + request_id + "</RequestId></ResponseMetadata></" + a +
           "Response>";
    return out;
}

std::string query_error_xml(const ApiError& e, const std::string& request_id) {
    std::string out = "<ErrorResponse xmlns=\"" + std::string(kXmlns) + "\"><Error><Type>";
    out += e.sender ? "Sender" : "Receiver";
    out += "</Type><Code>" + e.code + "</Code><Message>";
    xml_escape(e.message, out);
    out += "</Message></Error><RequestId>" + request_id + "</RequestId></ErrorResponse>";
    return out;
}

}  // namespace kemu::cloudwatch::wire
