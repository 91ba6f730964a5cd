// kemu.yaml's tumbling_window_seconds and filter_criteria (docs/kemu-yaml.md): defaults, YAML
// patterns as JSON, and errors that name the file, line and key with AWS's message.

#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "core/config.h"
#include "support/config_errors.h"

using kemu::Config;
using kemu::ConfigError;
using kemu::parse_config;
using kemu::test::config_error_texts;

namespace {

std::string flow(const std::string& extra) {
    return "version: 1\n"
           "event_flows:\n"
           "  - event_type: orders\n"
           "    lambda_source_path: src\n" +
           extra;
}

Config parsed(const std::string& yaml) {
    Config cfg;
    auto errors = config_error_texts(yaml);
    INFO(::Catch::Detail::stringify(errors));
    REQUIRE(errors.empty());
    REQUIRE(parse_config(yaml, "kemu.yaml", &cfg).empty());
    return cfg;
}

}  // namespace

TEST_CASE("tumbling windows and filters default to off", "[core]") {
    auto cfg = parsed(flow(""));
    CHECK(cfg.event_flows[0].tumbling_window_seconds == 0);
    CHECK(cfg.event_flows[0].filter_patterns.empty());
}

TEST_CASE("tumbling_window_seconds takes 0 to 900", "[core]") {
    CHECK(
        parsed(flow("    tumbling_window_seconds: 900\n")).event_flows[0].tumbling_window_seconds ==
        900);
    CHECK(config_error_texts(flow("    tumbling_window_seconds: 901\n")) ==
          std::vector<std::string>{"kemu.yaml:5: event_flows[0].tumbling_window_seconds: must be "
                                   "between 0 and 900 (got 901)"});
}

TEST_CASE("filter_criteria patterns become JSON with YAML's scalar types", "[core]") {
    auto cfg =
        parsed(flow("    filter_criteria:\n"
                    "      - data: {type: [created], qty: [5, 2.5], ok: [true], v: [null]}\n"
                    "      - data:\n"
                    "          id: [\"5\", {prefix: ord-}]\n"
                    "        partitionKey: [{anything-but: [a, b]}]\n"
                    "      - data: {n: [{numeric: ['>', 0, '<=', 5]}]}\n"));
    const auto& p = cfg.event_flows[0].filter_patterns;
    REQUIRE(p.size() == 3);
    CHECK(p[0] == R"({"data":{"ok":[true],"qty":[5,2.5],"type":["created"],"v":[null]}})");
    CHECK(p[1] ==
          R"({"data":{"id":["5",{"prefix":"ord-"}]},"partitionKey":[{"anything-but":["a","b"]}]})");
    CHECK(p[2] == R"({"data":{"n":[{"numeric":[">",0,"<=",5]}]}})");
}

TEST_CASE("a bad filter pattern names the file, line and key with AWS's message", "[core]") {
    CHECK(config_error_texts(flow("    filter_criteria:\n"
                                  "      - data: {type: [created]}\n"
                                  "      - data:\n"
                                  "          qty: [{numeric: ['>']}]\n")) ==
          std::vector<std::string>{
              "kemu.yaml:8: event_flows[0].filter_criteria[1].data.qty[0]: Invalid filter pattern "
              "definition. (numeric takes [\"=\", n] or up to two comparisons, e.g. [\">\", 0, "
              "\"<=\", 5])"});
    CHECK(config_error_texts(flow("    filter_criteria:\n"
                                  "      - data:\n"
                                  "          type: created\n")) ==
          std::vector<std::string>{
              "kemu.yaml:7: event_flows[0].filter_criteria[0].data.type: Invalid filter pattern "
              "definition. (a field's value is a list of values or a nested pattern (write "
              "[\"created\"]))"});
    CHECK(config_error_texts(flow("    filter_criteria:\n"
                                  "      - [1]\n")) ==
          std::vector<std::string>{"kemu.yaml:6: event_flows[0].filter_criteria[0]: Invalid filter "
                                   "pattern definition. (a pattern is an object of field names)"});
    CHECK(config_error_texts(flow("    filter_criteria: {data: {a: [1]}}\n")) ==
          std::vector<std::string>{"kemu.yaml:5: event_flows[0].filter_criteria: must be a list "
                                   "of filter patterns (mappings)"});
}

TEST_CASE("more than five filters, or a pattern over 4096 characters, is refused", "[core]") {
    std::string six = "    filter_criteria:\n";
    for (int i = 0; i < 6; ++i)
        six += "      - data: {a: [" + std::to_string(i) + "]}\n";
    auto errors = config_error_texts(flow(six));
    REQUIRE(errors.size() == 1);
    CHECK(errors[0] ==
          "kemu.yaml:11: event_flows[0].filter_criteria: at most 5 filters per event source "
          "mapping (AWS's default quota; got 6)");
    std::string big = "    filter_criteria:\n      - data: {a: [" + std::string(4100, 'x') + "]}\n";
    errors = config_error_texts(flow(big));
    REQUIRE(errors.size() == 1);
    CHECK_THAT(errors[0], Catch::Matchers::StartsWith(
                              "kemu.yaml:6: event_flows[0].filter_criteria[0]: Value at "
                              "'filterCriteria.filters.1.member.pattern' failed to satisfy "
                              "constraint: Member must have length less than or equal to 4096"));
}
