#include "input.h"

#include <cerrno>
#include <cstdlib>

#include "../errors.h"
#include "core/encoding.h"

namespace kemu::sqs_dlq::wire {

std::string scalar_text(const json& v) {
    if (v.is_string()) return v.get<std::string>();
    if (v.is_array()) return "[...]";
    if (v.is_object()) return "{...}";
    return v.dump(-1, ' ', false, json::error_handler_t::replace);
}

std::optional<std::string> get_string(const json& in, const char* key) {
    auto it = in.find(key);
    if (it == in.end() || it->is_null()) return std::nullopt;
    return scalar_text(*it);
}

Result<std::optional<int64_t>> get_int(const json& in, const char* key) {
    auto it = in.find(key);
    if (it == in.end() || it->is_null()) return std::optional<int64_t>();
    if (it->is_number_integer()) return std::optional<int64_t>(it->get<int64_t>());
    std::string text = scalar_text(*it);
    char* end = nullptr;
    errno = 0;
    long long v = std::strtoll(text.c_str(), &end, 10);
    if (text.empty() || *end != '\0' || errno != 0) {
        return errors::not_an_integer(key, text);
    }
    return std::optional<int64_t>(v);
}

std::vector<std::string> get_list(const json& in, const char* key) {
    std::vector<std::string> out;
    auto it = in.find(key);
    if (it == in.end() || !it->is_array()) return out;
    for (const auto& v : *it) {
        if (v.is_string()) out.push_back(v.get<std::string>());
    }
    return out;
}

std::vector<std::pair<std::string, std::string>> get_map(const json& in, const char* key) {
    std::vector<std::pair<std::string, std::string>> out;
    auto it = in.find(key);
    if (it == in.end() || !it->is_object()) return out;
    for (const auto& [k, v] : it->items()) {
        out.emplace_back(k, scalar_text(v));
    }
    return out;
}

std::string queue_url(const Call& c, const std::string& account, const std::string& name) {
    return "http://" + (c.host.empty() ? std::string("localhost:4566") : c.host) + "/" + account +
           "/" + name;
}

Result<std::string> queue_of(const Call& c) {
    if (auto url = get_string(c.in, "QueueUrl"); url && !url->empty()) {
        std::string_view u = *url;
        while (u.ends_with('/'))
            u.remove_suffix(1);
        auto slash = u.rfind('/');
        return std::string(slash == std::string_view::npos ? u : u.substr(slash + 1));
    }
    if (!c.path_queue.empty()) return c.path_queue;
    return errors::missing_parameter("QueueUrl");
}

Result<MessageAttributes> parse_message_attributes(const json& in, const char* key) {
    MessageAttributes out;
    auto it = in.find(key);
    if (it == in.end() || !it->is_object()) return out;
    for (const auto& [name, v] : it->items()) {
        MessageAttribute a;
        if (!v.is_object()) return errors::message_attribute_invalid(name);
        a.data_type = get_string(v, "DataType").value_or("");
        if (a.data_type.empty()) return errors::message_attribute_type_missing(name);
        if (a.binary()) {
            auto b64 = get_string(v, "BinaryValue").value_or("");
            auto raw = base64_decode(b64);
            if (!raw) return errors::message_attribute_binary(name);
            a.value = std::move(*raw);
        } else {
            a.value = get_string(v, "StringValue").value_or("");
        }
        out.emplace(name, std::move(a));
    }
    return out;
}

}  // namespace kemu::sqs_dlq::wire
