// kemu.yaml parsing (docs/kemu-yaml.md): defaults, derived names, and errors that name the
// file, line and dotted key.

#include "core/config.h"

#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "support/config_errors.h"

using kemu::Config;
using kemu::ConfigError;
using kemu::parse_config;
using kemu::test::config_errors;
using kemu::test::only_config_error;

namespace {

const char* kMinimal =
    "version: 1\n"
    "event_flows:\n"
    "  - event_type: orders\n"
    "    lambda_source_path: ./src/orders\n";

std::vector<std::string> texts(const std::vector<ConfigError>& errors) {
    std::vector<std::string> out;
    for (const auto& e : errors)
        out.push_back(e.to_string());
    return out;
}

}  // namespace

TEST_CASE("a minimal file takes every documented default", "[core]") {
    Config cfg;
    auto errors = parse_config(kMinimal, "conf/kemu.yaml", &cfg);
    INFO(::Catch::Detail::stringify(texts(errors)));
    REQUIRE(errors.empty());
    CHECK(cfg.file == "conf/kemu.yaml");
    CHECK(cfg.base_dir == "conf");
    CHECK(cfg.version == 1);
    CHECK(cfg.project == "events-ingestion");
    CHECK(cfg.environment == "dev");
    CHECK(cfg.region.empty());
    CHECK(cfg.api.stage_name == "v1");
    CHECK(cfg.api.throttling_rate_limit == 10000);
    CHECK(cfg.api.throttling_burst_limit == 5000);
    CHECK(cfg.api.enable_access_logging);
    CHECK_FALSE(cfg.api.api_key_required);
    CHECK(cfg.api.cors_allowed_origins == std::vector<std::string>{"*"});
    CHECK(cfg.api.manage_account_logging_role);
    CHECK(cfg.api.passthrough_behavior == "NEVER");
    CHECK(cfg.api.integration_responses == "recommended");
    CHECK(cfg.api.gateway_response_cors);
    CHECK(cfg.api.method_settings.empty());
    CHECK(cfg.api.usage_plans.empty());
    REQUIRE(cfg.event_flows.size() == 1);
    const auto& f = cfg.event_flows[0];
    CHECK(f.event_type == "orders");
    CHECK(f.lambda_source_path == "./src/orders");
    CHECK(f.shard_count == 1);
    CHECK(f.retention_period == 24);
    CHECK(f.lambda_handler == "handler.process_event");
    CHECK(f.lambda_runtime == "python3.11");
    CHECK(f.lambda_memory_size == 256);
    CHECK(f.lambda_timeout == 30);
    CHECK(f.batch_size == 100);
    CHECK(f.batch_window_seconds == 5);
    CHECK(f.dlq_enabled);
    CHECK(f.max_retry_attempts == 3);
    CHECK(f.shard_level_metrics.empty());
    CHECK(f.starting_position == "LATEST");
    CHECK(f.bisect_batch_on_function_error);
    CHECK_FALSE(f.report_batch_item_failures);
    CHECK(f.iterator_age_alarm_ms == 60000);
    CHECK(f.line == 3);

    Config bare;
    REQUIRE(parse_config(kMinimal, "kemu.yaml", &bare).empty());
    CHECK(bare.base_dir == ".");
}

TEST_CASE("derived names follow the Terraform module's", "[core]") {
    Config cfg;
    REQUIRE(parse_config("version: 1\n"
                         "project: shop\n"
                         "environment: prod-eu\n"
                         "region: eu-west-1\n"
                         "event_flows:\n"
                         "  - event_type: page_view\n"
                         "    lambda_source_path: src\n",
                         "kemu.yaml", &cfg)
                .empty());
    CHECK(cfg.region == "eu-west-1");
    const auto& f = cfg.event_flows.at(0);
    CHECK(cfg.stream_name(f) == "prod-eu-page_view-stream");
    CHECK(cfg.function_name(f) == "prod-eu-page_view-processor");
    CHECK(cfg.dlq_name(f) == "prod-eu-page_view-dlq");
    CHECK(cfg.kms_alias(f) == "alias/prod-eu-page_view-stream");
    CHECK(cfg.api_name() == "prod-eu-shop");

    Config dflt;
    REQUIRE(parse_config(kMinimal, "kemu.yaml", &dflt).empty());
    CHECK(dflt.stream_name(dflt.event_flows.at(0)) == "dev-orders-stream");
    CHECK(dflt.api_name() == "dev-events-ingestion");
}

TEST_CASE("explicit values override the defaults", "[core]") {
    Config cfg;
    auto errors = parse_config(
        "version: 1\n"
        "api:\n"
        "  stage_name: prod_1\n"
        "  throttling_rate_limit: 2.5\n"
        "  cors_allowed_origins: [\"https://example.com\"]\n"
        "  api_key_required: true\n"
        "event_flows:\n"
        "  - event_type: a\n"
        "    lambda_source_path: a\n"
        "    shard_count: 4\n"
        "    max_retry_attempts: -1\n"
        "    batch_window_seconds: 0\n"
        "    shard_level_metrics: [IncomingBytes, ALL]\n"
        "    starting_position: TRIM_HORIZON\n"
        "    dlq_enabled: false\n"
        "  - event_type: b\n"
        "    lambda_source_path: b\n",
        "kemu.yaml", &cfg);
    INFO(::Catch::Detail::stringify(texts(errors)));
    REQUIRE(errors.empty());
    CHECK(cfg.api.stage_name == "prod_1");
    CHECK(cfg.api.throttling_rate_limit == 2.5);
    CHECK(cfg.api.cors_allowed_origins == std::vector<std::string>{"https://example.com"});
    CHECK(cfg.api.api_key_required);
    REQUIRE(cfg.event_flows.size() == 2);
    const auto& a = cfg.event_flows[0];
    CHECK(a.shard_count == 4);
    CHECK(a.max_retry_attempts == -1);
    CHECK(a.batch_window_seconds == 0);
    CHECK(a.shard_level_metrics == std::vector<std::string>{"IncomingBytes", "ALL"});
    CHECK(a.starting_position == "TRIM_HORIZON");
    CHECK_FALSE(a.dlq_enabled);
    CHECK(cfg.event_flows[1].event_type == "b");
    CHECK(cfg.event_flows[1].line == 16);
}

TEST_CASE("an unknown key names the file, line and dotted key", "[core]") {
    auto errors = config_errors(
        "version: 1\n"
        "event_flows:\n"
        "  - event_type: orders\n"
        "    lambda_source_path: src\n"
        "    batchsize: 5\n");
    REQUIRE(errors.size() == 1);
    CHECK(errors[0].file == "kemu.yaml");
    CHECK(errors[0].line == 5);
    CHECK(errors[0].key == "event_flows[0].batchsize");
    CHECK_THAT(errors[0].message, Catch::Matchers::StartsWith("unknown key"));
    CHECK_THAT(errors[0].to_string(),
               Catch::Matchers::StartsWith("kemu.yaml:5: event_flows[0].batchsize: unknown key"));
    CHECK_THAT(errors[0].message, Catch::Matchers::Contains("batch_size"));

    CHECK_THAT(only_config_error("version: 1\n"
                                 "api:\n"
                                 "  stage: v2\n"
                                 "event_flows:\n"
                                 "  - event_type: orders\n"
                                 "    lambda_source_path: src\n"),
               Catch::Matchers::StartsWith("kemu.yaml:3: api.stage: unknown key"));
    CHECK_THAT(only_config_error("versoin: 1\n"
                                 "version: 1\n"
                                 "event_flows:\n"
                                 "  - event_type: orders\n"
                                 "    lambda_source_path: src\n"),
               Catch::Matchers::StartsWith("kemu.yaml:1: versoin: unknown key"));
}

TEST_CASE("an out-of-range batch_size says the range and the value", "[core]") {
    CHECK(only_config_error("version: 1\n"
                            "event_flows:\n"
                            "  - event_type: orders\n"
                            "    lambda_source_path: src\n"
                            "  - event_type: clicks\n"
                            "    lambda_source_path: src\n"
                            "    batch_size: 0\n") ==
          "kemu.yaml:7: event_flows[1].batch_size: must be between 1 and 10000 (got 0)");
    CHECK(only_config_error("version: 1\n"
                            "event_flows:\n"
                            "  - event_type: orders\n"
                            "    lambda_source_path: src\n"
                            "    batch_size: 10001\n") ==
          "kemu.yaml:5: event_flows[0].batch_size: must be between 1 and 10000 (got 10001)");
    CHECK(only_config_error("version: 1\n"
                            "event_flows:\n"
                            "  - event_type: orders\n"
                            "    lambda_source_path: src\n"
                            "    batch_size: many\n") ==
          "kemu.yaml:5: event_flows[0].batch_size: must be an integer (got 'many')");
}

TEST_CASE("other documented ranges and patterns are enforced", "[core]") {
    auto flow = [](const std::string& extra) {
        return "version: 1\n"
               "event_flows:\n"
               "  - event_type: orders\n"
               "    lambda_source_path: src\n"
               "    " +
               extra + "\n";
    };
    CHECK_THAT(only_config_error(flow("retention_period: 23")),
               Catch::Matchers::StartsWith("kemu.yaml:5: event_flows[0].retention_period: "));
    CHECK_THAT(only_config_error(flow("lambda_memory_size: 127")),
               Catch::Matchers::StartsWith("kemu.yaml:5: event_flows[0].lambda_memory_size: "));
    CHECK_THAT(only_config_error(flow("lambda_timeout: 901")),
               Catch::Matchers::StartsWith("kemu.yaml:5: event_flows[0].lambda_timeout: "));
    CHECK_THAT(only_config_error(flow("batch_window_seconds: 301")),
               Catch::Matchers::StartsWith("kemu.yaml:5: event_flows[0].batch_window_seconds: "));
    CHECK_THAT(only_config_error(flow("max_retry_attempts: -2")),
               Catch::Matchers::StartsWith("kemu.yaml:5: event_flows[0].max_retry_attempts: "));
    CHECK_THAT(only_config_error(flow("starting_position: EARLIEST")),
               Catch::Matchers::StartsWith("kemu.yaml:5: event_flows[0].starting_position: "));
    CHECK_THAT(only_config_error(flow("shard_level_metrics: [IncomingBytes, Bogus]")),
               Catch::Matchers::StartsWith("kemu.yaml:5: event_flows[0].shard_level_metrics[1]: "));
    CHECK_THAT(only_config_error(flow("dlq_enabled: maybe")),
               Catch::Matchers::StartsWith("kemu.yaml:5: event_flows[0].dlq_enabled: "));
    CHECK_THAT(only_config_error("version: 1\n"
                                 "environment: Dev\n"
                                 "event_flows:\n"
                                 "  - event_type: orders\n"
                                 "    lambda_source_path: src\n"),
               Catch::Matchers::StartsWith("kemu.yaml:2: environment: "));
    CHECK_THAT(only_config_error("version: 1\n"
                                 "api:\n"
                                 "  throttling_rate_limit: 0\n"
                                 "event_flows:\n"
                                 "  - event_type: orders\n"
                                 "    lambda_source_path: src\n"),
               Catch::Matchers::StartsWith("kemu.yaml:3: api.throttling_rate_limit: "));
    // (kemu also adds a second "event_type: is required" line here; only the first is asserted.)
    auto bad_type = config_errors(
        "version: 1\n"
        "event_flows:\n"
        "  - event_type: Orders\n"
        "    lambda_source_path: src\n");
    REQUIRE_FALSE(bad_type.empty());
    CHECK(bad_type[0].to_string() ==
          "kemu.yaml:3: event_flows[0].event_type: must match ^[a-z0-9][a-z0-9_-]{0,62}$ (got "
          "'Orders')");
}

TEST_CASE("event_type batch is refused because of the batch route", "[core]") {
    auto e = only_config_error(
        "version: 1\n"
        "event_flows:\n"
        "  - event_type: batch\n"
        "    lambda_source_path: src\n");
    CHECK_THAT(e, Catch::Matchers::StartsWith("kemu.yaml:3: event_flows[0].event_type: "));
    CHECK_THAT(e, Catch::Matchers::Contains("batch"));
}

TEST_CASE("a duplicate event_type is refused at its second use", "[core]") {
    auto e = only_config_error(
        "version: 1\n"
        "event_flows:\n"
        "  - event_type: orders\n"
        "    lambda_source_path: src\n"
        "  - event_type: orders\n"
        "    lambda_source_path: other\n");
    CHECK(e == "kemu.yaml:5: event_flows[1].event_type: duplicate event_type 'orders'");
}

TEST_CASE("required keys are reported when missing", "[core]") {
    CHECK(only_config_error("event_flows:\n"
                            "  - event_type: orders\n"
                            "    lambda_source_path: src\n") ==
          "kemu.yaml:1: version: is required (write `version: 1`)");
    CHECK_THAT(only_config_error("version: 2\n"
                                 "event_flows:\n"
                                 "  - event_type: orders\n"
                                 "    lambda_source_path: src\n"),
               Catch::Matchers::StartsWith("kemu.yaml:1: version: unsupported version 2"));
    CHECK_THAT(only_config_error("version: 1\n"),
               Catch::Matchers::StartsWith("kemu.yaml:1: event_flows: is required"));
    CHECK_THAT(only_config_error("version: 1\nevent_flows: []\n"),
               Catch::Matchers::StartsWith("kemu.yaml:2: event_flows: "));
    CHECK(only_config_error("version: 1\n"
                            "event_flows:\n"
                            "  - event_type: orders\n") ==
          "kemu.yaml:3: event_flows[0].lambda_source_path: is required");
    CHECK_FALSE(config_errors("").empty());
}

TEST_CASE("every error in a file is reported, not just the first", "[core]") {
    auto errors = config_errors(
        "version: 1\n"
        "colour: blue\n"
        "event_flows:\n"
        "  - event_type: orders\n"
        "    lambda_source_path: src\n"
        "    batch_size: 0\n"
        "    timeout: 3\n");
    auto t = texts(errors);
    INFO(::Catch::Detail::stringify(t));
    REQUIRE(errors.size() == 3);
    CHECK_THAT(t[0], Catch::Matchers::StartsWith("kemu.yaml:2: colour: unknown key"));
    CHECK(t[1] == "kemu.yaml:6: event_flows[0].batch_size: must be between 1 and 10000 (got 0)");
    CHECK_THAT(t[2],
               Catch::Matchers::StartsWith("kemu.yaml:7: event_flows[0].timeout: unknown key"));
}

TEST_CASE("invalid YAML is one error with its line", "[core]") {
    auto errors = config_errors(
        "version: 1\n"
        "event_flows:\n"
        "  - event_type: [orders\n"
        "    lambda_source_path: src\n");
    REQUIRE(errors.size() == 1);
    CHECK(errors[0].file == "kemu.yaml");
    CHECK(errors[0].line >= 3);
    CHECK_THAT(errors[0].message, Catch::Matchers::StartsWith("not valid YAML"));
    CHECK_THAT(errors[0].to_string(), Catch::Matchers::StartsWith("kemu.yaml:"));
}

TEST_CASE("an unreadable file is one error naming it", "[core]") {
    Config cfg;
    auto errors = kemu::load_config("/nonexistent/kemu.yaml", &cfg);
    REQUIRE(errors.size() == 1);
    CHECK(errors[0].to_string() == "/nonexistent/kemu.yaml: cannot read the file");
}

namespace {

// kMinimal's flows behind an `api:` block.
std::string with_api(const std::string& api) {
    return "version: 1\napi:\n" + api +
           "event_flows:\n  - event_type: orders\n    lambda_source_path: src\n";
}

}  // namespace

TEST_CASE("api: gateway behaviours, method settings and usage plans", "[core]") {
    Config cfg;
    auto errors =
        parse_config(with_api("  api_key_required: true\n"
                              "  passthrough_behavior: WHEN_NO_MATCH\n"
                              "  integration_responses: default-only\n"
                              "  gateway_response_cors: false\n"
                              "  method_settings:\n"
                              "    - method_path: events/batch/{event_type}/POST\n"
                              "      throttling_rate_limit: 0.5\n"
                              "  usage_plans:\n"
                              "    - name: partners\n"
                              "      throttle_settings: {rate_limit: 10, burst_limit: 20}\n"
                              "      quota_settings: {limit: 1000, period: WEEK}\n"
                              "      api_keys:\n"
                              "        - name: web-app\n"
                              "        - name: old\n"
                              "          enabled: false\n"
                              "    - name: free\n"),
                     "kemu.yaml", &cfg);
    INFO(::Catch::Detail::stringify(texts(errors)));
    REQUIRE(errors.empty());
    const auto& a = cfg.api;
    CHECK(a.passthrough_behavior == "WHEN_NO_MATCH");
    CHECK(a.integration_responses == "default-only");
    CHECK_FALSE(a.gateway_response_cors);
    REQUIRE(a.method_settings.size() == 1);
    CHECK(a.method_settings[0].method_path == "events/batch/{event_type}/POST");
    CHECK(a.method_settings[0].throttling_rate_limit == 0.5);
    CHECK_FALSE(a.method_settings[0].throttling_burst_limit);
    REQUIRE(a.usage_plans.size() == 2);
    const auto& plan = a.usage_plans[0];
    CHECK(plan.name == "partners");
    REQUIRE(plan.throttle);
    CHECK(plan.throttle->rate_limit == 10);
    CHECK(plan.throttle->burst_limit == 20);
    REQUIRE(plan.quota);
    CHECK(plan.quota->limit == 1000);
    CHECK(plan.quota->period == "WEEK");
    REQUIRE(plan.api_keys.size() == 2);
    CHECK(plan.api_keys[0].name == "web-app");
    CHECK(plan.api_keys[0].enabled);
    CHECK(plan.api_keys[0].line == 15);
    CHECK_FALSE(plan.api_keys[1].enabled);
    CHECK(a.usage_plans[1].name == "free");
    CHECK_FALSE(a.usage_plans[1].throttle);
    CHECK_FALSE(a.usage_plans[1].quota);
    CHECK(kemu::api_key_variable("web-app") == "KEMU_API_KEY_WEB_APP");
}

TEST_CASE("api_key_required without a usage plan gets the module's one plan and key", "[core]") {
    Config cfg;
    REQUIRE(parse_config(with_api("  api_key_required: true\n"), "kemu.yaml", &cfg).empty());
    REQUIRE(cfg.api.usage_plans.size() == 1);
    CHECK(cfg.api.usage_plans[0].name == "default");
    REQUIRE(cfg.api.usage_plans[0].api_keys.size() == 1);
    CHECK(cfg.api.usage_plans[0].api_keys[0].name == "default");
    CHECK(cfg.api.usage_plans[0].api_keys[0].enabled);

    Config open;
    REQUIRE(parse_config(with_api("  api_key_required: false\n"), "kemu.yaml", &open).empty());
    CHECK(open.api.usage_plans.empty());
}

TEST_CASE("api: bad values name the file, line and dotted key", "[core]") {
    CHECK(only_config_error(with_api("  passthrough_behavior: ALWAYS\n")) ==
          "kemu.yaml:3: api.passthrough_behavior: must be one of NEVER, WHEN_NO_TEMPLATES, "
          "WHEN_NO_MATCH (got 'ALWAYS')");
    CHECK(only_config_error(with_api("  integration_responses: some\n")) ==
          "kemu.yaml:3: api.integration_responses: must be one of recommended, default-only, "
          "none (got 'some')");
    CHECK(only_config_error(with_api("  gateway_response_cors: maybe\n")) ==
          "kemu.yaml:3: api.gateway_response_cors: must be true or false (got 'maybe')");
    CHECK(only_config_error(with_api("  method_settings:\n"
                                     "    - method_path: \"*/*\"\n")) ==
          "kemu.yaml:4: api.method_settings[0].method_path: must be one of "
          "events/{event_type}/POST, events/batch/{event_type}/POST, "
          "events/{event_type}/OPTIONS, events/batch/{event_type}/OPTIONS (got '*/*')");
    CHECK(only_config_error(with_api("  method_settings:\n"
                                     "    - method_path: events/{event_type}/POST\n"
                                     "      throttling_burst_limit: 0\n")) ==
          "kemu.yaml:5: api.method_settings[0].throttling_burst_limit: must be between 1 and "
          "2147483647 (got 0)");
    auto missing =
        config_errors(with_api("  method_settings:\n"
                               "    - throttling_rate_limit: 5\n"));
    REQUIRE(missing.size() == 1);
    CHECK(missing[0].to_string() == "kemu.yaml:4: api.method_settings[0].method_path: is required");
    CHECK(only_config_error(with_api("  method_settings: events\n")) ==
          "kemu.yaml:3: api.method_settings: must be a list");
    CHECK(only_config_error(with_api("  usage_plans:\n"
                                     "    - name: p\n"
                                     "      quota_settings: {limit: 5, period: YEAR}\n")) ==
          "kemu.yaml:5: api.usage_plans[0].quota_settings.period: must be one of DAY, WEEK, "
          "MONTH (got 'YEAR')");
    CHECK(only_config_error(with_api("  usage_plans:\n"
                                     "    - name: p\n"
                                     "      quota_settings: {period: DAY}\n")) ==
          "kemu.yaml:5: api.usage_plans[0].quota_settings.limit: is required");
    CHECK(only_config_error(with_api("  usage_plans:\n"
                                     "    - name: p\n"
                                     "      throttle_settings:\n"
                                     "        rate_limit: 0\n"
                                     "        burst_limit: 1\n")) ==
          "kemu.yaml:6: api.usage_plans[0].throttle_settings.rate_limit: must be greater than 0 "
          "(got 0)");
    CHECK(only_config_error(with_api("  usage_plans:\n"
                                     "    - name: p\n"
                                     "      throttle_settings: {rate_limit: 5}\n")) ==
          "kemu.yaml:5: api.usage_plans[0].throttle_settings.burst_limit: is required");
    CHECK(only_config_error(with_api("  usage_plans:\n"
                                     "    - api_keys: []\n")) ==
          "kemu.yaml:4: api.usage_plans[0].name: is required");
    CHECK(only_config_error(with_api("  usage_plans:\n"
                                     "    - name: p\n"
                                     "      api_keys:\n"
                                     "        - name: a b\n")) ==
          "kemu.yaml:6: api.usage_plans[0].api_keys[0].name: must match [A-Za-z0-9_-]{1,128} "
          "(got 'a b')");
    CHECK(only_config_error(with_api("  usage_plans:\n"
                                     "    - name: p\n"
                                     "      api_keys:\n"
                                     "        - name: k\n"
                                     "          value: secret\n")) ==
          "kemu.yaml:7: api.usage_plans[0].api_keys[0].value: unknown key (known keys: enabled, "
          "name)");
}

TEST_CASE("api: duplicate plans, keys and method paths are refused at their second use", "[core]") {
    CHECK(only_config_error(with_api("  usage_plans:\n"
                                     "    - name: p\n"
                                     "    - name: p\n")) ==
          "kemu.yaml:5: api.usage_plans[1].name: duplicate usage plan name 'p'");
    CHECK(only_config_error(with_api("  usage_plans:\n"
                                     "    - name: p\n"
                                     "      api_keys: [{name: web-app}]\n"
                                     "    - name: q\n"
                                     "      api_keys:\n"
                                     "        - name: WEB_APP\n")) ==
          "kemu.yaml:8: api.usage_plans[1].api_keys[0].name: duplicate api key name 'WEB_APP' "
          "(its value is read from KEMU_API_KEY_WEB_APP, and a key belongs to one usage plan)");
    CHECK(only_config_error(with_api("  method_settings:\n"
                                     "    - method_path: events/{event_type}/POST\n"
                                     "    - method_path: events/{event_type}/POST\n")) ==
          "kemu.yaml:5: api.method_settings[1].method_path: duplicate method_path "
          "'events/{event_type}/POST'");
}

TEST_CASE("log_retention_days takes the CloudWatch Logs periods or 0 for never", "[core]") {
    Config cfg;
    REQUIRE(parse_config("version: 1\napi:\n  log_retention_days: 30\nevent_flows:\n"
                         "  - event_type: a\n    lambda_source_path: a\n"
                         "    log_retention_days: 0\n",
                         "kemu.yaml", &cfg)
                .empty());
    CHECK(cfg.api.log_retention_days == 30);
    CHECK(cfg.event_flows[0].log_retention_days == 0);
    CHECK(Config{}.api.log_retention_days == 14);
    CHECK_THAT(only_config_error(with_api("  log_retention_days: 10\n")),
               Catch::StartsWith("kemu.yaml:3: api.log_retention_days: must be one of 0, 1, 3, "));
}

TEST_CASE("allow_origins lists the browser origins kemu up allows besides its own", "[core]") {
    Config cfg;
    REQUIRE(parse_config(std::string(kMinimal) + "allow_origins: [\"http://localhost:3000\"]\n",
                         "kemu.yaml", &cfg)
                .empty());
    CHECK(cfg.allow_origins == std::vector<std::string>{"http://localhost:3000"});
    Config none;
    REQUIRE(parse_config(kMinimal, "kemu.yaml", &none).empty());
    CHECK(none.allow_origins.empty());
}
