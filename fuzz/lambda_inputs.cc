// What the Lambda side reads from clients: UpdateEventSourceMapping's body (the Lambda API, PUT
// /2015-03-31/event-source-mappings/{UUID}) and FilterCriteria patterns (kemu.yaml's filters,
// matched against each record). Input: "<pattern>\n<record or body>": the head is parsed as a
// filter pattern and matched against the rest; the rest is also an update body.

#include <string>

#include <nlohmann/json.hpp>

#include "core/filter_pattern.h"
#include "lambda_runner/mapping_update.h"
#include "support.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    auto [head, body] = kemu::fuzz::split_head(data, size);
    kemu::lambda_runner::MappingSettings current, updated;
    kemu::lambda_runner::MappingUpdateError error;
    (void)kemu::lambda_runner::parse_mapping_update(std::string(body), current, &updated, &error);
    kemu::FilterPatternError why;
    if (auto pattern = kemu::FilterPattern::parse_text(head, &why)) {
        auto record = nlohmann::json::parse(body, nullptr, false);
        if (!record.is_discarded()) (void)pattern->matches(record);
    }
    return 0;
}
