#pragma once
// `kemu init --from-terraform DIR`: a kemu.yaml from a Terraform root like the seed's main.tf
// (docs/deploy.md, Starting from Terraform).

#include <string>
#include <vector>

namespace kemu::deploy {

struct Translation {
    std::string yaml;                   // the kemu.yaml text
    std::vector<std::string> problems;  // "main.tf:31: module.order_events.max_retry_attempts: ..."
};

// Reads DIR/main.tf (its kinesis_event_flow and api_gateway module blocks), resolving `var.`
// references from DIR/variables.tf defaults and DIR/terraform.tfvars. Literals, `var.x`,
// "${var.x}" and "${path.module}/..." are translated; every other expression is a problem.
// `out_dir` is where the kemu.yaml goes (lambda paths are made relative to it). Throws
// std::runtime_error when main.tf cannot be read.
Translation translate_terraform(const std::string& dir, const std::string& out_dir);

// The command: writes `out` (default DIR/kemu.yaml); exit 0, or 2 when nothing was found.
int run_init_from_terraform(const std::string& dir, const std::string& out);

}  // namespace kemu::deploy
