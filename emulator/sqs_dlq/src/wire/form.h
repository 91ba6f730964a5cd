#pragma once
// The query protocol's form fields (`Attribute.1.Name=...`) turned into the JSON protocol's
// input shape, so one set of actions serves both protocols (docs/aws/sqs.md, Wire protocols).

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace kemu::sqs_dlq::wire {

// Percent-decodes an application/x-www-form-urlencoded string ('+' is a space). Form decoding
// is this one loop, so kemu does not link Boost.URL for it. nullopt on a bad escape.
std::optional<std::string> form_decode(std::string_view s);

// Splits "a=1&b=2" into decoded pairs; nullopt on a bad escape.
std::optional<std::vector<std::pair<std::string, std::string>>> parse_form(std::string_view body);

// {"Action": ..., "QueueUrl": ..., "Attributes": {...}, "Entries": [...], ...}
nlohmann::json form_to_input(const std::vector<std::pair<std::string, std::string>>& fields);

}  // namespace kemu::sqs_dlq::wire
