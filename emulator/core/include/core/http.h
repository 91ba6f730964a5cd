#pragma once
// Plain HTTP request/response values exchanged between the edge listener and the API adapters.
// No Beast here: adapters are tested without sockets, and engine headers stay light.

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

// An adapter claims a request (returns true from `matches`) and answers it. `handle` runs on an
// edge thread and must not block for long; it must not throw for anything a client can cause.
class RequestHandler {
public:
    virtual ~RequestHandler() = default;
    virtual bool matches(const HttpRequest& req) const = 0;
    virtual HttpResponse handle(const HttpRequest& req) = 0;
};

}  // namespace kemu
