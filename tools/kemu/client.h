#pragma once
// A tiny HTTP/1.1 client for the command's talks to a running kemu (kemu dlq, kemu status).

#include <optional>
#include <string>
#include <utility>

namespace kemu::cli {

// GET (or POST) `path` on `endpoint` (http://host:port). Returns (status, body), or nullopt after
// printing one line to stderr when kemu cannot be reached.
std::optional<std::pair<int, std::string>> http_get(const std::string& endpoint,
                                                    const std::string& path, bool post = false,
                                                    int timeout_s = 10);

}  // namespace kemu::cli
