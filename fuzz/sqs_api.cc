// The SQS adapter over an in-memory queue store, in both its protocols. Input: "<Action>\n<body>"
// sends an AWS JSON 1.0 body (X-Amz-Target AmazonSQS.<Action>); "query <path>\n<body>" a query
// protocol form post (Action=...&...) to <path>. Queue "q" exists from the start; long polls end
// after each input as at shutdown.

#include <memory>
#include <string>

#include "core/clock.h"
#include "sqs_dlq/api.h"
#include "sqs_dlq/queue_store.h"
#include "support.h"

namespace {

struct State {
    kemu::ManualClock clock{1'700'000'000'000};
    std::unique_ptr<kemu::Db> db = kemu::fuzz::memory_db();
    std::unique_ptr<kemu::sqs_dlq::QueueStore> store;
    kemu::fuzz::PendingScheduler scheduler;
    std::shared_ptr<kemu::RequestHandler> handler;
    State() {
        store = std::make_unique<kemu::sqs_dlq::QueueStore>(*db, clock);
        store->load();
        handler = kemu::sqs_dlq::make_api_handler(*store, scheduler);
        kemu::HttpRequest r;
        r.method = "POST";
        r.target = "/";
        r.headers = {{"Content-Type", "application/x-www-form-urlencoded"}};
        r.body = "Action=CreateQueue&QueueName=q";
        kemu::fuzz::call(*handler, r);
    }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    static State* state = new State;
    auto [head, body] = kemu::fuzz::split_head(data, size);
    kemu::HttpRequest r;
    r.method = "POST";
    r.headers = {{"Host", "localhost:4566"}};
    if (head.starts_with("query")) {
        head.remove_prefix(5);
        r.target = head.empty() ? "/" : std::string(head.substr(1));
        r.headers.push_back({"Content-Type", "application/x-www-form-urlencoded; charset=utf-8"});
    } else {
        r.target = "/";
        r.headers.push_back({"Content-Type", "application/x-amz-json-1.0"});
        r.headers.push_back({"X-Amz-Target", "AmazonSQS." + std::string(head)});
    }
    r.body = std::string(body);
    r.remote_address = "127.0.0.1";
    kemu::fuzz::call(*state->handler, r);
    state->scheduler.run_all();
    state->clock.advance_ms(1'000);
    return 0;
}
