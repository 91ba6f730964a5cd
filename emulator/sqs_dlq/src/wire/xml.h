#pragma once
// Query-protocol XML responses, rendered from the JSON protocol's output shape: maps and lists
// are flattened as the 2012-11-05 model says (docs/aws/sqs.md, Wire protocols).

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "core/encoding.h"  // xml_escape

namespace kemu::sqs_dlq::wire {

inline constexpr std::string_view kXmlns = "http://queue.amazonaws.com/doc/2012-11-05/";

// <{action}Response><{action}Result>…</{action}Result><ResponseMetadata>…
std::string xml_response(std::string_view action, const nlohmann::ordered_json& result,
                         std::string_view request_id);

std::string xml_error(std::string_view code, std::string_view message, bool sender_fault,
                      std::string_view request_id);

}  // namespace kemu::sqs_dlq::wire
