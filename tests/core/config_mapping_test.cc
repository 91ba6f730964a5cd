// kemu.yaml's event source mapping and function keys beyond the seed's (docs/kemu-yaml.md,
// event_flows[]): parallelization_factor, AT_TIMESTAMP's timestamp, the record age, the stream
// mode and environment_variables, with AWS's defaults and their errors' file, line and key.

#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "core/config.h"
#include "support/config_errors.h"

using kemu::Config;
using kemu::ConfigError;
using kemu::parse_config;
using kemu::test::config_error_texts;
using kemu::test::only_config_error;

namespace {

// A one-flow file with `extra` (indented keys of the flow) after its first two lines, which
// are lines 3 and 4; `extra`'s first line is line 5.
std::string flow_with(const std::string& extra) {
    return "version: 1\n"
           "event_flows:\n"
           "  - event_type: orders\n"
           "    lambda_source_path: ./src/orders\n" +
           extra;
}

const kemu::FlowConfig& parsed_flow(const std::string& yaml, Config* cfg) {
    auto errors = config_error_texts(yaml, cfg);
    INFO(::Catch::Detail::stringify(errors));
    REQUIRE(errors.empty());
    return cfg->event_flows.at(0);
}

}  // namespace

TEST_CASE("mapping keys default as AWS does", "[core]") {
    Config cfg;
    const auto& f = parsed_flow(flow_with(""), &cfg);
    CHECK(f.parallelization_factor == 1);
    CHECK(f.maximum_record_age_seconds == -1);
    CHECK(f.stream_mode == "PROVISIONED");
    CHECK_FALSE(f.starting_position_timestamp_ms.has_value());
    CHECK(f.environment_variables.empty());
}

TEST_CASE("parallelization_factor takes 1 to 10", "[core]") {
    Config cfg;
    CHECK(parsed_flow(flow_with("    parallelization_factor: 10\n"), &cfg).parallelization_factor ==
          10);
    CHECK(only_config_error(flow_with("    parallelization_factor: 11\n")) ==
          "kemu.yaml:5: event_flows[0].parallelization_factor: must be between 1 and 10 (got 11)");
    CHECK(only_config_error(flow_with("    parallelization_factor: 0\n")) ==
          "kemu.yaml:5: event_flows[0].parallelization_factor: must be between 1 and 10 (got 0)");
}

TEST_CASE("maximum_record_age_seconds takes -1 or 60 to 604800", "[core]") {
    for (int ok : {-1, 60, 604800}) {
        Config cfg;
        auto yaml = flow_with("    maximum_record_age_seconds: " + std::to_string(ok) + "\n");
        CHECK(parsed_flow(yaml, &cfg).maximum_record_age_seconds == ok);
    }
    for (int bad : {0, 59, -2, 604801}) {
        CHECK(only_config_error(
                  flow_with("    maximum_record_age_seconds: " + std::to_string(bad) + "\n")) ==
              "kemu.yaml:5: event_flows[0].maximum_record_age_seconds: must be -1 or between 60 "
              "and 604800 (got " +
                  std::to_string(bad) + ")");
    }
    CHECK(only_config_error(flow_with("    maximum_record_age_seconds: soon\n")) ==
          "kemu.yaml:5: event_flows[0].maximum_record_age_seconds: must be an integer (got "
          "'soon')");
}

TEST_CASE("AT_TIMESTAMP takes an ISO-8601 time or Unix seconds", "[core]") {
    struct Case {
        std::string text;
        int64_t ms;
    };
    for (const auto& c : std::vector<Case>{{"2024-06-10T14:55:02Z", 1718031302000},
                                           {"2024-06-10T14:55:02.118Z", 1718031302118},
                                           {"2024-06-10T16:55:02+02:00", 1718031302000},
                                           {"2024-06-10 09:55:02.5-05:00", 1718031302500},
                                           {"1718031302", 1718031302000},
                                           {"1718031302.25", 1718031302250}}) {
        INFO(c.text);
        Config cfg;
        const auto& f = parsed_flow(flow_with("    starting_position: AT_TIMESTAMP\n"
                                              "    starting_position_timestamp: " +
                                              c.text + "\n"),
                                    &cfg);
        CHECK(f.starting_position == "AT_TIMESTAMP");
        REQUIRE(f.starting_position_timestamp_ms.has_value());
        CHECK(*f.starting_position_timestamp_ms == c.ms);
    }
}

TEST_CASE("AT_TIMESTAMP without a timestamp, or a timestamp without it, is refused", "[core]") {
    CHECK(only_config_error(flow_with("    starting_position: AT_TIMESTAMP\n")) ==
          "kemu.yaml:5: event_flows[0].starting_position_timestamp: is required when "
          "starting_position is AT_TIMESTAMP");
    CHECK(only_config_error(flow_with("    starting_position: TRIM_HORIZON\n"
                                      "    starting_position_timestamp: 1718031302\n")) ==
          "kemu.yaml:6: event_flows[0].starting_position_timestamp: is only valid with "
          "starting_position: AT_TIMESTAMP (starting_position is TRIM_HORIZON)");
    CHECK(only_config_error(flow_with("    starting_position: AT_TIMESTAMP\n"
                                      "    starting_position_timestamp: 2024-02-30T00:00:00Z\n")) ==
          "kemu.yaml:6: event_flows[0].starting_position_timestamp: must be an ISO-8601 time "
          "such as 2024-06-10T14:55:02Z, or Unix seconds (got '2024-02-30T00:00:00Z')");
    CHECK(only_config_error(flow_with("    starting_position: AT_TIMESTAMP\n"
                                      "    starting_position_timestamp: yesterday\n")) ==
          "kemu.yaml:6: event_flows[0].starting_position_timestamp: must be an ISO-8601 time "
          "such as 2024-06-10T14:55:02Z, or Unix seconds (got 'yesterday')");
}

TEST_CASE("stream_mode ON_DEMAND has 4 shards and refuses a shard_count", "[core]") {
    Config cfg;
    const auto& f = parsed_flow(flow_with("    stream_mode: ON_DEMAND\n"), &cfg);
    CHECK(f.stream_mode == "ON_DEMAND");
    CHECK(f.shard_count == 4);
    CHECK(only_config_error(flow_with("    shard_count: 2\n    stream_mode: ON_DEMAND\n")) ==
          "kemu.yaml:5: event_flows[0].shard_count: cannot be set with stream_mode: ON_DEMAND "
          "(an on-demand stream starts with 4 shards)");
    CHECK(only_config_error(flow_with("    stream_mode: on_demand\n")) ==
          "kemu.yaml:5: event_flows[0].stream_mode: must be one of PROVISIONED, ON_DEMAND (got "
          "'on_demand')");
}

TEST_CASE("environment_variables are read as strings", "[core]") {
    Config cfg;
    const auto& f = parsed_flow(flow_with("    environment_variables:\n"
                                          "      TABLE_NAME: orders\n"
                                          "      RETRIES: 3\n"
                                          "      EMPTY:\n"),
                                &cfg);
    CHECK(f.environment_variables == std::map<std::string, std::string>{{"EMPTY", ""},
                                                                        {"RETRIES", "3"},
                                                                        {"TABLE_NAME", "orders"}});
}

TEST_CASE("environment_variables keys follow Lambda's pattern and reserved names", "[core]") {
    CHECK(only_config_error(flow_with("    environment_variables:\n      1ST: x\n")) ==
          "kemu.yaml:6: event_flows[0].environment_variables.1ST: 1 validation error detected: "
          "Value at 'environment.variables' failed to satisfy constraint: Map keys must satisfy "
          "constraint: [Member must satisfy regular expression pattern: [a-zA-Z]([a-zA-Z0-9_])+]");
    CHECK(only_config_error(flow_with("    environment_variables:\n      X: one letter\n"))
              .find("environment_variables.X: 1 validation error detected") != std::string::npos);
    CHECK(only_config_error(
              flow_with("    environment_variables:\n      OK: 1\n      AWS_REGION: x\n")) ==
          "kemu.yaml:7: event_flows[0].environment_variables.AWS_REGION: Lambda was unable to "
          "configure your environment variables because the environment variables you have "
          "provided contains reserved keys that are currently not supported for modification. "
          "Reserved keys used in this request: AWS_REGION");
    auto errors =
        config_error_texts(flow_with("    environment_variables:\n"
                                     "      AWS_ACCESS_KEY_ID: a\n"
                                     "      AWS_SECRET_ACCESS_KEY: b\n"
                                     "      AWS_LAMBDA_RUNTIME_API: c\n"));
    CHECK(errors.size() == 3);
    CHECK(only_config_error(flow_with("    environment_variables: [A, B]\n")) ==
          "kemu.yaml:5: event_flows[0].environment_variables: must be a mapping of names to "
          "strings");
    CHECK(only_config_error(flow_with("    environment_variables:\n      NESTED: {a: 1}\n")) ==
          "kemu.yaml:6: event_flows[0].environment_variables.NESTED: must be a string");
}

TEST_CASE("environment_variables past 4 KB are refused with the string measured", "[core]") {
    std::string big(4096 - 10, 'x');  // {"BIG":"…"} is 10 bytes more: exactly 4096
    Config cfg;
    CHECK(parsed_flow(flow_with("    environment_variables:\n      BIG: " + big + "\n"), &cfg)
              .environment_variables.at("BIG")
              .size() == big.size());
    auto e = only_config_error(flow_with("    environment_variables:\n      BIG: " + big + "y\n"));
    CHECK(e ==
          "kemu.yaml:6: event_flows[0].environment_variables: Lambda was unable to configure "
          "your environment variables because the environment variables you have provided "
          "exceeded the 4KB limit. String measured: {\"BIG\":\"" +
              big + "y\"}");
}
