#pragma once
// HTTP/2 (cleartext, prior knowledge) on the edge: one libnghttp2 server session per connection,
// driven from the connection's Asio strand. Private to core; edge.cc picks it per connection
// when the first 24 bytes are the HTTP/2 preface (docs/aws/kinesis.md, HTTP/2).

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include <boost/asio.hpp>

#include "core/http.h"

namespace kemu::detail {

// "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n": a connection whose first bytes are these speaks HTTP/2.
inline constexpr std::string_view kH2Preface = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";

struct H2Limits {
    size_t max_body_bytes = 16u << 20;    // per request: larger gets 413
    size_t max_header_bytes = 64u << 10;  // per request header list (name + value + 32): 431
    uint32_t max_concurrent_streams = 128;
    int idle_ms = 60'000;         // no open stream this long: GOAWAY(NO_ERROR), close
    int write_stall_ms = 60'000;  // a socket write that makes no progress this long: close
};

// Dispatches one complete request. `done` must be called exactly once, from any thread.
using H2Serve = std::function<void(HttpRequest req, std::function<void(HttpResponse)> done)>;

class H2Connection;

// `socket`'s executor must be a strand. `prefix` holds the bytes already read (the preface and
// whatever followed it); nothing read may be lost.
std::shared_ptr<H2Connection> make_h2_connection(boost::asio::ip::tcp::socket socket,
                                                 std::string prefix, std::string remote,
                                                 H2Limits limits, H2Serve serve);

// Serves the connection until it closes.
boost::asio::awaitable<void> run_h2(std::shared_ptr<H2Connection> conn);

// Graceful stop, callable from any thread: open event streams end normally (END_STREAM),
// requests in flight finish, GOAWAY with the last stream id, then close.
void shutdown_h2(const std::weak_ptr<H2Connection>& conn);

}  // namespace kemu::detail
