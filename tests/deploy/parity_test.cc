// The parity check: the values a plan gives AWS against what kemu emulates from the same file.

#include "deploy/parity.h"

#include <filesystem>
#include <fstream>
#include <sstream>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "core/config.h"
#include "example_project.h"

namespace fs = std::filesystem;
using namespace kemu;
using kemu::test::example_config;
using kemu::test::kSource;
using nlohmann::json;

namespace {

json plan_values() {
    std::ifstream in(kSource / "tests" / "fixtures" / "deploy" / "plan_values.json");
    return json::parse(in);
}

json& find(json& plan, const std::string& address) {
    for (auto& rc : plan["resource_changes"])
        if (rc["address"] == address) return rc;
    FAIL("no " << address);
    throw std::logic_error("unreachable");
}

}  // namespace

TEST_CASE("parity holds for the plan of the rendered example", "[deploy]") {
    CHECK(deploy::parity_check(example_config(), plan_values().dump()).empty());
}

TEST_CASE("parity flags an unset maximum_retry_attempts and a changed batch size", "[deploy]") {
    auto plan = plan_values();
    auto& esm = find(plan, R"(module.event_flow["orders"].aws_lambda_event_source_mapping.this)");
    esm["change"]["after"]["maximum_retry_attempts"] = nullptr;
    esm["change"]["after"]["batch_size"] = 500;
    esm["change"]["after"]["destination_config"] = json::array();
    const auto lines = deploy::parity_check(example_config(), plan.dump());
    REQUIRE(lines.size() == 3);
    CHECK(lines[0] == "orders: batch_size: AWS gets 500, kemu emulates 100");
    CHECK(lines[1] ==
          "orders: maximum_retry_attempts: AWS gets null (unset: AWS retries until "
          "the record expires), kemu emulates 3");
    CHECK(lines[2] == "orders: on-failure destination: AWS has none, kemu emulates the DLQ");
}

TEST_CASE("parity compares alarm thresholds and the stage throttle", "[deploy]") {
    auto plan = plan_values();
    find(plan,
         R"(module.event_flow["payments"].aws_cloudwatch_metric_alarm.iterator_age)")["change"]
                                                                                     ["after"]
                                                                                     ["threshold"] =
                                                                                         120000;
    find(plan,
         "module.api_gateway.aws_api_gateway_method_settings.all")["change"]["after"]["settings"][0]
                                                                  ["throttling_burst_limit"] = 100;
    const auto lines = deploy::parity_check(example_config(), plan.dump());
    CHECK(lines ==
          std::vector<std::string>{"api: throttling_burst_limit: AWS gets 100, kemu emulates 5000",
                                   "payments: threshold: AWS gets 120000, kemu emulates 60000"});
}
