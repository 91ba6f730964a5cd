#include "../errors.h"
#include "protocols.h"

namespace kemu::sqs_dlq::wire {
namespace {

constexpr std::string_view kJsonContentType = "application/x-amz-json-1.0";

}  // namespace

std::optional<AwsError> parse_json_request(const HttpRequest& req, Call* c) {
    c->protocol = Protocol::kJson;
    c->action = std::string(req.header("X-Amz-Target").substr(10));  // after "AmazonSQS."
    if (req.body.empty()) {
        c->in = json::object();
    } else {
        c->in = json::parse(req.body, nullptr, false);
        if (c->in.is_discarded() || !c->in.is_object()) return errors::not_a_json_object();
    }
    return std::nullopt;
}

HttpResponse json_response(const Call& c, const ojson& result) {
    auto r = answer_to(c, 200, kJsonContentType);
    // Invalid UTF-8 from a client (echoed in a message) becomes U+FFFD, never a throw.
    r.body = result.is_null() ? "{}" : result.dump(-1, ' ', false, ojson::error_handler_t::replace);
    return r;
}

HttpResponse json_error(const Call& c, const AwsError& e) {
    auto r = answer_to(c, e.http_status(), kJsonContentType);
    auto query_code = aws_error_query_code(e.code);
    bool sender = aws_error_fault(e.code) == Fault::kSender;
    bool coral =
        e.code == AwsErrorCode::kUnknownOperation || e.code == AwsErrorCode::kSerialization;
    if (!query_code.empty()) {
        r.set_header("x-amzn-query-error",
                     std::string(query_code) + (sender ? ";Sender" : ";Receiver"));
    }
    json body;
    body["__type"] = std::string(coral ? "com.amazon.coral.service#" : "com.amazonaws.sqs#") +
                     std::string(e.shape());
    if (!e.message.empty()) body["message"] = e.message;
    r.body = body.dump(-1, ' ', false, json::error_handler_t::replace);
    return r;
}

}  // namespace kemu::sqs_dlq::wire
