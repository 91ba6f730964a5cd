#include "validate.h"

#include <algorithm>
#include <cctype>
#include <climits>
#include <cmath>
#include <cstdio>
#include <optional>
#include <string_view>

#include <boost/container/small_vector.hpp>

#include "core/encoding.h"

namespace kemu::kinesis::wire {
namespace json = boost::json;
namespace {

bool name_chars(std::string_view s) {
    if (s.empty()) return false;
    return std::all_of(s.begin(), s.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '-';
    });
}

bool digits_number(std::string_view s, size_t max_extra) {
    if (s == "0") return true;
    if (s.empty() || s[0] < '1' || s[0] > '9' || s.size() > 1 + max_extra) return false;
    return std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

bool stream_arn(std::string_view s) {
    // arn:aws.*:kinesis:.*:\d{12}:stream/\S+
    if (s.substr(0, 7) != "arn:aws") return false;
    auto k = s.find(":kinesis:");
    if (k == std::string_view::npos) return false;
    auto st = s.rfind(":stream/");
    if (st == std::string_view::npos || st < k + 9 || st < 12) return false;
    std::string_view acct = s.substr(st - 12, 12);
    if (s[st - 13] != ':' || !std::all_of(acct.begin(), acct.end(), ::isdigit)) return false;
    std::string_view name = s.substr(st + 8);
    return !name.empty() && std::none_of(name.begin(), name.end(), [](char c) {
        return std::isspace(static_cast<unsigned char>(c));
    });
}

bool any_text(std::string_view) {
    return true;
}

bool consumer_arn(std::string_view s) {
    // ^(arn):aws.*:kinesis:.*:\d{12}:.*stream/{name}/consumer/{name}:[0-9]+
    if (s.substr(0, 7) != "arn:aws") return false;
    auto k = s.find(":kinesis:");
    auto c = s.rfind("/consumer/");
    if (k == std::string_view::npos || c == std::string_view::npos || c < k) return false;
    std::string_view tail = s.substr(c + 10);
    auto colon = tail.rfind(':');
    if (colon == std::string_view::npos || !name_chars(tail.substr(0, colon))) return false;
    std::string_view stamp = tail.substr(colon + 1);
    if (stamp.empty() || !std::all_of(stamp.begin(), stamp.end(), ::isdigit)) return false;
    std::string_view head = s.substr(0, c);
    auto st = head.rfind("stream/");
    if (st == std::string_view::npos || !name_chars(head.substr(st + 7))) return false;
    // An account of 12 digits between colons, after ":kinesis:".
    for (size_t i = k + 8; i + 13 < st + 1; ++i) {
        if (s[i] != ':' || s[i + 13] != ':') continue;
        std::string_view acct = s.substr(i + 1, 12);
        if (std::all_of(acct.begin(), acct.end(), ::isdigit)) return true;
    }
    return false;
}

std::string render_number(const json::value& v) {
    if (v.is_int64()) return std::to_string(v.as_int64());
    if (v.is_uint64()) return std::to_string(v.as_uint64());
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.17g", v.as_double());
    return buf;
}

std::string render(const json::value& v, const FieldRule& r);

std::string render_inner(const json::value& v) {
    if (v.is_string()) return std::string(v.as_string());
    if (v.is_number()) return render_number(v);
    if (v.is_bool()) return v.as_bool() ? "true" : "false";
    return "null";
}

// The value as AWS's Java validator prints it inside '…'.
std::string render(const json::value& v, const FieldRule& r) {
    switch (r.type) {
        case FieldType::kBlob: {
            size_t n = base64_decoded_size(v.as_string());
            return "java.nio.HeapByteBuffer[pos=0 lim=" + std::to_string(n) +
                   " cap=" + std::to_string(n) + "]";
        }
        case FieldType::kList: {
            std::string out = "[";
            const auto& a = v.as_array();
            for (size_t i = 0; i < a.size(); ++i) {
                if (i) out += ", ";
                out += r.entry_type ? std::string(r.entry_type) + "@c965e310" : render_inner(a[i]);
            }
            return out + "]";
        }
        case FieldType::kMap: {
            std::string out = "{";
            bool first = true;
            for (const auto& kv : v.as_object()) {
                if (!first) out += ", ";
                first = false;
                out += std::string(kv.key()) + "=" + render_inner(kv.value());
            }
            return out + "}";
        }
        default:
            return render_inner(v);
    }
}

std::string lower_first(std::string_view name) {
    std::string s(name);
    if (!s.empty()) s[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(s[0])));
    return s;
}

const char* java_class(const json::value& v) {
    if (v.is_bool()) return "class java.lang.Boolean";
    if (v.is_string()) return "class java.lang.String";
    return "class com.amazon.coral.value.json.numbers.TruncatingBigNumber";
}

std::optional<std::string> blob_error(std::string_view s) {
    if (base64_canonical(s)) return std::nullopt;  // nearly every request: one pass, no copy
    std::string q = "'" + std::string(s) + "' can not be converted to a Blob: ";
    if (s.size() % 4 != 0) {
        return q + "Base64 encoded length is expected a multiple of 4 bytes but found: " +
               std::to_string(s.size());
    }
    // AWS names the first character that is outside the alphabet, or the first '=' that a
    // non-'=' follows (that '=', not the character after it).
    for (size_t i = 0; i < s.size(); ++i) {
        char c = s[i];
        bool b64 = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                   c == '+' || c == '/';
        bool misplaced_pad = c == '=' && i + 1 < s.size() && s[i + 1] != '=';
        if ((!b64 && c != '=') || misplaced_pad) {
            return q + "Invalid Base64 character: '" + std::string(1, c) + "'";
        }
    }
    if (!base64_canonical(s)) {
        return q + "Invalid last non-pad Base64 character dectected";
    }
    return std::nullopt;
}

// Integers are floored and clamped to 32 bits, as AWS's TruncatingBigNumber does.
void normalise_integer(json::value& v) {
    double d = v.is_double() ? std::floor(v.as_double())
                             : (v.is_int64() ? static_cast<double>(v.as_int64())
                                             : static_cast<double>(v.as_uint64()));
    if (d > 2147483647.0) d = 2147483647.0;
    if (d < -2147483648.0) d = -2147483648.0;
    v = static_cast<int64_t>(d);
}

std::optional<std::string> type_error(json::value& v, const FieldRule& r) {
    if (v.is_array() && r.type != FieldType::kList) return "Start of list found where not expected";
    if (v.is_object() && r.type != FieldType::kMap && r.type != FieldType::kStruct) {
        return "Start of structure or map found where not expected.";
    }
    switch (r.type) {
        case FieldType::kString:
            if (!v.is_string())
                return std::string(java_class(v)) + " can not be converted to an String";
            return std::nullopt;
        case FieldType::kInteger:
        case FieldType::kLong: {
            const char* t = r.type == FieldType::kInteger ? "Integer" : "Long";
            if (!v.is_number())
                return std::string(java_class(v)) + " can not be converted to an " + t;
            normalise_integer(v);
            return std::nullopt;
        }
        case FieldType::kBoolean:
            if (v.is_string()) {
                std::string up(v.as_string());
                for (auto& c : up)
                    c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
                return "'" + up + "' can not be converted to an Boolean";
            }
            if (!v.is_bool())
                return std::string(java_class(v)) + " can not be converted to an Boolean";
            return std::nullopt;
        case FieldType::kBlob:
            if (!v.is_string())
                return std::string(java_class(v)) + " can not be converted to a Blob";
            return blob_error(v.as_string());
        case FieldType::kTimestamp:
            if (!v.is_number()) {
                return std::string(java_class(v)) +
                       " can not be converted to milliseconds since epoch";
            }
            return std::nullopt;
        case FieldType::kList:
            if (!v.is_array()) return std::string("Expected list or null");
            for (auto& e : v.as_array()) {
                if (e.is_null()) continue;
                if (!r.members.empty()) {
                    if (e.is_array()) return std::string("Start of list found where not expected");
                    if (!e.is_object()) return std::string("Expected null");
                    if (auto err = check_types(e.as_object(), r.members)) return err;
                } else if (!e.is_string()) {
                    if (e.is_object())
                        return std::string("Start of structure or map found where not expected.");
                    if (e.is_array()) return std::string("Start of list found where not expected");
                    return std::string(java_class(e)) + " can not be converted to an String";
                }
            }
            return std::nullopt;
        case FieldType::kMap:
            if (!v.is_object()) return std::string("Expected map or null");
            for (auto& kv : v.as_object()) {
                if (!kv.value().is_string() && !kv.value().is_null()) {
                    return std::string(java_class(kv.value())) +
                           " can not be converted to an String";
                }
            }
            return std::nullopt;
        case FieldType::kStruct:
            if (!v.is_object()) return std::string("Expected null");
            return check_types(v.as_object(), r.members);
    }
    return std::nullopt;
}

struct Collector {
    std::vector<std::string> errors;
    void add(const std::string& value, const std::string& path, const std::string& constraint) {
        errors.push_back("Value " + value + " at '" + path +
                         "' failed to satisfy constraint: " + constraint);
    }
};

long value_length(const json::value& v, const FieldRule& r) {
    switch (r.type) {
        case FieldType::kBlob:
            return static_cast<long>(base64_decoded_size(v.as_string()));
        case FieldType::kList:
            return static_cast<long>(v.as_array().size());
        case FieldType::kMap:
            return static_cast<long>(v.as_object().size());
        default: {
            if (std::string_view(r.name) == "PartitionKey") {
                return static_cast<long>(utf16_length(v.as_string()));
            }
            return static_cast<long>(v.as_string().size());
        }
    }
}

// One rule for the order AWS lists failures in: the members of a structure by their wire path
// names (lowerCamelCase) in alphabetical order, e.g. ListTagsForStream's exclusiveStartTagKey,
// limit, streamName (docs/aws/kinesis.md, Wire protocol). Member types are still checked in
// declaration order (check_types).
boost::container::small_vector<const FieldRule*, 8> reported_order(const Rules& rules) {
    boost::container::small_vector<const FieldRule*, 8> out;
    for (const auto& r : rules)
        out.push_back(&r);
    // By lower_first(name), without building the strings; stable (an insertion sort: a
    // structure has a handful of members, and std::stable_sort would allocate a buffer).
    auto before = [](const FieldRule* a, const FieldRule* b) {
        std::string_view x = a->name, y = b->name;
        if (x.empty() || y.empty()) return x.size() < y.size();
        auto fx = std::tolower(static_cast<unsigned char>(x[0]));
        auto fy = std::tolower(static_cast<unsigned char>(y[0]));
        if (fx != fy) return fx < fy;
        return x.substr(1) < y.substr(1);
    };
    for (size_t i = 1; i < out.size(); ++i) {
        for (size_t j = i; j > 0 && before(out[j], out[j - 1]); --j)
            std::swap(out[j], out[j - 1]);
    }
    return out;
}

// A member's value as AWS shows it in a validation message ('...'), rendered only when a
// message needs it: valid requests (nearly all) never pay for it.
class Shown {
public:
    Shown(const json::value& v, const FieldRule& r) : v_(v), r_(r) {}
    operator const std::string&() const {
        if (!text_) text_ = "'" + render(v_, r_) + "'";
        return *text_;
    }

private:
    const json::value& v_;
    const FieldRule& r_;
    mutable std::optional<std::string> text_;
};

void check_member(const json::object& body, const FieldRule& r, const std::string& path,
                  Collector& c);

void check_length(const json::value& v, const FieldRule& r, const Shown& shown,
                  const std::string& path, Collector& c) {
    if (r.type != FieldType::kString && r.type != FieldType::kBlob && r.type != FieldType::kList &&
        r.type != FieldType::kMap) {
        return;
    }
    long len = value_length(v, r);
    if (r.min_len >= 0 && len < r.min_len) {
        c.add(shown, path,
              "Member must have length greater than or equal to " + std::to_string(r.min_len));
    }
    if (r.max_len >= 0 && len > r.max_len) {
        c.add(shown, path,
              "Member must have length less than or equal to " + std::to_string(r.max_len));
    }
}

void check_value(const json::value& v, const FieldRule& r, const Shown& shown,
                 const std::string& path, Collector& c) {
    if ((r.type == FieldType::kInteger || r.type == FieldType::kLong) && v.is_int64()) {
        long long n = v.as_int64();
        if (n < r.min_value) {
            c.add(shown, path,
                  "Member must have value greater than or equal to " + std::to_string(r.min_value));
        }
        if (n > r.max_value) {
            c.add(shown, path,
                  "Member must have value less than or equal to " + std::to_string(r.max_value));
        }
    }
    if (!r.enum_values.empty() && v.is_string()) {
        std::string_view s = v.as_string();
        if (std::find(r.enum_values.begin(), r.enum_values.end(), s) == r.enum_values.end()) {
            std::string set;
            for (const auto& e : r.enum_values)
                set += (set.empty() ? "" : ", ") + e;
            c.add(shown, path, "Member must satisfy enum value set: [" + set + "]");
        }
    }
}

// The element constraints of string lists and maps.
void check_elements(const json::value& v, const FieldRule& r, const Shown& shown,
                    const std::string& path, Collector& c) {
    if (r.type == FieldType::kList && r.element_constraint) {
        bool bad = false;
        for (const auto& e : v.as_array()) {
            if (!e.is_string()) continue;
            auto n = static_cast<long>(e.as_string().size());
            if (n < 1 || n > 128) bad = true;
        }
        if (bad) c.add(shown, path, r.element_constraint);
    }
    if (r.type != FieldType::kMap) return;
    bool keys_bad = false, values_bad = false;
    for (const auto& kv : v.as_object()) {
        if (kv.key().empty() || kv.key().size() > 128) keys_bad = true;
        if (kv.value().is_string() && kv.value().as_string().size() > 256) values_bad = true;
    }
    if (keys_bad) {
        c.add(shown, path,
              "Map keys must satisfy constraint: [Member must have length less than or equal "
              "to 128, Member must have length greater than or equal to 1]");
    }
    if (values_bad) {
        c.add(shown, path,
              "Map value must satisfy constraint: [Member must have length less than or equal "
              "to 256, Member must have length greater than or equal to 0]");
    }
}

// The members of structures: each entry of a list of structures, or one nested structure.
void check_nested(const json::value& v, const FieldRule& r, const std::string& path, Collector& c) {
    if (r.members.empty()) return;
    auto members = reported_order(r.members);
    if (r.type == FieldType::kStruct) {
        for (const auto* m : members)
            check_member(v.as_object(), *m, path + "." + lower_first(m->name), c);
        return;
    }
    if (r.type != FieldType::kList) return;
    const auto& a = v.as_array();
    static const json::object kEmpty;
    for (size_t i = 0; i < a.size(); ++i) {
        // A null element is checked as an empty structure: its required members are null.
        if (!a[i].is_object() && !a[i].is_null()) continue;
        std::string entry = path + "." + std::to_string(i + 1) + ".member.";
        for (const auto* m : members) {
            check_member(a[i].is_null() ? kEmpty : a[i].as_object(), *m,
                         entry + lower_first(m->name), c);
        }
    }
}

void check_member(const json::object& body, const FieldRule& r, const std::string& path,
                  Collector& c) {
    auto it = body.find(r.name);
    const json::value* v = (it == body.end() || it->value().is_null()) ? nullptr : &it->value();
    if (!v) {
        bool arn = body.contains("StreamARN") && !body.at("StreamARN").is_null();
        if (r.required || (r.stream_name && !arn)) c.add("null", path, "Member must not be null");
        return;
    }
    Shown shown(*v, r);
    if (r.pattern && v->is_string() && !r.pattern->match(v->as_string())) {
        c.add(shown, path,
              std::string("Member must satisfy regular expression pattern: ") + r.pattern->text);
    }
    check_length(*v, r, shown, path, c);
    check_value(*v, r, shown, path, c);
    check_elements(*v, r, shown, path, c);
    check_nested(*v, r, path, c);
}

}  // namespace

const Pattern kStreamNamePattern{"[a-zA-Z0-9_.-]+", name_chars};
const Pattern kShardIdPattern{"[a-zA-Z0-9_.-]+", name_chars};
const Pattern kStreamArnPattern{"arn:aws.*:kinesis:.*:\\d{12}:stream/\\S+", stream_arn};
const Pattern kHashKeyPattern{"0|([1-9]\\d{0,38})",
                              [](std::string_view s) { return digits_number(s, 38); }};
const Pattern kSequenceNumberPattern{"0|([1-9]\\d{0,128})",
                                     [](std::string_view s) { return digits_number(s, 128); }};
const Pattern kKeyIdPattern{"", any_text};
const Pattern kConsumerNamePattern{"[a-zA-Z0-9_.-]+", name_chars};
const Pattern kConsumerArnPattern{
    "^(arn):aws.*:kinesis:.*:\\d{12}:.*stream\\/[a-zA-Z0-9_.-]+\\/consumer\\/"
    "[a-zA-Z0-9_.-]+:[0-9]+",
    consumer_arn};

size_t utf16_length(std::string_view s) {
    size_t n = 0;
    for (unsigned char c : s) {
        if ((c & 0xc0) == 0x80) continue;
        n += (c >= 0xf0) ? 2 : 1;
    }
    return n;
}

size_t base64_decoded_size(std::string_view b) {
    if (b.size() < 4) return 0;
    size_t n = b.size() / 4 * 3;
    if (b.back() == '=') --n;
    if (b[b.size() - 2] == '=') --n;
    return n;
}

std::optional<std::string> check_types(json::object& body, const Rules& rules) {
    for (const auto& r : rules) {
        auto it = body.find(r.name);
        if (it == body.end() || it->value().is_null()) continue;
        if (auto err = type_error(it->value(), r)) return err;
    }
    return std::nullopt;
}

std::optional<std::string> check_constraints(const json::object& body, const Rules& rules) {
    Collector c;
    for (const auto* r : reported_order(rules))
        check_member(body, *r, lower_first(r->name), c);
    if (c.errors.empty()) return std::nullopt;
    size_t n = std::min<size_t>(c.errors.size(), 10);
    std::string out = std::to_string(n) +
                      (n == 1 ? " validation error detected: " : " validation errors detected: ");
    for (size_t i = 0; i < n; ++i) {
        if (i) out += "; ";
        out += c.errors[i];
    }
    return out;
}

}  // namespace kemu::kinesis::wire
