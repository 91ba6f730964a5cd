// The environment of a runtime process (docs/aws/lambda.md, Environment variables): Lambda's
// variables, kemu's AWS_ENDPOINT_URL for the handler's SDK, and the function's own last.

#include "runtime_variables.h"

#include <string>

#include <catch2/catch.hpp>

using kemu::lambda_runner::FunctionConfig;
using kemu::lambda_runner::runtime_variables;

namespace {

FunctionConfig config() {
    FunctionConfig c;
    c.name = "dev-orders-processor";
    c.runtime = "python3.11";
    c.handler = "handler.process_event";
    c.code_dir = "/code";
    c.region = "eu-west-1";
    c.memory_mb = 256;
    return c;
}

}  // namespace

TEST_CASE("the runtime gets every variable Lambda sets", "[lambda]") {
    auto env = runtime_variables(config(), 9001, "2024/06/10/[$LATEST]abc", "/tmp/env");
    for (const char* k : {"_HANDLER",
                          "AWS_LAMBDA_RUNTIME_API",
                          "LAMBDA_TASK_ROOT",
                          "LAMBDA_RUNTIME_DIR",
                          "AWS_REGION",
                          "AWS_DEFAULT_REGION",
                          "AWS_EXECUTION_ENV",
                          "AWS_LAMBDA_FUNCTION_NAME",
                          "AWS_LAMBDA_FUNCTION_MEMORY_SIZE",
                          "AWS_LAMBDA_FUNCTION_VERSION",
                          "AWS_LAMBDA_INITIALIZATION_TYPE",
                          "AWS_LAMBDA_LOG_GROUP_NAME",
                          "AWS_LAMBDA_LOG_STREAM_NAME",
                          "AWS_ACCESS_KEY_ID",
                          "AWS_ACCESS_KEY",
                          "AWS_SECRET_ACCESS_KEY",
                          "AWS_SESSION_TOKEN",
                          "TZ",
                          "LANG",
                          "AWS_XRAY_CONTEXT_MISSING",
                          "AWS_XRAY_DAEMON_ADDRESS",
                          "_AWS_XRAY_DAEMON_ADDRESS",
                          "_AWS_XRAY_DAEMON_PORT"}) {
        INFO(k);
        CHECK(env.count(k) == 1);
    }
    CHECK(env["AWS_LAMBDA_RUNTIME_API"] == "127.0.0.1:9001");
    CHECK(env["AWS_EXECUTION_ENV"] == "AWS_Lambda_python3.11");
    CHECK(env["AWS_LAMBDA_LOG_GROUP_NAME"] == "/aws/lambda/dev-orders-processor");
    CHECK(env.count("AWS_ENDPOINT_URL") == 0);  // none configured: as on AWS
}

TEST_CASE("AWS_ENDPOINT_URL points the SDK at kemu unless the function sets its own", "[lambda]") {
    auto c = config();
    c.aws_endpoint_url = "http://127.0.0.1:4566";
    c.environment = {{"TABLE", "orders"}};
    auto env = runtime_variables(c, 9001, "s", "/tmp/env");
    CHECK(env["AWS_ENDPOINT_URL"] == "http://127.0.0.1:4566");
    CHECK(env["TABLE"] == "orders");
    c.environment["AWS_ENDPOINT_URL"] = "http://elsewhere:8000";
    CHECK(runtime_variables(c, 9001, "s", "/tmp/env")["AWS_ENDPOINT_URL"] ==
          "http://elsewhere:8000");
}
