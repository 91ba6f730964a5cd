// The Kinesis adapter over an in-memory store, request by request as the edge hands them over.
// Input: "<Action>\n<body>" sends a JSON 1.1 body; "cbor <Action>\n<body>" a CBOR one. The store
// lives across inputs (stream "s" with two shards exists from the start), so actions meet
// streams, records and iterators that earlier inputs made.

#include <memory>
#include <string>

#include "core/clock.h"
#include "kinesis/api.h"
#include "kinesis/store.h"
#include "support.h"

namespace {

struct State {
    kemu::ManualClock clock{1'700'000'000'000};
    std::unique_ptr<kemu::Db> db = kemu::fuzz::memory_db();
    std::unique_ptr<kemu::kinesis::Store> store;
    std::shared_ptr<kemu::RequestHandler> handler;
    State() {
        store = std::make_unique<kemu::kinesis::Store>(*db, clock, kemu::kinesis::StoreOptions{});
        store->load();
        (void)store->create_stream({"000000000000", "us-east-1", "s"}, 2, std::nullopt, {});
        handler = kemu::kinesis::make_api_handler(*store, clock, {});
    }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    static State* state = new State;
    auto [head, body] = kemu::fuzz::split_head(data, size);
    bool cbor = head.starts_with("cbor ");
    if (cbor) head.remove_prefix(5);
    kemu::HttpRequest r;
    r.method = "POST";
    r.target = "/";
    r.headers = {
        {"Host", "127.0.0.1:4566"},
        {"Content-Type", cbor ? "application/x-amz-cbor-1.1" : "application/x-amz-json-1.1"},
        {"X-Amz-Target", "Kinesis_20131202." + std::string(head)},
        {"X-Amz-Date", "20261126T161137Z"},
        {"Authorization",
         "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261126/us-east-1/kinesis/"
         "aws4_request, SignedHeaders=host;x-amz-target, Signature=0123"}};
    r.body = std::string(body);
    r.remote_address = "127.0.0.1";
    kemu::fuzz::call(*state->handler, r);
    state->clock.advance_ms(1'000);
    return 0;
}
