#pragma once
// The SQS engine: queues, messages, visibility timeouts, receipt handles, delays, retention,
// redrive (RedrivePolicy) and message move tasks, persisted in the `messages` and `meta` column
// families. Thread-safe. Errors carry AWS's codes and messages (src/errors.h); the JSON
// and query adapters only render them.
//
// RocksDB layout (big-endian numbers):
//   meta      "sqs/queue/" name             -> JSON: id, attributes as given, tags, timestamps,
//                                              seq_reserved (sequences are never reused)
//             "sqs/next_queue_id"           -> decimal; queue ids are never reused
//   messages  'M' queue id(8) seq(8)        -> the message as sent (never rewritten; versioned,
//                                              older versions still read: message_codec.h)
//             'V' queue id(8) seq(8)        -> its receive state (count, first receive, visible at)
// A delete removes both keys in one write batch, so a deleted message never comes back.

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/aws_error.h"
#include "core/clock.h"
#include "core/db.h"
#include "sqs_dlq/dead_letter_sink.h"
#include "sqs_dlq/types.h"

namespace kemu::sqs_dlq {

struct QueueStoreOptions {
    std::string account = "000000000000";
    std::string region = "us-east-1";
    // A second PurgeQueue within this window answers 403 PurgeQueueInProgress. Default: 60 s,
    // as AWS.
    int64_t purge_cooldown_ms = 60'000;
    // Recreating a queue name this soon after DeleteQueue answers QueueDeletedRecently.
    // Default: 0 (off). AWS: 60 s.
    int64_t delete_cooldown_ms = 0;
    // ReceiveMessage refuses once this many messages are in flight (standard queues).
    int64_t max_inflight = 120'000;
};

class QueueStore final : public DeadLetterSink {
public:
    QueueStore(Db& db, const Clock& clock, QueueStoreOptions options = {});
    ~QueueStore() override;
    QueueStore(const QueueStore&) = delete;
    QueueStore& operator=(const QueueStore&) = delete;

    // Reads every queue and message back. Throws on a corrupt database.
    void load();

    std::string queue_arn(const std::string& name) const;

    // Creates a queue, or returns OK when one exists with the same values for the attributes
    // given (QueueNameExists otherwise). Attribute values are strings, as on the wire.
    Result<void> create_queue(const std::string& name, const AttributeList& attributes,
                              const std::vector<std::pair<std::string, std::string>>& tags);
    Result<void> delete_queue(const std::string& name);
    bool queue_exists(const std::string& name) const;
    // Names in byte order, optionally with a prefix.
    std::vector<std::string> list_queues(const std::string& prefix) const;

    // `names` may hold "All". Unknown names: InvalidAttributeName.
    Result<AttributeList> get_attributes(const std::string& name,
                                         const std::vector<std::string>& names) const;
    Result<void> set_attributes(const std::string& name, const AttributeList& attributes);

    Result<std::vector<std::pair<std::string, std::string>>> list_tags(
        const std::string& name) const;
    Result<void> tag_queue(const std::string& name,
                           const std::vector<std::pair<std::string, std::string>>& tags);
    Result<void> untag_queue(const std::string& name, const std::vector<std::string>& keys);

    // Validates and stores one message (limits: docs/aws/sqs.md, Messages).
    Result<SendResult> send_message(const std::string& name, SendRequest request);

    // Takes up to max_messages visible messages and hides them for the visibility timeout.
    // When none is visible and `wake` is given, registers it (once) under the same lock: it is
    // called, from the sending thread, when a message is sent or made visible again. `*wait_id`
    // then names the registration for cancel_wait().
    Result<std::vector<ReceivedMessage>> receive(const std::string& name,
                                                 const ReceiveRequest& request,
                                                 std::function<void()> wake = nullptr,
                                                 uint64_t* wait_id = nullptr);
    void cancel_wait(const std::string& name, uint64_t wait_id);
    // The queue's ReceiveMessageWaitTimeSeconds, for long polls that do not say.
    Result<int> default_wait_seconds(const std::string& name) const;

    // A malformed handle: ReceiptHandleIsInvalid. A stale one (the message was received again
    // since, or is gone): OK and nothing happens, as AWS may do.
    Result<void> delete_message(const std::string& name, const std::string& receipt_handle);
    // The latest handle of a message whose timeout already ran out: OK, nothing changes (AWS).
    Result<void> change_visibility(const std::string& name, const std::string& receipt_handle,
                                   int visibility_timeout);
    Result<void> purge(const std::string& name);

    // Message move tasks (DLQ redrive). The source must be named as deadLetterTargetArn in some
    // queue's RedrivePolicy, as on AWS; a Lambda on-failure queue is not, so it is refused.
    Result<std::string> start_move_task(const std::string& source_arn,
                                        const std::string& destination_arn, int max_per_second);
    Result<std::vector<MoveTask>> list_move_tasks(const std::string& source_arn,
                                                  int max_results) const;
    Result<int64_t> cancel_move_task(const std::string& task_handle);

    // Up to `max` messages in send order, without receiving them: no receive count, no
    // visibility change, no receipt handle. For operators (`kemu dlq list`), not an AWS call.
    Result<std::vector<ReceivedMessage>> peek(const std::string& name, size_t max) const;

    // Deletes a message by its id whatever its state (operators' replay, not an AWS call).
    // Returns false when there is no such message.
    Result<bool> delete_by_id(const std::string& name, const std::string& message_id);

    // Drops messages older than their queue's retention period. Returns how many.
    size_t trim_expired();

    // DeadLetterSink: the Lambda runner's on-failure record, as one message.
    Result<void> send(const FailureRecord& record) override;

    struct Impl;

private:
    std::unique_ptr<Impl> impl_;
};

}  // namespace kemu::sqs_dlq
