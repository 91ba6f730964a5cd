#include "runtime_variables.h"

#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>

#include "core/encoding.h"

namespace kemu::lambda_runner {
namespace {

std::string execution_env(const std::string& runtime) {
    if (runtime.starts_with("provided")) return {};
    return "AWS_Lambda_" + runtime;
}

}  // namespace

std::string make_log_stream(int64_t now_ms) {
    std::time_t secs = now_ms / 1000;
    std::tm tm{};
    gmtime_r(&secs, &tm);
    char buf[32];
    std::snprintf(buf, sizeof buf, "%04d/%02d/%02d/", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
    return std::string(buf) + "[$LATEST]" + hex_encode(random_bytes(16));
}

std::map<std::string, std::string> runtime_variables(const FunctionConfig& config, int api_port,
                                                     const std::string& log_stream,
                                                     const std::string& tmp_dir) {
    std::map<std::string, std::string> env;
    for (const char* keep : {"PATH", "LD_LIBRARY_PATH", "HOME", "USER", "SYSTEMROOT"}) {
        if (const char* v = std::getenv(keep)) env[keep] = v;
    }
    env["_HANDLER"] = config.handler;
    env["AWS_LAMBDA_RUNTIME_API"] = "127.0.0.1:" + std::to_string(api_port);
    env["LAMBDA_TASK_ROOT"] = config.code_dir;
    env["LAMBDA_RUNTIME_DIR"] =
        config.command.size() > 1 ? std::filesystem::path(config.command[1]).parent_path().string()
                                  : config.code_dir;
    env["AWS_REGION"] = config.region;
    env["AWS_DEFAULT_REGION"] = config.region;
    if (auto e = execution_env(config.runtime); !e.empty()) env["AWS_EXECUTION_ENV"] = e;
    env["AWS_LAMBDA_FUNCTION_NAME"] = config.name;
    env["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"] = std::to_string(config.memory_mb);
    env["AWS_LAMBDA_FUNCTION_VERSION"] = "$LATEST";
    env["AWS_LAMBDA_INITIALIZATION_TYPE"] = "on-demand";
    env["AWS_LAMBDA_LOG_GROUP_NAME"] = "/aws/lambda/" + config.name;
    env["AWS_LAMBDA_LOG_STREAM_NAME"] = log_stream;
    env["AWS_ACCESS_KEY_ID"] = "ASIAKEMULOCALEXAMPLE";
    env["AWS_ACCESS_KEY"] = "ASIAKEMULOCALEXAMPLE";
    env["AWS_SECRET_ACCESS_KEY"] = "kemu-local-secret-access-key";
    env["AWS_SESSION_TOKEN"] = "kemu-local-session-token";
    env["TZ"] = ":UTC";
    env["LANG"] = "en_US.UTF-8";
    env["AWS_XRAY_CONTEXT_MISSING"] = "LOG_ERROR";
    env["AWS_XRAY_DAEMON_ADDRESS"] = "127.0.0.1:2000";
    env["_AWS_XRAY_DAEMON_ADDRESS"] = "127.0.0.1";
    env["_AWS_XRAY_DAEMON_PORT"] = "2000";
    env["TMPDIR"] = tmp_dir;
    env["PYTHONUNBUFFERED"] = "1";
    env["PYTHONDONTWRITEBYTECODE"] = "1";
    // Not set by Lambda: kemu points the SDKs at itself (AWS_ENDPOINT_URL is the SDKs' shared
    // setting, https://docs.aws.amazon.com/sdkref/latest/guide/feature-ss-endpoints.html), so a
    // handler's calls reach kemu's streams and queues with the credentials above. The
    // function's own variables come last and may replace it.
    if (!config.aws_endpoint_url.empty()) env["AWS_ENDPOINT_URL"] = config.aws_endpoint_url;
    for (const auto& [k, v] : config.environment)
        env[k] = v;
    return env;
}

}  // namespace kemu::lambda_runner
