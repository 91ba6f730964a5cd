#pragma once
// One line per flow from `terraform show -json kemu.tfplan` (docs/deploy.md, Plan summary),
// and the data-loss guard: a Kinesis stream or SQS queue that the plan deletes.

#include <string>
#include <vector>

namespace kemu::deploy {

struct FlowChange {
    std::string flow;  // event type, "api" for module.api_gateway, "root" otherwise
    int create = 0;
    int change = 0;
    int destroy = 0;
    int replace = 0;
    std::vector<std::string> settings;  // "aws_lambda_event_source_mapping.batch_size: 100 -> 200"
};

struct PlanSummary {
    std::vector<FlowChange> flows;           // sorted by flow
    std::vector<std::string> data_loss;      // addresses of streams/queues deleted or replaced
    std::vector<std::string> lines() const;  // what kemu prints
};

// module.event_flow["orders"] -> orders; empty for any other address.
std::string event_flow_of(const std::string& module_address);

// Throws std::runtime_error when `show_json` is not a plan's JSON.
PlanSummary summarise_plan(const std::string& show_json);

}  // namespace kemu::deploy
