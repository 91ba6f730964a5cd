#pragma once
// `kemu dlq count` and `kemu dlq list FLOW`: operator views of the dead-letter queues of a
// running kemu, through its /_kemu/sqs endpoints (a peek: nothing is received or hidden).

#include <string>

namespace kemu::cli {

struct DlqOptions {
    std::string endpoint = "http://127.0.0.1:4566";
    std::string config;  // kemu.yaml, to turn an event type into its DLQ name
    std::string flow;    // an event type of kemu.yaml, or a queue name
    int max = 100;
    bool json = false;
};

int run_dlq_count(const DlqOptions& o);
int run_dlq_list(const DlqOptions& o);
// Re-runs each on-failure record of the flow's DLQ against the running processor; deletes the
// messages that succeed. Exit 0 when all succeeded, 3 when some are left.
int run_dlq_replay(const DlqOptions& o);

}  // namespace kemu::cli
