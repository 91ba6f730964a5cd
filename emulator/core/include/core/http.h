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

struct HttpResponse {
    int status = 200;
    std::vector<Header> headers;
    std::string body;

    void set_header(std::string name, std::string value) {
        headers.push_back({std::move(name), std::move(value)});
    }
};

// Delivers a response that was not ready when the handler returned. Callable from any thread.
using Respond = std::function<void(HttpResponse)>;

// An adapter claims a request (returns true from `matches`) and answers it. `handle` runs on an
// edge thread and must not block for long; it must not throw for anything a client can cause.
//
// Adapters that answer later without holding a thread (SQS long polling) return true from
// `is_async()` and implement `handle_async`, calling `respond` exactly once, now or later.
class RequestHandler {
public:
    virtual ~RequestHandler() = default;
    virtual bool matches(const HttpRequest& req) const = 0;
    virtual HttpResponse handle(const HttpRequest& req) = 0;
    virtual bool is_async() const { return false; }
    virtual void handle_async(const HttpRequest& req, Respond respond) { respond(handle(req)); }
};

// Runs work later on a background thread. At shutdown every pending task runs at once with
// `shutting_down` true, so a request waiting on a timer is always answered.
class Scheduler {
public:
    virtual ~Scheduler() = default;
    virtual void after(int64_t delay_ms, std::function<void(bool shutting_down)> fn) = 0;
};

}  // namespace kemu
