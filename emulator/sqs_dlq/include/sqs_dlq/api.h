#pragma once
// The SQS API on the edge listener: AWS JSON 1.0 (`X-Amz-Target: AmazonSQS.<Action>`) and the
// query protocol with XML responses, on any path (docs/aws/sqs.md, Wire protocols). ReceiveMessage
// long polls without holding a thread: it waits on the store's wake-up and the edge's timers.

#include <memory>
#include <string>
#include <string_view>

#include "core/http.h"
#include "sqs_dlq/queue_store.h"

namespace kemu::sqs_dlq {

struct ApiOptions {
    std::string account = "000000000000";
    // How often a waiting long poll looks again for messages whose delay or visibility timeout
    // ran out (sends wake it at once). Default: 100 ms.
    int long_poll_recheck_ms = 100;
};

// True for SQS requests: an `AmazonSQS.` target, or an `Action=` form body or query string.
bool is_sqs_request(const HttpRequest& req);

// Claims exactly the requests is_sqs_request() accepts. Register before the Kinesis handler.
std::shared_ptr<RequestHandler> make_api_handler(QueueStore& store, Scheduler& scheduler,
                                                 ApiOptions options = {});

// kemu's own operator endpoints for queues (not AWS's API), used by `kemu dlq` and mounted by
// kemu's /_kemu/ router for every path starting with kAdminPrefix:
//   GET /_kemu/sqs/queues                      {"queues":[{"name","visible","inflight","delayed"}]}
//   GET /_kemu/sqs/queues/{name}/messages?max=N {"messages":[{"messageId","body","sentTimestamp",
//                                                "receiveCount"}]}  (a peek: nothing is received)
inline constexpr std::string_view kAdminPrefix = "/_kemu/sqs/queues";
HttpResponse handle_admin_request(QueueStore& store, const HttpRequest& req);

}  // namespace kemu::sqs_dlq
