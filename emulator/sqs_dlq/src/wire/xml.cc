#include "xml.h"

namespace kemu::sqs_dlq::wire {
namespace {

using ojson = nlohmann::ordered_json;

void scalar(const ojson& v, std::string& out) {
    if (v.is_string()) {
        xml_escape(v.get_ref<const std::string&>(), out);
    } else if (v.is_boolean()) {
        out += v.get<bool>() ? "true" : "false";
    } else if (!v.is_null()) {
        out += v.dump();
    }
}

void element(std::string_view name, const ojson& v, std::string_view action, std::string& out);

// Map members flattened as repeated <entry><key/><value/></entry>.
void flat_map(std::string_view entry, std::string_view key_name, std::string_view value_name,
              const ojson& m, std::string_view action, std::string& out) {
    for (const auto& [k, v] : m.items()) {
        out += '<';
        out += entry;
        out += "><";
        out += key_name;
        out += '>';
        xml_escape(k, out);
        out += "</";
        out += key_name;
        out += '>';
        element(value_name, v, action, out);
        out += "</";
        out += entry;
        out += '>';
    }
}

std::string list_entry_name(std::string_view list, std::string_view action) {
    if (list == "QueueUrls") return "QueueUrl";
    if (list == "Messages") return "Message";
    if (list == "Failed") return "BatchResultErrorEntry";
    if (list == "Successful") return std::string(action) + "ResultEntry";
    if (list == "Results") return std::string(action) + "ResultEntry";
    if (list == "StringListValues") return "StringListValue";
    if (list == "BinaryListValues") return "BinaryListValue";
    if (list == "queueUrls") return "QueueUrl";
    return std::string(list);
}

void element(std::string_view name, const ojson& v, std::string_view action, std::string& out) {
    if (v.is_object()) {
        if (name == "Attributes") return flat_map("Attribute", "Name", "Value", v, action, out);
        if (name == "Tags") return flat_map("Tag", "Key", "Value", v, action, out);
        if (name == "MessageAttributes")
            return flat_map("MessageAttribute", "Name", "Value", v, action, out);
        out += '<';
        out += name;
        out += '>';
        for (const auto& [k, child] : v.items())
            element(k, child, action, out);
        out += "</";
        out += name;
        out += '>';
        return;
    }
    if (v.is_array()) {
        auto entry = list_entry_name(name, action);
        for (const auto& child : v)
            element(entry, child, action, out);
        return;
    }
    out += '<';
    out += name;
    out += '>';
    scalar(v, out);
    out += "</";
    out += name;
    out += '>';
}

}  // namespace

std::string xml_response(std::string_view action, const ojson& result,
                         std::string_view request_id) {
    std::string out;
    out.reserve(512);
    out += "<?xml version=\"1.0\"?><";
    out += action;
    out += "Response xmlns=\"";
    out += kXmlns;
    out += "\">";
    if (!result.is_null()) {
        out += '<';
        out += action;
        out += "Result>";
        for (const auto& [k, v] : result.items())
            element(k, v, action, out);
        out += "</";
        out += action;
        out += "Result>";
    }
    out += "<ResponseMetadata><RequestId>";
    out += request_id;
    out += "</RequestId></ResponseMetadata></";
    out += action;
    out += "Response>";
    return out;
}

std::string xml_error(std::string_view code, std::string_view message, bool sender_fault,
                      std::string_view request_id) {
    std::string out = "<?xml version=\"1.0\"?><ErrorResponse xmlns=\"";
    out += kXmlns;
    out += "\"><Error><Type>";
    out += sender_fault ? "Sender" : "Receiver";
    out += "</Type><Code>";
    xml_escape(code, out);
    out += "</Code><Message>";
    xml_escape(message, out);
    out += "</Message><Detail/></Error><RequestId>";
    out += request_id;
    out += "</RequestId></ErrorResponse>";
    return out;
}

}  // namespace kemu::sqs_dlq::wire
