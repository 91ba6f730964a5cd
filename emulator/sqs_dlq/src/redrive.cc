// Redrive: messages past a queue's maxReceiveCount moving to its dead-letter queue, and the
// message move tasks that send them back (StartMessageMoveTask and its List / Cancel). See
// docs/aws/sqs.md, Redrive and move tasks.

#include <algorithm>
#include <functional>
#include <map>

#include <rocksdb/write_batch.h>

#include "codec.h"
#include "core/encoding.h"
#include "core/log.h"
#include "errors.h"
#include "queue.h"

namespace kemu::sqs_dlq {
namespace {

// A move task's FailureReason when a message's destination queue is gone.
constexpr std::string_view kTargetMissing = "AWS.SimpleQueueService.NonExistentQueue";

// True when some queue's RedrivePolicy names `arn` as its dead-letter target.
bool is_dead_letter_queue(QueueStore::Impl& impl, const std::string& arn) {
    bool is_dlq = false;
    std::shared_lock lock(impl.mu);
    for (const auto& [n, q] : impl.queues) {
        std::lock_guard ql(q->mu);
        if (q->redrive && q->redrive->target_arn == arn) is_dlq = true;
    }
    return is_dlq;
}

// Moves the messages `seqs` of `source` to `target`: their deletes and their puts go in one
// write batch. When `target` was deleted meanwhile they stay where they were and `task` fails.
void move_messages(QueueStore::Impl& impl, Queue& source, Queue& target,
                   const std::vector<uint64_t>& seqs, MoveTask& task, int64_t now) {
    rocksdb::WriteBatch b;
    std::vector<Message> moving;
    std::vector<uint64_t> moving_seqs;
    {
        std::lock_guard sl(source.mu);
        for (auto seq : seqs) {
            auto it = source.messages.find(seq);
            if (it == source.messages.end()) continue;
            source.unindex(seq, it->second);
            impl.delete_keys(b, source.id, seq);
            moving_seqs.push_back(seq);
            moving.push_back(std::move(it->second));
            source.messages.erase(it);
        }
    }
    std::vector<std::function<void()>> wake;
    bool moved = false;
    {
        std::lock_guard tl(target.mu);
        if (!target.deleted) {  // deleted since find(): leave the messages where they were
            for (auto& m : moving)
                m.dead_letter_source_arn.clear();
            task.moved += static_cast<int64_t>(moving.size());
            impl.append_moved(target, std::move(moving), b, now, /*keep_receive_count=*/false);
            impl.write(b);
            wake = QueueStore::Impl::take_waiters(target);
            moved = true;
        }
    }
    for (auto& fn : wake)
        fn();
    if (!moved) {
        // The batch of deletes was never written: put the messages back as they were.
        std::lock_guard sl(source.mu);
        for (size_t i = 0; i < moving.size(); ++i) {
            source.index(moving_seqs[i], moving[i]);
            source.messages.emplace(moving_seqs[i], std::move(moving[i]));
        }
        task.status = "FAILED";
        task.failure_reason = std::string(kTargetMissing);
    }
}

}  // namespace

void QueueStore::Impl::append_moved(Queue& target, std::vector<Message> moved,
                                    rocksdb::WriteBatch& batch, int64_t now,
                                    bool keep_receive_count) {
    for (auto& m : moved) {
        if (!keep_receive_count) m.receive_count = 0;
        m.first_receive_ms = 0;
        m.delay_seconds = 0;
        // Stored sent time stays the original (retention counts from it), so visibility
        // comes from the move, kept in the receive state.
        m.visible_at_ms = now;
        uint64_t seq = draw_seq(target);
        batch.Put(db.messages(), codec::message_key('M', target.id, seq), encode_message(m));
        batch.Put(db.messages(), codec::message_key('V', target.id, seq), encode_state(m));
        target.index(seq, m);
        target.messages.emplace(seq, std::move(m));
    }
}

void QueueStore::Impl::move_to_dead_letter_queue(const Queue& source, const std::string& dlq_name,
                                                 std::vector<Message> moved,
                                                 rocksdb::WriteBatch& batch, int64_t now) {
    // Outside the source's lock (two queues may be each other's DLQ). The moved messages'
    // deletes and their puts on the DLQ go in one batch: a crash neither loses nor doubles
    // them.
    auto target = find(dlq_name);
    bool done = false;
    if (target && target.get() != &source) {
        std::vector<std::function<void()>> wake_dlq;
        {
            std::lock_guard tl(target->mu);
            // Deleted since find(): writing into it would bring its meta record back.
            if (!target->deleted) {
                // The count carries over: the DLQ's first receive continues the source's.
                append_moved(*target, std::move(moved), batch, now, /*keep_receive_count=*/true);
                write(batch);
                wake_dlq = take_waiters(*target);
                done = true;
            }
        }
        for (auto& fn : wake_dlq)
            fn();
    }
    if (!done) {
        log_warn("sqs", "dead-letter queue " + dlq_name + " of " + source.name +
                            " does not exist; messages past maxReceiveCount dropped");
        write(batch);
    }
}

Result<std::string> QueueStore::start_move_task(const std::string& source_arn,
                                                const std::string& destination_arn,
                                                int max_per_second) {
    auto source = impl_->find(name_from_arn(source_arn));
    if (!source || source->arn != source_arn) return errors::resource_not_found("SourceArn");
    if (!is_dead_letter_queue(*impl_, source_arn)) return errors::not_a_dead_letter_queue();
    if (max_per_second < 0 || max_per_second > 500)
        return errors::not_between("MaxNumberOfMessagesPerSecond", max_per_second, 1, 500);
    std::shared_ptr<Queue> destination;
    if (!destination_arn.empty()) {
        destination = impl_->find(name_from_arn(destination_arn));
        if (!destination || destination->arn != destination_arn)
            return errors::resource_not_found("DestinationArn");
    }
    // Moves run to completion at once: kemu's queues are local and small.
    MoveTask task;
    task.task_handle =
        base64_encode(R"({"taskId":")" + uuid_v4() + R"(","sourceArn":")" + source_arn + "\"}");
    task.source_arn = source_arn;
    task.destination_arn = destination_arn;
    task.max_per_second = max_per_second;
    task.started_ms = impl_->clock.now_ms();
    // By sequence: one pass over the source, no copies of the bodies, no quadratic search.
    std::map<std::string, std::vector<uint64_t>> by_target;
    {
        std::lock_guard sl(source->mu);
        for (auto& [seq, m] : source->messages) {
            std::string target =
                destination ? destination->name : name_from_arn(m.dead_letter_source_arn);
            by_target[target].push_back(seq);
        }
        task.to_move = static_cast<int64_t>(source->messages.size());
    }
    int64_t now = impl_->clock.now_ms();
    for (auto& [target_name, seqs] : by_target) {
        auto target = impl_->find(target_name);
        if (!target || target == source) {
            task.status = "FAILED";
            task.failure_reason = std::string(kTargetMissing);
            continue;
        }
        move_messages(*impl_, *source, *target, seqs, task, now);
    }
    if (task.status.empty()) task.status = "COMPLETED";
    std::unique_lock lock(impl_->mu);
    impl_->tasks[task.task_handle] = task;
    return task.task_handle;
}

Result<std::vector<MoveTask>> QueueStore::list_move_tasks(const std::string& source_arn,
                                                          int max_results) const {
    auto source = impl_->find(name_from_arn(source_arn));
    if (!source || source->arn != source_arn) {
        return errors::resource_not_found("SourceArn");
    }
    if (max_results < 1 || max_results > 10) {
        return errors::not_between("MaxResults", max_results, 1, 10);
    }
    std::shared_lock lock(impl_->mu);
    std::vector<MoveTask> out;
    for (const auto& [h, t] : impl_->tasks) {
        if (t.source_arn == source_arn) out.push_back(t);
    }
    std::sort(out.begin(), out.end(),
              [](const MoveTask& a, const MoveTask& b) { return a.started_ms > b.started_ms; });
    if (static_cast<int>(out.size()) > max_results) out.resize(max_results);
    return out;
}

Result<int64_t> QueueStore::cancel_move_task(const std::string& task_handle) {
    std::unique_lock lock(impl_->mu);
    auto it = impl_->tasks.find(task_handle);
    if (it == impl_->tasks.end()) {
        return errors::resource_not_found("TaskHandle");
    }
    if (it->second.status != "RUNNING") {
        return errors::task_not_active();
    }
    it->second.status = "CANCELLED";
    return it->second.moved;
}

}  // namespace kemu::sqs_dlq
