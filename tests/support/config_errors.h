#pragma once
// kemu.yaml read from a string, for the config tests: its errors, and its one error.

#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "core/config.h"

namespace kemu::test {

// The errors of `yaml` read as kemu.yaml, into `cfg` when given. Without `cfg`, into a scratch
// Config, which must stay untouched when there are errors.
inline std::vector<ConfigError> config_errors(const std::string& yaml, Config* cfg = nullptr) {
    if (cfg) return parse_config(yaml, "kemu.yaml", cfg);
    Config scratch;
    scratch.project = "untouched";
    auto errors = parse_config(yaml, "kemu.yaml", &scratch);
    if (!errors.empty()) CHECK(scratch.project == "untouched");
    return errors;
}

// The same, as to_string() prints each.
inline std::vector<std::string> config_error_texts(const std::string& yaml, Config* cfg = nullptr) {
    std::vector<std::string> out;
    for (const auto& e : config_errors(yaml, cfg))
        out.push_back(e.to_string());
    return out;
}

// The one error of `yaml`, as to_string() prints it; fails the test unless there is exactly one.
inline std::string only_config_error(const std::string& yaml) {
    auto errors = config_error_texts(yaml);
    INFO(::Catch::Detail::stringify(errors));
    REQUIRE(errors.size() == 1);
    return errors[0];
}

}  // namespace kemu::test
