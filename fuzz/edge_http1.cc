// HTTP/1.1 requests on the edge listener as a client's bytes reach it: request lines, headers,
// chunked and sized bodies, Expect: 100-continue, keep-alive runs of requests, limits.

#include "edge.h"
#include "loopback.h"
#include "support.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    kemu::fuzz::exchange(kemu::fuzz::edge_port(), kemu::fuzz::as_view(data, size));
    return 0;
}
