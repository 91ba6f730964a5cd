#include <string_view>
#include <utility>
#include <vector>

#include "../errors.h"
#include "core/encoding.h"
#include "form.h"
#include "input.h"
#include "protocols.h"
#include "xml.h"

namespace kemu::sqs_dlq::wire {

std::optional<AwsError> parse_query_request(const HttpRequest& req, Call* c) {
    c->protocol = Protocol::kQuery;
    std::vector<std::pair<std::string, std::string>> fields;
    for (std::string_view part : {req.query(), std::string_view(req.body)}) {
        if (part.data() == req.body.data() &&
            req.header("Content-Type").find("x-www-form-urlencoded") == std::string_view::npos)
            continue;
        auto f = parse_form(part);
        if (!f) return errors::malformed_form();
        fields.insert(fields.end(), f->begin(), f->end());
    }
    c->in = form_to_input(fields);
    c->action = get_string(c->in, "Action").value_or("");
    c->in.erase("Action");
    c->in.erase("Version");
    return std::nullopt;
}

HttpResponse query_response(const Call& c, const ojson& result) {
    auto r = answer_to(c, 200, "text/xml");
    r.body = xml_response(c.action, result, c.request_id);
    return r;
}

HttpResponse query_error(const Call& c, const AwsError& e) {
    auto r = answer_to(c, e.http_status(), "text/xml");
    auto query_code = aws_error_query_code(e.code);
    bool sender = aws_error_fault(e.code) == Fault::kSender;
    std::string code = query_code.empty() ? std::string(e.shape()) : std::string(query_code);
    if (e.code == AwsErrorCode::kSerialization) code = "MalformedQueryString";
    r.body = xml_error(code, errors::query_message(e), sender, c.request_id);
    return r;
}

}  // namespace kemu::sqs_dlq::wire
