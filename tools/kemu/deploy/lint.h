#pragma once
// `kemu validate --aws`: warnings on kemu.yaml itself before any Terraform exists, after the
// published serverless rules (docs/deploy.md, Lint rules). They never fail validation.

#include <string>
#include <vector>

#include "core/config.h"

namespace kemu::deploy {

struct LintWarning {
    std::string rule;  // e.g. on-failure-destination
    int line = 0;
    std::string key;  // dotted path
    std::string message;
};

// `text` is the file's YAML (to tell which keys it sets); `cfg` the parsed file.
std::vector<LintWarning> lint_for_aws(const Config& cfg, const std::string& text);

// "kemu.yaml:12: event_flows[0].dlq_enabled: warning [on-failure-destination]: ..."
std::string format_warning(const std::string& file, const LintWarning& w);

// Loads `path` and prints its warnings to stderr; returns how many.
int print_aws_lint(const std::string& path);
}  // namespace kemu::deploy
