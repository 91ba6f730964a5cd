#pragma once
// CloudWatch (namespace `monitoring`): the actions (monitoring_actions.cc) take and give JSON
// values shaped as the API reference's input and output; the two protocols turn requests into
// them and them into answers: the query protocol (query.cc: form fields in, XML out) and RPC v2
// CBOR (cbor_protocol.cc).

#include <cstdint>
#include <optional>
#include <string_view>

#include "cloudwatch/cloudwatch.h"
#include "core/clock.h"
#include "core/http.h"
#include "wire.h"

namespace kemu::cloudwatch::wire {

inline constexpr std::string_view kCborPathPrefix = "/service/GraniteServiceVersion20100801/";
inline constexpr std::string_view kJsonTargetPrefix = "GraniteServiceVersion20100801.";

// The actions write a timestamp as {"$ts": ms} for each protocol to render its own way (epoch
// seconds in JSON, tag 1 in CBOR, ISO 8601 in XML). A client's input can hold the same key, so
// only a one-member object whose "$ts" is an integer is the marker: anything else (a client's
// {"$ts": 1e300}, {"$ts": []}) is an ordinary map. Found by fuzz/cloudwatch_cbor.cc.
inline ojson timestamp_marker(int64_t ms) {
    return {{"$ts", ms}};
}
inline std::optional<int64_t> timestamp_marker_ms(const ojson& v) {
    if (!v.is_object() || v.size() != 1) return std::nullopt;
    auto it = v.find("$ts");
    if (it == v.end() || !it->is_number_integer()) return std::nullopt;
    return it->get<int64_t>();
}

// Runs `action` on `input`: the output, or the error to render.
struct ActionResult {
    ojson output;
    std::optional<ApiError> error;
};
ActionResult run_monitoring_action(CloudWatch& cw, const Clock& clock, const ApiOptions& options,
                                   std::string_view action, const ojson& input);

// Either protocol, chosen by the path.
HttpResponse handle_monitoring(CloudWatch& cw, const Clock& clock, const ApiOptions& options,
                               const HttpRequest& req);
HttpResponse monitoring_error(const HttpRequest& req, const ApiError& e);

// Query protocol: form fields (`Dimensions.member.1.Name=...`) into the JSON input shape. Every
// value stays a string; the actions read numbers and booleans from strings too.
std::optional<ojson> query_input(std::string_view form, std::string* action);
// XML of an action's output: objects become elements, arrays <member> lists.
std::string query_xml(std::string_view action, const ojson& output, const std::string& request_id);
std::string query_error_xml(const ApiError& e, const std::string& request_id);
ApiError missing_action();

// RPC v2 CBOR: a request body into the JSON input (timestamps become epoch seconds), and a
// value into CBOR ({"$ts": ms} becomes tag 1 with epoch seconds).
std::optional<ojson> cbor_input(std::string_view body);
std::string cbor_encode(const ojson& v);

}  // namespace kemu::cloudwatch::wire
