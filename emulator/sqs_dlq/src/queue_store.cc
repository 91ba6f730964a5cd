// QueueStore's queue operations: loading the store back, creating and deleting queues, their
// attributes and tags. Messages: messages.cc; redrive and move tasks: redrive.cc.

#include <algorithm>
#include <stdexcept>

#include <nlohmann/json.hpp>
#include <rocksdb/write_batch.h>

#include "codec.h"
#include "core/log.h"
#include "errors.h"
#include "queue.h"
#include "validate.h"

namespace kemu::sqs_dlq {
namespace {

using json = nlohmann::json;
using Tags = std::vector<std::pair<std::string, std::string>>;

// CreateQueue of an existing name: OK only when every attribute given has its current value
// (an attribute not set compares as its default).
Result<void> check_same_attributes(const Queue& q, const AttributeList& attributes) {
    for (const auto& [k, v] : attributes) {
        auto cur = q.attributes.find(k);
        std::string current;
        if (cur != q.attributes.end()) {
            current = cur->second;
        } else if (const auto* def = int_attribute(k)) {
            current = std::to_string(def->def);
        } else if (k == "SqsManagedSseEnabled") {
            current = "true";
        }
        if (current != v) return errors::queue_name_exists(k);
    }
    return {};
}

// Applies validated attributes to a queue's stored ones. An empty policy or key removes it, as
// on AWS. The two kinds of SSE exclude each other: a KMS key turns SqsManagedSseEnabled to
// "false" (and it stays so when the key is removed later), SqsManagedSseEnabled=true removes
// the key (docs/aws/sqs.md, Queue attributes).
void apply_attributes(std::map<std::string, std::string>& to, const AttributeList& attributes) {
    for (const auto& [k, v] : attributes) {
        if (v.empty() && !int_attribute(k)) {
            to.erase(k);
        } else {
            to[k] = v;
        }
        if (k == "KmsMasterKeyId" && !v.empty()) to["SqsManagedSseEnabled"] = "false";
        if (k == "SqsManagedSseEnabled" && v == "true") to.erase("KmsMasterKeyId");
    }
}

}  // namespace

QueueStore::QueueStore(Db& db, const Clock& clock, QueueStoreOptions options)
    : impl_(std::make_unique<Impl>(db, clock, std::move(options))) {}

QueueStore::~QueueStore() = default;

std::string QueueStore::queue_arn(const std::string& name) const {
    return impl_->arn(name);
}

void QueueStore::load() {
    auto& db = impl_->db;
    {
        std::string v;
        if (db.raw()->Get({}, db.meta(), std::string(kNextQueueIdKey), &v).ok()) {
            impl_->next_queue_id = std::max<uint64_t>(impl_->next_queue_id, std::stoull(v));
        }
    }
    std::unique_ptr<rocksdb::Iterator> it(db.raw()->NewIterator({}, db.meta()));
    std::map<uint64_t, std::shared_ptr<Queue>> by_id;
    for (it->Seek(std::string(kQueueKeyPrefix)); it->Valid(); it->Next()) {
        auto key = it->key().ToStringView();
        if (!key.starts_with(kQueueKeyPrefix)) break;
        auto q = std::make_shared<Queue>();
        q->name = std::string(key.substr(kQueueKeyPrefix.size()));
        q->arn = impl_->arn(q->name);
        json j = json::parse(it->value().ToStringView(), nullptr, false);
        if (j.is_discarded()) throw std::runtime_error("sqs: corrupt queue record " + q->name);
        q->id = j.at("id").get<uint64_t>();
        q->attributes = j.at("attributes").get<std::map<std::string, std::string>>();
        q->tags = j.at("tags").get<std::map<std::string, std::string>>();
        q->created_s = j.at("created").get<int64_t>();
        q->modified_s = j.at("modified").get<int64_t>();
        q->seq_reserved = j.value("seq_reserved", uint64_t{0});
        q->next_seq = std::max(q->next_seq, q->seq_reserved);
        q->derive();
        impl_->next_queue_id = std::max(impl_->next_queue_id, q->id + 1);
        by_id[q->id] = q;
        impl_->queues[q->name] = q;
    }
    std::unique_ptr<rocksdb::Iterator> mit(db.raw()->NewIterator({}, db.messages()));
    size_t count = 0;
    for (mit->SeekToFirst(); mit->Valid(); mit->Next()) {
        auto key = mit->key().ToStringView();
        if (key.size() != 17 || (key[0] != 'M' && key[0] != 'V')) continue;
        codec::Reader r(key.substr(1));
        uint64_t qid, seq;
        (void)r.u64(&qid);
        (void)r.u64(&seq);
        auto qit = by_id.find(qid);
        if (qit == by_id.end()) continue;  // a queue deleted while the range delete was pending
        auto& q = *qit->second;
        if (key[0] == 'M') {
            Message m;
            if (!decode_message(mit->value().ToStringView(), &m))
                throw std::runtime_error("sqs: corrupt message in queue " + q.name);
            q.messages.emplace(seq, std::move(m));
            q.next_seq = std::max(q.next_seq, seq + 1);
            ++count;
        } else {
            // 'V' sorts after every 'M', so its message is already there (or was deleted).
            auto m = q.messages.find(seq);
            if (m == q.messages.end()) continue;
            if (!decode_state(mit->value().ToStringView(), &m->second))
                throw std::runtime_error("sqs: corrupt message state in queue " + q.name);
        }
    }
    for (auto& [id, q] : by_id) {
        for (auto& [seq, m] : q->messages)
            q->index(seq, m);
    }
    if (!impl_->queues.empty()) {
        log_info("sqs", "loaded " + std::to_string(impl_->queues.size()) + " queues, " +
                            std::to_string(count) + " messages");
    }
}

Result<void> QueueStore::create_queue(const std::string& name, const AttributeList& attributes,
                                      const Tags& tags) {
    if (auto r = validate_queue_name(name, attributes); !r) return r.error();
    if (auto r = validate_queue_attributes(name, attributes, impl_->exists()); !r) return r.error();
    if (auto r = validate_tags(tags); !r) return r.error();

    std::unique_lock lock(impl_->mu);
    auto now = impl_->clock.now_ms();
    if (auto it = impl_->queues.find(name); it != impl_->queues.end()) {
        auto& q = *it->second;
        std::lock_guard ql(q.mu);
        if (auto r = check_same_attributes(q, attributes); !r) return r.error();
        return {};
    }
    if (auto d = impl_->deleted_at_ms.find(name);
        d != impl_->deleted_at_ms.end() && now - d->second < impl_->options.delete_cooldown_ms) {
        return errors::queue_deleted_recently();
    }
    auto q = std::make_shared<Queue>();
    q->id = impl_->next_queue_id++;
    {
        // Ids are never reused, across restarts too (receipt handles carry them).
        rocksdb::WriteBatch b;
        b.Put(impl_->db.meta(), std::string(kNextQueueIdKey), std::to_string(impl_->next_queue_id));
        impl_->write(b);
    }
    q->name = name;
    q->arn = impl_->arn(name);
    apply_attributes(q->attributes, attributes);
    for (const auto& [k, v] : tags)
        q->tags[k] = v;
    q->created_s = q->modified_s = now / 1000;
    q->derive();
    impl_->put_meta(*q);
    impl_->queues[name] = q;
    return {};
}

Result<void> QueueStore::delete_queue(const std::string& name) {
    std::shared_ptr<Queue> q;
    {
        std::unique_lock lock(impl_->mu);
        auto it = impl_->queues.find(name);
        if (it == impl_->queues.end()) return errors::queue_does_not_exist();
        q = it->second;
        impl_->queues.erase(it);
        impl_->deleted_at_ms[name] = impl_->clock.now_ms();
    }
    std::vector<std::function<void()>> wake;
    {
        std::lock_guard ql(q->mu);
        q->deleted = true;
        rocksdb::WriteBatch b;
        b.Delete(impl_->db.meta(), std::string(kQueueKeyPrefix) + name);
        impl_->delete_all_messages(b, q->id);
        impl_->write(b);
        q->messages.clear();
        q->by_visible.clear();
        wake = Impl::take_waiters(*q);
    }
    for (auto& fn : wake)
        fn();
    return {};
}

bool QueueStore::queue_exists(const std::string& name) const {
    return impl_->find(name) != nullptr;
}

std::vector<std::string> QueueStore::list_queues(const std::string& prefix) const {
    std::shared_lock lock(impl_->mu);
    std::vector<std::string> out;
    for (auto it = impl_->queues.lower_bound(prefix); it != impl_->queues.end(); ++it) {
        if (!it->first.starts_with(prefix)) break;
        out.push_back(it->first);
    }
    return out;
}

Result<AttributeList> QueueStore::get_attributes(const std::string& name,
                                                 const std::vector<std::string>& names) const {
    auto qr = impl_->get(name);
    if (!qr) return qr.error();
    auto& q = **qr;  // const in AWS's sense: trimming expired messages is housekeeping
    bool all = false;
    for (const auto& n : names) {
        if (n == "All") {
            all = true;
        } else if (!is_known(n)) {
            return errors::unknown_attribute(n);
        }
    }
    auto wanted = [&](std::string_view n) {
        return all || std::find(names.begin(), names.end(), n) != names.end();
    };
    AttributeList out;
    std::lock_guard ql(q.mu);
    int64_t visible, inflight, delayed;
    int64_t now = impl_->clock.now_ms();
    impl_->trim_front(q, now);
    impl_->counts(q, now, &visible, &inflight, &delayed);
    auto add = [&](std::string_view n, std::string v) {
        if (wanted(n)) out.emplace_back(std::string(n), std::move(v));
    };
    add("QueueArn", q.arn);
    add("ApproximateNumberOfMessages", std::to_string(visible));
    add("ApproximateNumberOfMessagesNotVisible", std::to_string(inflight));
    add("ApproximateNumberOfMessagesDelayed", std::to_string(delayed));
    add("CreatedTimestamp", std::to_string(q.created_s));
    add("LastModifiedTimestamp", std::to_string(q.modified_s));
    add("VisibilityTimeout", std::to_string(q.visibility_timeout));
    add("MaximumMessageSize", std::to_string(q.max_message_size));
    add("MessageRetentionPeriod", std::to_string(q.retention_s));
    add("DelaySeconds", std::to_string(q.delay_seconds));
    for (std::string_view n : {"Policy", "RedrivePolicy", "RedriveAllowPolicy"}) {
        auto it = q.attributes.find(std::string(n));
        if (it != q.attributes.end() && !it->second.empty()) add(n, it->second);
    }
    add("ReceiveMessageWaitTimeSeconds", std::to_string(q.wait_seconds));
    auto kms = q.attributes.find("KmsMasterKeyId");
    bool has_kms = kms != q.attributes.end() && !kms->second.empty();
    if (has_kms) {
        add("KmsMasterKeyId", kms->second);
        add("KmsDataKeyReusePeriodSeconds",
            std::to_string(q.attribute_int("KmsDataKeyReusePeriodSeconds")));
    }
    // A queue stored before kemu recorded "false" with a key still reports it.
    auto sse = q.attributes.find("SqsManagedSseEnabled");
    add("SqsManagedSseEnabled", has_kms                     ? "false"
                                : sse == q.attributes.end() ? "true"
                                                            : sse->second);
    return out;
}

Result<void> QueueStore::set_attributes(const std::string& name, const AttributeList& attributes) {
    auto qr = impl_->get(name);
    if (!qr) return qr.error();
    if (auto r = validate_queue_attributes(name, attributes, impl_->exists()); !r) return r.error();
    auto& q = **qr;
    std::lock_guard ql(q.mu);
    if (q.deleted)
        return errors::queue_does_not_exist();  // deleted meanwhile: never write its meta back
    auto previous = q.attributes;
    apply_attributes(q.attributes, attributes);
    q.modified_s = impl_->clock.now_ms() / 1000;
    try {
        impl_->put_meta(q);
    } catch (...) {
        q.attributes = std::move(previous);  // the change did not happen
        throw;
    }
    q.derive();
    return {};
}

Result<Tags> QueueStore::list_tags(const std::string& name) const {
    auto qr = impl_->get(name);
    if (!qr) return qr.error();
    std::lock_guard ql((*qr)->mu);
    return Tags((*qr)->tags.begin(), (*qr)->tags.end());
}

Result<void> QueueStore::tag_queue(const std::string& name, const Tags& tags) {
    auto qr = impl_->get(name);
    if (!qr) return qr.error();
    auto& q = **qr;
    if (auto r = validate_tags(tags); !r) return r.error();
    std::lock_guard ql(q.mu);
    if (q.deleted) return errors::queue_does_not_exist();
    auto merged = q.tags;
    for (const auto& [k, v] : tags)
        merged[k] = v;
    if (merged.size() > 50) {
        return errors::too_many_tags(name);
    }
    q.tags = std::move(merged);
    impl_->put_meta(q);
    return {};
}

Result<void> QueueStore::untag_queue(const std::string& name,
                                     const std::vector<std::string>& keys) {
    auto qr = impl_->get(name);
    if (!qr) return qr.error();
    auto& q = **qr;
    std::lock_guard ql(q.mu);
    if (q.deleted) return errors::queue_does_not_exist();
    for (const auto& k : keys)
        q.tags.erase(k);
    impl_->put_meta(q);
    return {};
}

}  // namespace kemu::sqs_dlq
