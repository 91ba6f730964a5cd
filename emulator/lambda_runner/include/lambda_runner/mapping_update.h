#pragma once
// UpdateEventSourceMapping's body for a Kinesis mapping, checked as Lambda checks it: each
// field's range (the service model's constraints, answered as a ValidationException), then the
// combinations Lambda refuses (InvalidParameterValueException). Shared by kemu's Lambda API
// (tools/kemu/lambda_api.cc) and its tests.

#include <string>

#include "lambda_runner/event_source_mapping.h"

namespace kemu::lambda_runner {

struct MappingUpdateError {
    std::string type;  // ValidationException, InvalidParameterValueException
    int status = 400;
    std::string message;
};

// Applies the JSON object `body` to `current`. Fields a Kinesis mapping cannot change here
// (FilterCriteria, DestinationConfig, TumblingWindowInSeconds, ...) are refused rather than
// ignored, so a caller never believes a change was made. Returns false with `*error` set.
bool parse_mapping_update(const std::string& body, const MappingSettings& current,
                          MappingSettings* out, MappingUpdateError* error);

// The mapping's UUID: lowercase 8-4-4-4-12 hex, derived from the function and stream ARNs so it
// is the same on every start (AWS assigns a random one once; kemu has no create call).
std::string mapping_uuid(const std::string& function_arn, const std::string& stream_arn);

}  // namespace kemu::lambda_runner
