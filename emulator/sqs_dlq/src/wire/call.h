#pragma once
// One SQS request as the actions see it, whichever wire protocol brought it, and what an
// action gives back for that protocol to render.

#include <string>

#include <nlohmann/json.hpp>

namespace kemu::sqs_dlq::wire {

using json = nlohmann::json;
using ojson = nlohmann::ordered_json;

enum class Protocol { kJson, kQuery };

// One parsed request, in the JSON protocol's input shape whatever the wire protocol (the query
// protocol's form fields are folded into it: form.h).
struct Call {
    Protocol protocol = Protocol::kJson;
    std::string action;
    json in;
    std::string host;        // for queue URLs
    std::string path_queue;  // the queue named by a /{account}/{name} path, if any
    // The X-Amzn-Trace-Id header: the AWSTraceHeader of the messages the request sends.
    std::string trace_header;
    std::string request_id;
};

// An action's result in the JSON protocol's output shape; the query protocol renders the same
// value as XML. A struct, not a bare ordered_json: a json converts from anything, which would
// make Result<ordered_json> ambiguous.
struct ActionOutput {
    ojson j;
};

}  // namespace kemu::sqs_dlq::wire
