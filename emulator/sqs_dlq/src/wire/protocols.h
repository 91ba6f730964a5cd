#pragma once
// SQS's two wire protocols, each reading a request into a Call and rendering results and errors
// in its own shape (see docs/aws/sqs.md, Wire protocols):
//   json_protocol.cc   AWS JSON 1.0: `X-Amz-Target: AmazonSQS.<Action>`, JSON bodies.
//   query_protocol.cc  the query protocol: form fields in, XML out (2012-11-05 model).

#include <optional>
#include <string>
#include <string_view>

#include "call.h"
#include "core/aws_error.h"
#include "core/http.h"

namespace kemu::sqs_dlq::wire {

// The start of every answer to `c`, success or error: its status, the request id and the
// protocol's content type.
inline HttpResponse answer_to(const Call& c, int status, std::string_view content_type) {
    HttpResponse r;
    r.status = status;
    r.set_header("x-amzn-RequestId", c.request_id);
    r.set_header("Content-Type", std::string(content_type));
    return r;
}

// Fills c->action and c->in from an `AmazonSQS.` request; SerializationException when the body
// is not a JSON object.
std::optional<AwsError> parse_json_request(const HttpRequest& req, Call* c);
HttpResponse json_response(const Call& c, const ojson& result);
// `__type` (com.amazonaws.sqs#Shape, or com.amazon.coral.service# for the framework's own) and
// the x-amzn-query-error header with the query protocol's code, which SDKs map exceptions by.
HttpResponse json_error(const Call& c, const AwsError& e);

// Fills c->action and c->in from the query string and a form body.
std::optional<AwsError> parse_query_request(const HttpRequest& req, Call* c);
HttpResponse query_response(const Call& c, const ojson& result);
HttpResponse query_error(const Call& c, const AwsError& e);

}  // namespace kemu::sqs_dlq::wire
