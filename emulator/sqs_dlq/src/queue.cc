#include "queue.h"

#include <stdexcept>

#include <nlohmann/json.hpp>

#include "codec.h"
#include "core/encoding.h"
#include "errors.h"

namespace kemu::sqs_dlq {

using json = nlohmann::json;

int64_t Queue::attribute_int(std::string_view attr) const {
    const auto* def = int_attribute(attr);
    auto it = attributes.find(std::string(attr));
    if (it != attributes.end()) {
        if (auto v = parse_int64(it->second)) return *v;
    }
    return def ? def->def : 0;
}

void Queue::derive() {
    visibility_timeout = static_cast<int>(attribute_int("VisibilityTimeout"));
    max_message_size = attribute_int("MaximumMessageSize");
    retention_s = attribute_int("MessageRetentionPeriod");
    delay_seconds = static_cast<int>(attribute_int("DelaySeconds"));
    wait_seconds = static_cast<int>(attribute_int("ReceiveMessageWaitTimeSeconds"));
    redrive.reset();
    if (auto it = attributes.find("RedrivePolicy"); it != attributes.end() && !it->second.empty()) {
        if (auto r = parse_redrive(it->second)) redrive = *r;
    }
}

std::string Queue::meta_json() const {
    json j;
    j["id"] = id;
    j["seq_reserved"] = seq_reserved;
    j["attributes"] = attributes;
    j["tags"] = tags;
    j["created"] = created_s;
    j["modified"] = modified_s;
    return j.dump();
}

std::shared_ptr<Queue> QueueStore::Impl::find(const std::string& name) const {
    std::shared_lock lock(mu);
    auto it = queues.find(name);
    return it == queues.end() ? nullptr : it->second;
}

Result<std::shared_ptr<Queue>> QueueStore::Impl::get(const std::string& name) const {
    auto q = find(name);
    if (!q) return errors::queue_does_not_exist();
    return q;
}

void QueueStore::Impl::write(rocksdb::WriteBatch& batch) {
    auto s = db.write(batch);
    if (!s.ok()) throw std::runtime_error("sqs: write failed: " + s.ToString());
}

void QueueStore::Impl::put_meta(const Queue& q) {
    rocksdb::WriteBatch b;
    b.Put(db.meta(), std::string(kQueueKeyPrefix) + q.name, q.meta_json());
    write(b);
}

void QueueStore::Impl::delete_keys(rocksdb::WriteBatch& batch, uint64_t queue_id, uint64_t seq) {
    batch.Delete(db.messages(), codec::message_key('M', queue_id, seq));
    batch.Delete(db.messages(), codec::message_key('V', queue_id, seq));
}

void QueueStore::Impl::delete_all_messages(rocksdb::WriteBatch& batch, uint64_t queue_id) {
    batch.DeleteRange(db.messages(), codec::message_key('M', queue_id, 0),
                      codec::message_key('M', queue_id + 1, 0));
    batch.DeleteRange(db.messages(), codec::message_key('V', queue_id, 0),
                      codec::message_key('V', queue_id + 1, 0));
}

void QueueStore::Impl::counts(const Queue& q, int64_t now, int64_t* visible, int64_t* inflight,
                              int64_t* delayed) const {
    *inflight = *delayed = 0;
    for (auto it = q.by_visible.rbegin(); it != q.by_visible.rend() && it->first > now; ++it) {
        if (q.messages.at(it->second).receive_count > 0) {
            ++*inflight;
        } else {
            ++*delayed;
        }
    }
    *visible = static_cast<int64_t>(q.by_visible.size()) - *inflight - *delayed;
}

void QueueStore::Impl::trim_front(Queue& q, int64_t now) {
    int64_t expiry = now - q.retention_s * 1000;
    rocksdb::WriteBatch b;
    while (!q.messages.empty() && q.messages.begin()->second.sent_ms <= expiry) {
        auto it = q.messages.begin();
        q.unindex(it->first, it->second);
        delete_keys(b, q.id, it->first);
        q.messages.erase(it);
    }
    if (b.Count() > 0) write(b);
}

std::vector<std::function<void()>> QueueStore::Impl::take_waiters(Queue& q) {
    std::vector<std::function<void()>> out;
    out.reserve(q.waiters.size());
    for (auto& [id, fn] : q.waiters)
        out.push_back(std::move(fn));
    q.waiters.clear();
    return out;
}

uint64_t QueueStore::Impl::draw_seq(Queue& q) {
    uint64_t seq = q.next_seq;
    if (seq + 1 > q.seq_reserved) {
        // The reservation counts only once stored: a failed write (put_meta throws) leaves
        // the queue as it was, so a restart cannot hand out a sequence number again.
        uint64_t stored = q.seq_reserved;
        q.seq_reserved = seq + 1 + 100'000;
        try {
            put_meta(q);
        } catch (...) {
            q.seq_reserved = stored;
            throw;
        }
    }
    q.next_seq = seq + 1;
    return seq;
}

}  // namespace kemu::sqs_dlq
