#pragma once
// SQS's actions over QueueStore, in the JSON protocol's shapes (a Call in, an ActionOutput out),
// so one set serves both wire protocols. ReceiveMessage is not here: it may wait (receive.h,
// long_poll.h).
//   queue_actions.cc    dispatch; queues, attributes, tags, message move tasks
//   message_actions.cc  send, delete and visibility, one message or a batch

#include <string>
#include <string_view>

#include "call.h"
#include "core/aws_error.h"
#include "sqs_dlq/queue_store.h"

namespace kemu::sqs_dlq::wire {

class Actions {
public:
    Actions(QueueStore& store, std::string account) : store_(store), account_(std::move(account)) {}

    // Runs c.action; an unknown one is UnknownOperation (JSON) or InvalidAction (query).
    Result<ActionOutput> run(const Call& c);

private:
    // queue_actions.cc
    Result<ActionOutput> create_queue(const Call& c);
    Result<ActionOutput> get_queue_url(const Call& c);
    Result<ActionOutput> list_queues(const Call& c);
    Result<ActionOutput> get_queue_attributes(const Call& c);
    Result<ActionOutput> list_queue_tags(const Call& c);
    Result<ActionOutput> start_move_task(const Call& c);
    Result<ActionOutput> list_move_tasks(const Call& c);
    Result<ActionOutput> cancel_move_task(const Call& c);
    // The queue a request names, which must exist.
    Result<std::string> existing_queue(const Call& c);

    // message_actions.cc
    // One message of SendMessage (`e` is c.in) or of a SendMessageBatch entry.
    Result<SendRequest> send_request(const Call& c, const json& e);
    Result<ActionOutput> send_message(const Call& c);
    Result<ActionOutput> send_message_batch(const Call& c);
    Result<ActionOutput> delete_message(const Call& c);
    Result<ActionOutput> delete_message_batch(const Call& c);
    Result<void> change_one(const std::string& q, const json& in);
    Result<ActionOutput> change_visibility(const Call& c);
    Result<ActionOutput> change_visibility_batch(const Call& c);
    // DeleteMessageBatch and ChangeMessageVisibilityBatch: `one` per entry; Successful holds
    // the ids that worked, Failed the others.
    template <class Fn>
    Result<ActionOutput> id_batch(const Call& c, std::string_view action, Fn one);

    QueueStore& store_;
    std::string account_;
};

// An action with no output: {} (JSON) or an empty result element (query).
inline Result<ActionOutput> void_result(Result<void> r) {
    if (!r) return r.error();
    return ActionOutput{};
}

}  // namespace kemu::sqs_dlq::wire
