// kemu validate --aws: each lint rule fires on the setting it names and stays quiet otherwise.

#include "deploy/lint.h"

#include <algorithm>

#include <catch2/catch.hpp>

#include "core/config.h"

using namespace kemu;

namespace {

std::vector<deploy::LintWarning> lint(
    const std::string& flow_extra,
    const std::string& api = "api:\n  throttling_rate_limit: 100\n") {
    const std::string text = "version: 1\nregion: eu-west-1\n" + api +
                             "event_flows:\n  - event_type: orders\n    lambda_source_path: "
                             "lambda/orders\n" +
                             flow_extra;
    Config cfg;
    const auto errors = parse_config(text, "kemu.yaml", &cfg);
    REQUIRE(errors.empty());
    return deploy::lint_for_aws(cfg, text);
}

std::vector<std::string> rules(const std::vector<deploy::LintWarning>& ws) {
    std::vector<std::string> out;
    for (const auto& w : ws)
        out.push_back(w.rule);
    return out;
}

}  // namespace

TEST_CASE("lint is quiet on the module defaults with a stage throttle", "[deploy]") {
    CHECK(lint("").empty());
}

TEST_CASE("lint flags a flow without an on-failure destination", "[deploy]") {
    const auto ws = lint("    dlq_enabled: false\n");
    REQUIRE(rules(ws) == std::vector<std::string>{"on-failure-destination"});
    CHECK(ws[0].key == "event_flows[0].dlq_enabled");
    CHECK(ws[0].line == 6);  // the entry's "- event_type" line
    CHECK_THAT(deploy::format_warning("kemu.yaml", ws[0]),
               Catch::StartsWith("kemu.yaml:6: event_flows[0].dlq_enabled: warning"));
}

TEST_CASE("lint flags batches retried whole without bisection", "[deploy]") {
    CHECK(rules(lint("    bisect_batch_on_function_error: false\n")) ==
          std::vector<std::string>{"bisect-on-error"});
    CHECK(lint("    bisect_batch_on_function_error: false\n    batch_size: 1\n").empty());
    CHECK(lint("    bisect_batch_on_function_error: false\n    max_retry_attempts: 0\n").empty());
}

TEST_CASE("lint flags unlimited retries with a DLQ", "[deploy]") {
    CHECK(rules(lint("    max_retry_attempts: -1\n")) ==
          std::vector<std::string>{"bounded-retries"});
}

TEST_CASE("lint flags an iterator-age alarm that cannot fire before records expire", "[deploy]") {
    CHECK(rules(lint("    iterator_age_alarm_ms: 86400000\n")) ==
          std::vector<std::string>{"iterator-age-alarm"});
}

TEST_CASE("lint flags an API without a stage throttle", "[deploy]") {
    const auto ws = lint("", "api:\n  stage_name: v1\n");
    CHECK(rules(ws) == std::vector<std::string>{"stage-throttling"});
    CHECK(rules(lint("", "")) == std::vector<std::string>{"stage-throttling"});
}

TEST_CASE("lint flags log groups kept forever", "[deploy]") {
    CHECK(rules(lint("    log_retention_days: 0\n")) == std::vector<std::string>{"log-retention"});
    const auto ws = lint("", "api:\n  throttling_rate_limit: 100\n  log_retention_days: 0\n");
    REQUIRE(rules(ws) == std::vector<std::string>{"log-retention"});
    CHECK(ws[0].key == "api.log_retention_days");
    CHECK(lint("    log_retention_days: 30\n").empty());
}
