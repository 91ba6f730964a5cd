#pragma once
// Lambda event filtering (FilterCriteria): EventBridge-style patterns, parsed and validated once
// (kemu validate), matched per record by the Lambda runner (docs/aws/lambda.md, Event
// filtering). A record matches a mapping's criteria when any of its patterns matches.
//
// A pattern is a JSON object. Each key names a field of the record: an object value descends
// into the field, an array value lists what the field may be; any entry may match:
//   exact values       "type": ["created", 7, true, null]
//   prefix / suffix    "id": [{"prefix": "ord-"}], [{"suffix": {"equals-ignore-case": ".PNG"}}]
//   anything-but       [{"anything-but": "x"}], [{"anything-but": ["x", 2]}],
//                      [{"anything-but": {"prefix": "x"}}]   (also suffix, equals-ignore-case)
//   numeric            [{"numeric": [">", 0, "<=", 5]}], [{"numeric": ["=", 3]}]
//   exists             [{"exists": true}], [{"exists": false}]
//   equals-ignore-case [{"equals-ignore-case": "Created"}]
//   $or                "$or": [{"a": [1]}, {"b": [2]}]   (alternatives at that level)
// All keys of an object must match. A field holding an array matches when any element does.
//
// Example: FilterPattern::parse(json::parse(R"({"data":{"type":["created"]}})"), &why)
// matches {"partitionKey":"k","data":{"type":"created"}} and not {"data":{"type":"deleted"}}.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace kemu {

// AWS answers InvalidParameterValueException with this sentence for any pattern it cannot use.
inline constexpr std::string_view kInvalidFilterPattern = "Invalid filter pattern definition.";
// AWS's default quota of filters per event source mapping, and a pattern's length limit
// (characters of its JSON text).
inline constexpr size_t kMaxFilters = 5;
inline constexpr size_t kMaxFilterPatternChars = 4096;

struct FilterPatternError {
    std::vector<std::string> path;  // keys from the pattern's root to the faulty entry
    std::string reason;             // what kemu found wrong, for the user
};

class FilterPattern {
public:
    // Validates `pattern`. On failure returns nullopt and, when `error` is given, says where.
    static std::optional<FilterPattern> parse(const nlohmann::json& pattern,
                                              FilterPatternError* error = nullptr);
    // Parses JSON text, then validates it. Text that is not JSON fails with an empty path.
    static std::optional<FilterPattern> parse_text(std::string_view text,
                                                   FilterPatternError* error = nullptr);

    // Whether `record` matches. `record` is the document the pattern was written against (for
    // Kinesis, the record's metadata with `data` decoded; lambda_runner builds it).
    bool matches(const nlohmann::json& record) const;

    const nlohmann::json& pattern() const { return pattern_; }

private:
    explicit FilterPattern(nlohmann::json p) : pattern_(std::move(p)) {}
    nlohmann::json pattern_;
};

// True when any pattern matches; an empty list matches everything (no filtering).
bool matches_any(const std::vector<FilterPattern>& patterns, const nlohmann::json& record);

}  // namespace kemu
