#pragma once
// The Kinesis actions: validated JSON-form input -> Store call -> JSON response text.

#include <boost/json.hpp>

#include <string>
#include <string_view>

#include "core/aws_error.h"
#include "core/clock.h"
#include "kinesis/store.h"

namespace kemu::kinesis::wire {

struct Context {
    Store& store;
    const Clock& clock;
    std::string account;
    std::string region;
};

struct ActionOutput {
    bool empty_body = false;  // AWS: actions without output answer 200 with no body at all
    std::string json;
};

using Action = Result<ActionOutput> (*)(Context& ctx, const boost::json::object& in);

// null for an action kemu does not implement.
Action action_for(std::string_view name);

// JSON string literal with AWS's escaping.
void append_json_string(std::string& out, std::string_view s);

}  // namespace kemu::kinesis::wire
