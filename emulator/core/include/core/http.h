#pragma once
// Plain HTTP request/response values exchanged between the edge listener and the API adapters.
// No Beast here: adapters are tested without sockets, and engine headers stay light.

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace kemu {

struct Header {
    std::string name;
    std::string value;
};

// Case-insensitive ASCII comparison, as HTTP header names need.
bool iequals(std::string_view a, std::string_view b);

struct HttpRequest {
    std::string method;  // "POST", "GET", ...
    std::string target;  // path and query, as sent: "/?Action=ListQueues"
    std::vector<Header> headers;
    std::string body;
    std::string remote_address;

    // The first header with this name (case-insensitive), or empty.
    std::string_view header(std::string_view name) const;
    bool has_header(std::string_view name) const;
    std::string_view path() const;   // target without the query
    std::string_view query() const;  // after '?', or empty
};

// The body of a streaming response (AWS event streams), pulled by the edge whenever the client
// can take more: one `kData` piece becomes one HTTP/1.1 chunk, or HTTP/2 DATA frames (split to
// the peer's frame size; flow control is the library's). Memory stays bounded because the next
// piece is pulled only once the previous one has been handed to the socket or to nghttp2.
//
// Threads: start(), pull() and cancel() run on the connection's edge thread, one at a time.
// `wake` may be called from any thread, any number of times, also after the end (a no-op).
class BodySource {
public:
    struct Piece {
        enum Kind { kData, kPending, kEnd };
        Kind kind = kPending;
        std::string bytes;     // kData: one piece of body
        int64_t wait_ms = -1;  // kPending: pull again after this long even without a wake
    };
    virtual ~BodySource() = default;
    // Once, before the first pull(), after the response head was queued.
    virtual void start(std::function<void()> wake) = 0;
    // The next piece; kPending when nothing is ready (call `wake` to be pulled again); kEnd
    // once the body is complete (the edge then ends the response normally).
    virtual Piece pull() = 0;
    // Once, if the body did not reach kEnd: the client went away or the stream was reset
    // (`server_stopping` false), or the listener is stopping (true; the edge ends the response
    // cleanly). pull() is not called again.
    virtual void cancel(bool server_stopping) = 0;
};

struct HttpResponse {
    int status = 200;
    std::vector<Header> headers;
    std::string body;
    // When set, `body` is ignored and the body is streamed from here, with no Content-Length
    // (HTTP/1.1: `Transfer-Encoding: chunked` and the connection closes after it).
    std::shared_ptr<BodySource> stream;

    void set_header(std::string name, std::string value) {
        headers.push_back({std::move(name), std::move(value)});
    }
};

// Delivers a handler's answer. Callable once, from any thread, before or after `handle` returns.
using Respond = std::function<void(HttpResponse)>;

// An adapter claims a request (returns true from `matches`) and answers it through `respond`,
// exactly once: at once, before `handle` returns (most actions), or later from any thread
// without holding one (SQS long polls, a replay). `handle` runs on an edge thread and must not
// block for long; it must not throw for anything a client can cause.
//
// Should it throw anyway, the edge logs the exception and answers `internal_error(req)`: each
// adapter renders the failure in its own protocol (Kinesis JSON 1.1 or CBOR, SQS JSON 1.0 or
// query XML, API Gateway's gateway response), so a client always gets an error it can parse.
class RequestHandler {
public:
    virtual ~RequestHandler() = default;
    virtual bool matches(const HttpRequest& req) const = 0;
    virtual void handle(const HttpRequest& req, Respond respond) = 0;
    virtual HttpResponse internal_error(const HttpRequest& req) const = 0;
};

// Runs work later on a background thread. At shutdown every pending task runs at once with
// `shutting_down` true, so a request waiting on a timer is always answered.
class Scheduler {
public:
    virtual ~Scheduler() = default;
    virtual void after(int64_t delay_ms, std::function<void(bool shutting_down)> fn) = 0;
};

}  // namespace kemu
