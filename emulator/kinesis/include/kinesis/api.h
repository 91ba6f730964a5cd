#pragma once
// The Kinesis Data Streams API adapter: AWS JSON 1.1 and CBOR on `POST /` with
// `X-Amz-Target: Kinesis_20131202.<Action>`, over kinesis::Store. No sockets here: the edge
// hands over plain HttpRequests, so the adapter is tested without them.

#include <cstdint>
#include <memory>
#include <string>

#include "core/clock.h"
#include "core/http.h"
#include "kinesis/store.h"

namespace kemu::kinesis {

struct ApiOptions {
    std::string default_account = "000000000000";  // when the access key id is not 12 digits
    std::string default_region = "us-east-1";      // when the request has no SigV4 scope
    // SubscribeToShard: an empty event after this much silence. Default: 5000 (AWS's heartbeat).
    int64_t subscribe_heartbeat_ms = 5'000;
};

// Claims every request (register it last): Kinesis answers unknown requests with its own
// errors, as the real endpoint does.
std::shared_ptr<RequestHandler> make_api_handler(Store& store, const Clock& clock,
                                                 ApiOptions options);

// Who an in-process request acts for: what a SigV4 credential scope names on the wire.
struct Caller {
    std::string account;
    std::string region;
};

// The adapter for another module of the same process (the API Gateway front door): the same
// parsing, validation, actions and responses as make_api_handler's, but the caller is given
// instead of read from the request's signature, so the request needs no Authorization header.
class InProcessApi {
public:
    virtual ~InProcessApi() = default;
    virtual HttpResponse call(const Caller& caller, const HttpRequest& req) = 0;
};

std::shared_ptr<InProcessApi> make_in_process_api(Store& store, const Clock& clock);

}  // namespace kemu::kinesis
