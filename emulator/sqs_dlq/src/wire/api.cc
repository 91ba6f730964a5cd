// The SQS RequestHandler: reads a request in its wire protocol (protocols.h), runs the action
// (actions.h) or, for ReceiveMessage, the receive that may wait (receive.h, long_poll.h), and
// answers in the protocol it was asked in.

#include "sqs_dlq/api.h"

#include "actions.h"
#include "core/encoding.h"
#include "long_poll.h"
#include "protocols.h"
#include "receive.h"

namespace kemu::sqs_dlq {
namespace {

using wire::Call;
using wire::Protocol;

// /{account}/{queue}: older SDKs post to the queue URL.
std::string queue_in_path(std::string_view path) {
    if (path.size() <= 1) return {};
    auto rest = path.substr(1);
    auto slash = rest.find('/');
    if (slash == std::string_view::npos) return {};
    auto name = rest.substr(slash + 1);
    while (name.ends_with('/'))
        name.remove_suffix(1);
    if (name.empty() || name.find('/') != std::string_view::npos) return {};
    return std::string(name);
}

// Fills `c`; returns an error to render when the request is not a valid SQS call.
std::optional<AwsError> parse(const HttpRequest& req, Call* c) {
    c->host = std::string(req.header("Host"));
    c->path_queue = queue_in_path(req.path());
    c->trace_header = std::string(req.header("X-Amzn-Trace-Id"));
    if (req.header("X-Amz-Target").starts_with("AmazonSQS."))
        return wire::parse_json_request(req, c);
    return wire::parse_query_request(req, c);
}

HttpResponse render(const Call& c, const wire::ojson& result) {
    return c.protocol == Protocol::kJson ? wire::json_response(c, result)
                                         : wire::query_response(c, result);
}

HttpResponse render_error(const Call& c, const AwsError& e) {
    return c.protocol == Protocol::kJson ? wire::json_error(c, e) : wire::query_error(c, e);
}

class Api final : public RequestHandler {
public:
    Api(QueueStore& store, Scheduler& scheduler, ApiOptions options)
        : store_(store),
          scheduler_(scheduler),
          options_(std::move(options)),
          actions_(store, options_.account) {}

    bool matches(const HttpRequest& req) const override { return is_sqs_request(req); }
    // SQS's own 500, in the protocol the request spoke (JSON 1.0 or query XML). AWS's
    // common-errors page gives InternalFailure this sentence.
    HttpResponse internal_error(const HttpRequest& req) const override {
        Call c;
        c.request_id = uuid_v4();
        c.protocol = req.header("X-Amz-Target").starts_with("AmazonSQS.") ? Protocol::kJson
                                                                          : Protocol::kQuery;
        return render_error(c, make_error(AwsErrorCode::kInternalFailure,
                                          "The request processing has failed because of an "
                                          "unknown error, exception or failure."));
    }

    // Everything but a long poll answers before returning.
    void handle(const HttpRequest& req, Respond respond) override {
        Call c;
        c.request_id = uuid_v4();
        if (auto err = parse(req, &c)) {
            respond(render_error(c, *err));
            return;
        }
        if (c.action == "ReceiveMessage") {
            receive(std::move(c), std::move(respond));
            return;
        }
        auto r = actions_.run(c);
        respond(r ? render(c, r->j) : render_error(c, r.error()));
    }

private:
    // ReceiveMessage: answers at once when messages are there or no wait is asked for;
    // otherwise a LongPoll waits for a send (store wake-up) or re-checks on a timer.
    void receive(Call c, Respond respond) {
        auto args = wire::receive_args(c, store_);
        if (!args) {
            respond(render_error(c, args.error()));
            return;
        }
        auto answer = [c, selection = args->selection,
                       respond = std::move(respond)](Result<std::vector<ReceivedMessage>> r) {
            respond(r ? render(c, wire::messages_output(selection, *r).j)
                      : render_error(c, r.error()));
        };
        if (args->wait_seconds == 0) {
            answer(store_.receive(args->queue, args->request));
            return;
        }
        wire::LongPoll::start(store_, scheduler_, options_.long_poll_recheck_ms,
                              std::move(args->queue), args->request,
                              int64_t{args->wait_seconds} * 1000, std::move(answer));
    }

    QueueStore& store_;
    Scheduler& scheduler_;
    ApiOptions options_;
    wire::Actions actions_;
};

}  // namespace

bool is_sqs_request(const HttpRequest& req) {
    auto target = req.header("X-Amz-Target");
    if (!target.empty()) return target.starts_with("AmazonSQS.");
    auto has_action = [](std::string_view s) {
        return s.starts_with("Action=") || s.find("&Action=") != std::string_view::npos;
    };
    if (has_action(req.query())) return true;
    // A form body is the query protocol, which of kemu's AWS APIs only SQS speaks: without an
    // Action it still gets SQS's query error rather than Kinesis's.
    return req.header("Content-Type").find("x-www-form-urlencoded") != std::string_view::npos;
}

std::shared_ptr<RequestHandler> make_api_handler(QueueStore& store, Scheduler& scheduler,
                                                 ApiOptions options) {
    return std::make_shared<Api>(store, scheduler, std::move(options));
}

}  // namespace kemu::sqs_dlq
