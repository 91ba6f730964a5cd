#pragma once
// Access logs (docs/aws/apigw.md, Access logs): one JSON line per request, rejected ones included,
// appended to a file named after the log group. Variables without a value print as "-".

#include <cstdint>
#include <cstdio>
#include <mutex>
#include <string>
#include <string_view>

namespace kemu::apigw {

// The $context variables that this API can fill. Empty = "-".
struct AccessLogEntry {
    std::string_view request_id;
    std::string_view extended_request_id;
    std::string_view source_ip;
    int64_t request_time_ms = 0;
    std::string_view http_method;
    std::string_view resource_path;
    std::string_view path;
    std::string_view stage;
    int status = 0;
    size_t response_length = 0;
    int64_t response_latency_ms = 0;
    int64_t integration_latency_ms = -1;  // -1: no integration call
    int integration_status = 0;           // 0: none
    std::string_view integration_error;
    std::string_view error_message;
    std::string_view error_response_type;
    std::string_view user_agent;
    std::string_view api_key_id;
    std::string_view api_id;
    std::string_view domain_name;
    std::string_view endpoint_request_id;
};

// CLF time `dd/MMM/yyyy:HH:mm:ss +0000` ($context.requestTime).
std::string clf_time(int64_t ms);

// The JSON line (with its trailing newline).
std::string format_access_log(const AccessLogEntry& e);

// Appends lines to a file, creating its folders. Thread-safe; each line is flushed before
// write() returns, so a reader sees it once the response is on its way.
class AccessLog {
public:
    explicit AccessLog(std::string path);
    ~AccessLog();
    AccessLog(const AccessLog&) = delete;
    AccessLog& operator=(const AccessLog&) = delete;
    void write(std::string_view line);
    const std::string& path() const { return path_; }

private:
    std::mutex mu_;
    std::string path_;
    std::FILE* file_ = nullptr;
};

}  // namespace kemu::apigw
