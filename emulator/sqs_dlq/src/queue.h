#pragma once
// The engine's state behind QueueStore: one Queue per queue (its attributes, messages and
// visibility index, long-poll waiters) and QueueStore::Impl (the queue map, move tasks and the
// RocksDB writes). Shared by the engine's files: queue_store.cc, messages.cc, redrive.cc.

#include <atomic>
#include <climits>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <vector>

#include <rocksdb/write_batch.h>

#include "message_codec.h"
#include "queue_attributes.h"
#include "sqs_dlq/queue_store.h"

namespace kemu::sqs_dlq {

inline constexpr std::string_view kQueueKeyPrefix = "sqs/queue/";
inline constexpr std::string_view kNextQueueIdKey = "sqs/next_queue_id";

struct Queue {
    uint64_t id = 0;
    std::string name;
    std::string arn;
    std::map<std::string, std::string> attributes;  // as set; defaults are not stored
    std::map<std::string, std::string> tags;
    int64_t created_s = 0;
    int64_t modified_s = 0;

    // Derived from `attributes`.
    int visibility_timeout = 30;
    int64_t max_message_size = 1'048'576;
    int64_t retention_s = 345'600;
    int delay_seconds = 0;
    int wait_seconds = 0;
    std::optional<Redrive> redrive;

    mutable std::mutex mu;  // guards everything below
    std::map<uint64_t, Message> messages;
    std::set<std::pair<int64_t, uint64_t>> by_visible;  // (visible_at_ms, seq)
    uint64_t next_seq = 1;
    // Sequences below this may have been handed out before a restart (receipt handles name
    // them), so a restart starts here; raised in blocks, persisted with the meta record.
    uint64_t seq_reserved = 0;
    int64_t last_purge_ms = INT64_MIN / 2;
    std::map<uint64_t, std::function<void()>> waiters;  // ids from Impl::next_waiter
    bool deleted = false;

    // An integer attribute as set, else its default.
    int64_t attribute_int(std::string_view attr) const;
    // Recomputes the derived fields from `attributes`.
    void derive();
    // The meta record: id, attributes as given, tags, timestamps, seq_reserved.
    std::string meta_json() const;

    // REQUIRES: mu held.
    void index(uint64_t seq, const Message& m) { by_visible.emplace(m.visible_at_ms, seq); }
    void unindex(uint64_t seq, const Message& m) { by_visible.erase({m.visible_at_ms, seq}); }
};

struct QueueStore::Impl {
    Db& db;
    const Clock& clock;
    QueueStoreOptions options;

    mutable std::shared_mutex mu;  // guards the maps below (not the queues' contents)
    std::map<std::string, std::shared_ptr<Queue>> queues;
    std::map<std::string, int64_t> deleted_at_ms;
    uint64_t next_queue_id = 1;
    std::map<std::string, MoveTask> tasks;  // by handle
    // Long-poll registration ids, unique across queues: a poll that cancels its registration
    // by queue name after the queue was deleted and recreated must not cancel another poll's.
    std::atomic<uint64_t> next_waiter{1};

    Impl(Db& d, const Clock& c, QueueStoreOptions o) : db(d), clock(c), options(std::move(o)) {}

    std::string arn(const std::string& name) const {
        return "arn:aws:sqs:" + options.region + ":" + options.account + ":" + name;
    }

    std::shared_ptr<Queue> find(const std::string& name) const;
    // Whether a queue of that name exists, for validate_queue_attributes().
    std::function<bool(const std::string&)> exists() const {
        return [this](const std::string& name) { return find(name) != nullptr; };
    }
    // find(), or QueueDoesNotExist.
    Result<std::shared_ptr<Queue>> get(const std::string& name) const;

    // Throws when RocksDB refuses the write.
    void write(rocksdb::WriteBatch& batch);
    void put_meta(const Queue& q);
    void delete_keys(rocksdb::WriteBatch& batch, uint64_t queue_id, uint64_t seq);
    // Both key ranges of a queue's messages.
    void delete_all_messages(rocksdb::WriteBatch& batch, uint64_t queue_id);

    // Counts (visible, in flight, delayed). Walks only the hidden messages, which sit at the end
    // of the (visible-at, sequence) index: O(in flight + delayed), not O(queue). Messages past
    // retention count until the next trim removes them. REQUIRES: q.mu held.
    void counts(const Queue& q, int64_t now, int64_t* visible, int64_t* inflight,
                int64_t* delayed) const;

    // Drops the oldest messages while they are past retention (send order is sequence order,
    // redriven messages aside, which the periodic trim catches). REQUIRES: q.mu held.
    void trim_front(Queue& q, int64_t now);

    // Takes the waiters of a queue, to call once its lock is released.
    static std::vector<std::function<void()>> take_waiters(Queue& q);

    // The next sequence of `q`. A restart never reuses one (receipt handles name them): the
    // meta record reserves a block ahead. REQUIRES: q.mu held.
    uint64_t draw_seq(Queue& q);

    // redrive.cc: appends messages moved from another queue; keeps id, body and sent time, and
    // the receive count when `keep_receive_count` (a redrive to a DLQ; a move task resets it).
    // REQUIRES: target.mu held.
    void append_moved(Queue& target, std::vector<Message> moved, rocksdb::WriteBatch& batch,
                      int64_t now, bool keep_receive_count);
    // redrive.cc: after a receive took `moved` out of `source` past maxReceiveCount, puts them
    // on the source's dead-letter queue `dlq_name` in the same write batch `batch` as their
    // deletes. Call without source.mu held.
    void move_to_dead_letter_queue(const Queue& source, const std::string& dlq_name,
                                   std::vector<Message> moved, rocksdb::WriteBatch& batch,
                                   int64_t now);
};

}  // namespace kemu::sqs_dlq
