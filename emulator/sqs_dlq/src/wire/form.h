#pragma once
// The query protocol's form fields (`Attribute.1.Name=...`, decoded by core's parse_form)
// turned into the JSON protocol's input shape, so one set of actions serves both protocols
// (docs/aws/sqs.md, Wire protocols).

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace kemu::sqs_dlq::wire {

// {"Action": ..., "QueueUrl": ..., "Attributes": {...}, "Entries": [...], ...}
nlohmann::json form_to_input(const std::vector<std::pair<std::string, std::string>>& fields);

}  // namespace kemu::sqs_dlq::wire
