#pragma once
// A tiny HTTP/1.1 client for the command's talks to a running kemu (kemu dlq, kemu status).

#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace kemu::cli {

// (status, body), or nullopt after printing one line to stderr when kemu cannot be reached.
using HttpResult = std::optional<std::pair<int, std::string>>;

// GET `path` on `endpoint` (http://host:port).
HttpResult http_get(const std::string& endpoint, const std::string& path, int timeout_s = 10);
// POST `path` (no body) on `endpoint`.
HttpResult http_post(const std::string& endpoint, const std::string& path, int timeout_s = 10);

// Any request, with a body and headers; nullopt, silently, when kemu cannot be reached.
struct HttpCall {
    std::string method = "GET";
    std::string path;
    std::string body;
    std::vector<std::pair<std::string, std::string>> headers;
    int timeout_s = 10;
    // When set, receives the response's headers.
    std::vector<std::pair<std::string, std::string>>* response_headers = nullptr;
};
HttpResult http_call(const std::string& endpoint, const HttpCall& call);

}  // namespace kemu::cli
