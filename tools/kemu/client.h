#pragma once
// A tiny HTTP/1.1 client for the command's talks to a running kemu (kemu dlq, kemu status).

#include <optional>
#include <string>
#include <utility>

namespace kemu::cli {

// (status, body), or nullopt after printing one line to stderr when kemu cannot be reached.
using HttpResult = std::optional<std::pair<int, std::string>>;

// GET `path` on `endpoint` (http://host:port).
HttpResult http_get(const std::string& endpoint, const std::string& path, int timeout_s = 10);
// POST `path` (no body) on `endpoint`.
HttpResult http_post(const std::string& endpoint, const std::string& path, int timeout_s = 10);

}  // namespace kemu::cli
