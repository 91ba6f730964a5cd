#include "access_log.h"

#include <ctime>
#include <filesystem>

#include "apigw/front_door.h"
#include "core/log.h"

namespace kemu::apigw {
namespace {

void append_json_string(std::string& out, std::string_view s) {
    out += '"';
    if (s.empty()) {
        out += '-';
    }
    for (char ch : s) {
        auto c = static_cast<unsigned char>(ch);
        if (c == '"' || c == '\\') {
            out += '\\';
            out += ch;
        } else if (c < 0x20) {
            static const char* kHex = "0123456789abcdef";
            out += "\\u00";
            out += kHex[c >> 4];
            out += kHex[c & 15];
        } else {
            out += ch;
        }
    }
    out += '"';
}

void field(std::string& out, std::string_view name, std::string_view value) {
    if (out.size() > 1) out += ',';
    out += '"';
    out += name;
    out += "\":";
    append_json_string(out, value);
}

}  // namespace

std::string access_log_path(const Config& config, const std::string& root) {
    return root + "/logs/aws/apigateway/" + config.api_name() + "/access-logs.log";
}

std::string access_log_group(const Config& config) {
    return "/aws/apigateway/" + config.api_name() + "/access-logs";
}

std::string clf_time(int64_t ms) {
    std::time_t secs = static_cast<std::time_t>(ms / 1000);
    std::tm tm{};
    gmtime_r(&secs, &tm);
    char buf[40];
    std::strftime(buf, sizeof buf, "%d/%b/%Y:%H:%M:%S +0000", &tm);
    return buf;
}

std::string format_access_log(const AccessLogEntry& e) {
    std::string out = "{";
    out.reserve(768);
    auto num = [](int64_t v) { return std::to_string(v); };
    field(out, "requestId", e.request_id);
    field(out, "extendedRequestId", e.extended_request_id);
    field(out, "ip", e.source_ip);
    field(out, "caller", "");
    field(out, "user", "");
    field(out, "requestTime", clf_time(e.request_time_ms));
    field(out, "requestTimeEpoch", num(e.request_time_ms));
    field(out, "httpMethod", e.http_method);
    field(out, "resourcePath", e.resource_path);
    field(out, "path", e.path);
    field(out, "stage", e.stage);
    field(out, "protocol", "HTTP/1.1");
    field(out, "status", num(e.status));
    field(out, "responseLength", num(static_cast<int64_t>(e.response_length)));
    field(out, "responseLatency", num(e.response_latency_ms));
    field(out, "integrationLatency",
          e.integration_latency_ms < 0 ? "" : num(e.integration_latency_ms));
    field(out, "integrationStatus", e.integration_status ? num(e.integration_status) : "");
    field(out, "integrationErrorMessage", e.integration_error);
    field(out, "errorMessage", e.error_message);
    field(out, "errorResponseType", e.error_response_type);
    field(out, "userAgent", e.user_agent);
    field(out, "apiKeyId", e.api_key_id);
    field(out, "apiId", e.api_id);
    field(out, "domainName", e.domain_name);
    field(out, "awsEndpointRequestId", e.endpoint_request_id);
    out += "}\n";
    return out;
}

AccessLog::AccessLog(std::string path) : path_(std::move(path)) {
    std::error_code ec;
    std::filesystem::create_directories(std::filesystem::path(path_).parent_path(), ec);
    file_ = std::fopen(path_.c_str(), "ab");
    if (!file_) log_warn("apigw", "cannot open access log " + path_ + "; access logging is off");
}

AccessLog::~AccessLog() {
    if (file_) std::fclose(file_);
}

void AccessLog::write(std::string_view line) {
    std::lock_guard lock(mu_);
    if (!file_) return;
    std::fwrite(line.data(), 1, line.size(), file_);
    std::fflush(file_);
}

}  // namespace kemu::apigw
