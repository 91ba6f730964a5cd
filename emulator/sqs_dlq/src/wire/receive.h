#pragma once
// ReceiveMessage's input and output: the arguments it validates, which attributes the client
// asked for, and the messages in the JSON protocol's shape. The waiting is long_poll.h's.

#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "call.h"
#include "core/aws_error.h"
#include "sqs_dlq/queue_store.h"

namespace kemu::sqs_dlq::wire {

// Which attributes a ReceiveMessage asked for.
struct Selection {
    std::set<std::string> system;   // "All" or names
    std::vector<std::string> user;  // "All", "*", ".*", names, "prefix.*"

    bool wants_system(std::string_view n) const;
    bool wants_user(const std::string& n) const;
};

struct ReceiveArgs {
    std::string queue;
    ReceiveRequest request;
    Selection selection;
    int wait_seconds = 0;  // 0: answer at once
};

// Validates MaxNumberOfMessages, WaitTimeSeconds and VisibilityTimeout in AWS's order; without
// WaitTimeSeconds the queue's ReceiveMessageWaitTimeSeconds applies.
Result<ReceiveArgs> receive_args(const Call& c, const QueueStore& store);

// {"Messages": [...]}, or {} for none (empty lists are omitted).
ActionOutput messages_output(const Selection& sel, const std::vector<ReceivedMessage>& msgs);

}  // namespace kemu::sqs_dlq::wire
