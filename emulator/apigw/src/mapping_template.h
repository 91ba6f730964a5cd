#pragma once
// The integration request: the module's two mapping templates, rendered the way API Gateway's
// Velocity engine renders them, quirks included (docs/aws/apigw.md, Mapping templates): values
// are pasted into the JSON text verbatim (a `"` in a partition key breaks the JSON, and Kinesis
// says so), a JSON object reached through `$input.path` prints Java-map style (`{a=1, b=2}`),
// and a reference that yields null prints its own source text. The templates are in the module
// README.

#include <string>
#include <string_view>

#include <boost/json/value.hpp>

namespace kemu::apigw {

// `{"StreamName":..., "Data":"$util.base64Encode($input.body)", "PartitionKey":
// "$context.requestId"}`. `stream` is null when the event type is not in the map.
std::string render_put_record(const std::string* stream, std::string_view body,
                              std::string_view request_id);

struct Rendered {
    bool ok = true;
    std::string text;   // the Kinesis request body
    std::string error;  // when !ok: the gateway's message (the body is not JSON)
};

// `{"StreamName":..., "Records":[#foreach($r in $input.path('$.records')) {"Data":
// "$util.base64Encode($r.data)", "PartitionKey":"$r.partitionKey"} #end]}`.
Rendered render_put_records(const std::string* stream, std::string_view body);

// What Velocity prints for a value reached through `$input.path`: strings raw, numbers as
// Java's toString, objects `{k=v, k2=v2}`, arrays `[a, b]`.
void append_java_text(std::string& out, const boost::json::value& v);

// The error template of the module's 4xx/5xx integration responses:
// `{"message":"$input.path('$.message')","type":"$input.path('$.__type')"}`.
std::string render_error_template(std::string_view kinesis_body);

// The stream-name expression as Velocity prints it when the map has no entry.
inline constexpr std::string_view kUnknownStreamText = "$streams.get($input.params('event_type'))";

}  // namespace kemu::apigw
