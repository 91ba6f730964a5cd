#pragma once
// Kinesis request checking in AWS's order: member types (SerializationException, first failure
// wins), then constraints (ValidationException listing up to 10 failures, with AWS's exact text).
// The rules per action are data (rules.cc).

#include <climits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json.hpp>

namespace kemu::kinesis::wire {

enum class FieldType {
    kString,
    kInteger,
    kLong,
    kBoolean,
    kBlob,
    kTimestamp,
    kList,
    kMap,
    kStruct
};

struct Pattern {
    const char* text;  // as AWS prints it
    bool (*match)(std::string_view);
};

struct FieldRule {
    explicit FieldRule(const char* n, FieldType t = FieldType::kString) : name(n), type(t) {}
    const char* name;  // wire name, e.g. "StreamName"
    FieldType type = FieldType::kString;
    bool required = false;
    long min_len = -1;
    long max_len = -1;
    long long min_value = LLONG_MIN;
    long long max_value = LLONG_MAX;
    const Pattern* pattern = nullptr;
    std::vector<std::string> enum_values;
    // Lists of strings: the element constraint text; lists of structures: the member rules.
    const char* element_constraint = nullptr;
    std::vector<FieldRule> members;
    const char* entry_type = nullptr;  // Java class name rendered for structure list entries
    bool stream_name = false;          // StreamName: required unless StreamARN is given
};

using Rules = std::vector<FieldRule>;

// The SerializationException message for the first member of the wrong type, if any. Numbers
// are normalised in place (floored, clamped to 32 bits), blobs stay base64 text.
std::optional<std::string> check_types(boost::json::object& body, const Rules& rules);

// "N validation error(s) detected: ..." or nullopt when every constraint holds.
std::optional<std::string> check_constraints(const boost::json::object& body, const Rules& rules);

// UTF-16 code units in a UTF-8 string (Kinesis counts partition keys so).
size_t utf16_length(std::string_view s);

// Decoded byte length of valid base64 text.
size_t base64_decoded_size(std::string_view b64);

extern const Pattern kStreamNamePattern;
extern const Pattern kStreamArnPattern;
extern const Pattern kHashKeyPattern;
extern const Pattern kSequenceNumberPattern;
extern const Pattern kShardIdPattern;
extern const Pattern kKeyIdPattern;
extern const Pattern kConsumerNamePattern;
extern const Pattern kConsumerArnPattern;

}  // namespace kemu::kinesis::wire
