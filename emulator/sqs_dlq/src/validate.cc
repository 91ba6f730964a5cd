#include "validate.h"

#include <cctype>

#include <nlohmann/json.hpp>

#include "core/encoding.h"
#include "errors.h"
#include "queue_attributes.h"

namespace kemu::sqs_dlq {
namespace {

using json = nlohmann::json;

std::string base_type(std::string_view data_type) {
    for (std::string_view t : {"String", "Number", "Binary"}) {
        if (data_type.starts_with(t) &&
            (data_type.size() == t.size() || data_type[t.size()] == '.'))
            return std::string(t);
    }
    return {};
}

// A decimal number as SQS's Number type takes it: sign, digits, one dot, an exponent.
bool is_number(std::string_view v) {
    bool ok = !v.empty();
    bool digit = false;
    size_t i = (v[0] == '-' || v[0] == '+') ? 1 : 0;
    bool dot = false, exp = false;
    for (; ok && i < v.size(); ++i) {
        char ch = v[i];
        if (ch >= '0' && ch <= '9') {
            digit = true;
        } else if (ch == '.' && !dot && !exp) {
            dot = true;
        } else if ((ch == 'e' || ch == 'E') && digit && !exp) {
            exp = true;
            digit = false;
            if (i + 1 < v.size() && (v[i + 1] == '-' || v[i + 1] == '+')) ++i;
        } else {
            ok = false;
        }
    }
    return ok && digit;
}

// One attribute's value, past the name checks.
Result<void> check_attribute_value(const std::string& queue_name, const std::string& name,
                                   const std::string& value,
                                   const std::function<bool(const std::string&)>& queue_exists) {
    if (!valid_text(value)) return errors::invalid_attribute_value(name);
    if (const auto* def = int_attribute(name)) {
        auto v = parse_int64(value);
        if (!v || *v < def->min || *v > def->max) return errors::invalid_attribute_value(name);
    } else if (name == "SqsManagedSseEnabled") {
        if (value != "true" && value != "false") return errors::invalid_attribute_value(name);
    } else if (name == "RedrivePolicy" && !value.empty()) {
        auto r = parse_redrive(value);
        if (!r) return r.error();
        auto target = name_from_arn(r->target_arn);
        if (target.empty() || !queue_exists(target)) return errors::redrive_target_missing(value);
        if (target == queue_name) return errors::redrive_target_is_source(value);
    } else if ((name == "Policy" || name == "RedriveAllowPolicy") && !value.empty()) {
        json j = json::parse(value, nullptr, false);
        if (j.is_discarded() || !j.is_object()) return errors::invalid_attribute_value(name);
        if (name == "RedriveAllowPolicy") {
            auto p = j.find("redrivePermission");
            if (p == j.end() || !p->is_string() ||
                (*p != "allowAll" && *p != "denyAll" && *p != "byQueue"))
                return errors::invalid_attribute_value(name);
        }
    }
    return {};
}

}  // namespace

bool valid_text(std::string_view s) {
    if (!valid_utf8(s)) return false;
    // Well-formed UTF-8 (no surrogates, nothing past U+10FFFF) leaves two things to refuse: the
    // C0 controls but tab, LF and CR, and U+FFFE / U+FFFF (EF BF BE / EF BF BF). A byte below
    // 0x20 is always a character of its own in UTF-8.
    for (size_t i = 0; i < s.size(); ++i) {
        auto c = static_cast<uint8_t>(s[i]);
        if (c < 0x20 && c != 0x9 && c != 0xa && c != 0xd) return false;
        if (c == 0xef && i + 2 < s.size() && static_cast<uint8_t>(s[i + 1]) == 0xbf &&
            (static_cast<uint8_t>(s[i + 2]) & 0xfe) == 0xbe)
            return false;
    }
    return true;
}

Result<void> validate_queue_name(const std::string& name, const AttributeList& attributes) {
    bool valid = !name.empty() && name.size() <= 80;
    for (char c : name) {
        if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_')) valid = false;
    }
    if (name.ends_with(".fifo")) return errors::fifo_not_emulated(name);
    for (const auto& [k, v] : attributes) {
        if (k == "FifoQueue" && v == "true") return errors::fifo_queue_name();
    }
    if (!valid) return errors::queue_name_invalid();
    return {};
}

Result<void> validate_queue_attributes(
    const std::string& queue_name, const AttributeList& attrs,
    const std::function<bool(const std::string&)>& queue_exists) {
    bool kms = false, sqs_sse = false;
    for (const auto& [name, value] : attrs) {
        if (is_fifo_attribute(name)) return errors::fifo_only_attribute(name);
        if (!is_settable(name)) return errors::unknown_attribute(name);
        if (auto r = check_attribute_value(queue_name, name, value, queue_exists); !r) return r;
        if (name == "KmsMasterKeyId" && !value.empty()) kms = true;
        if (name == "SqsManagedSseEnabled" && value == "true") sqs_sse = true;
    }
    if (kms && sqs_sse) return errors::two_kinds_of_sse();
    return {};
}

Result<void> validate_tags(const std::vector<std::pair<std::string, std::string>>& tags) {
    for (const auto& [k, v] : tags) {
        if (k.empty() || !valid_text(k) || !valid_text(v)) return errors::tags_invalid();
    }
    return {};
}

Result<void> validate_message_attributes(const MessageAttributes& attributes) {
    if (attributes.size() > 10) return errors::too_many_message_attributes(attributes.size());
    for (const auto& [name, a] : attributes) {
        if (name.empty() || name.size() > 256) return errors::message_attribute_name_length();
        if (!valid_text(name) || !valid_text(a.data_type) || (!a.binary() && !valid_text(a.value)))
            return errors::message_attribute_characters(name);
        auto base = base_type(a.data_type);
        if (base.empty()) return errors::message_attribute_type(name);
        if (a.value.empty()) return errors::message_attribute_empty(name, base);
        if (base == "Number" && !is_number(a.value))
            return errors::message_attribute_not_a_number(name);
    }
    return {};
}

Result<void> validate_message_group_id(const std::string& id) {
    bool ok = !id.empty() && id.size() <= 128;
    for (unsigned char c : id) {
        if (c <= 0x20 || c >= 0x7f) ok = false;  // printable ASCII, no space
    }
    if (!ok) return errors::message_group_id_invalid(id);
    return {};
}

size_t attributes_size(const MessageAttributes& attributes) {
    size_t n = 0;
    for (const auto& [name, a] : attributes)
        n += name.size() + a.data_type.size() + a.value.size();
    return n;
}

}  // namespace kemu::sqs_dlq
