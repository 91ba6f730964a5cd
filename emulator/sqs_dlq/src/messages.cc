// QueueStore's message operations: send, receive (and its long-poll wake-ups), delete,
// visibility, purge, retention, and the operators' peek and delete by id.

#include <functional>

#include <rocksdb/write_batch.h>

#include "codec.h"
#include "core/encoding.h"
#include "errors.h"
#include "md5.h"
#include "queue.h"
#include "validate.h"

namespace kemu::sqs_dlq {

Result<SendResult> QueueStore::send_message(const std::string& name, SendRequest request) {
    auto qr = impl_->get(name);
    if (!qr) return qr.error();
    auto& q = **qr;
    if (request.body.empty()) {
        return errors::missing_parameter("MessageBody");
    }
    if (request.delay_seconds && (*request.delay_seconds < 0 || *request.delay_seconds > 900)) {
        return errors::not_within("DelaySeconds", *request.delay_seconds, 0, 900);
    }
    if (request.message_group_id) {
        if (auto r = validate_message_group_id(*request.message_group_id); !r) return r.error();
    }
    if (!valid_text(request.body)) return errors::body_characters();
    if (auto r = validate_message_attributes(request.attributes); !r) return r.error();

    Message m;
    m.body = std::move(request.body);
    m.attributes = std::move(request.attributes);
    m.trace_header = std::move(request.trace_header);
    m.message_group_id = request.message_group_id.value_or("");
    m.message_id = uuid_v4();
    m.md5_body = md5_hex(m.body);
    m.md5_attributes = md5_of_attributes(m.attributes);
    m.sender_id = impl_->options.account;
    SendResult out;
    out.message_id = m.message_id;
    out.md5_body = m.md5_body;
    out.md5_attributes = m.md5_attributes;
    if (!m.trace_header.empty()) {
        out.md5_system_attributes =
            md5_of_attributes({{"AWSTraceHeader", MessageAttribute{"String", m.trace_header}}});
    }

    std::vector<std::function<void()>> wake;
    {
        std::lock_guard ql(q.mu);
        if (q.deleted) return errors::queue_does_not_exist();
        size_t size = m.body.size() + attributes_size(m.attributes);
        if (static_cast<int64_t>(size) > q.max_message_size) {
            return errors::message_too_long(q.max_message_size, request.batch_entry);
        }
        m.sent_ms = impl_->clock.now_ms();
        m.delay_seconds = request.delay_seconds.value_or(q.delay_seconds);
        m.visible_at_ms = m.sent_ms + int64_t{m.delay_seconds} * 1000;
        uint64_t seq = impl_->draw_seq(q);
        rocksdb::WriteBatch b;
        b.Put(impl_->db.messages(), codec::message_key('M', q.id, seq), encode_message(m));
        impl_->write(b);
        q.index(seq, m);
        bool visible_now = m.delay_seconds == 0;
        q.messages.emplace(seq, std::move(m));
        if (visible_now) wake = Impl::take_waiters(q);
    }
    for (auto& fn : wake)
        fn();
    return out;
}

Result<std::vector<ReceivedMessage>> QueueStore::receive(const std::string& name,
                                                         const ReceiveRequest& request,
                                                         std::function<void()> wake,
                                                         uint64_t* wait_id) {
    auto qr = impl_->get(name);
    if (!qr) return qr.error();
    auto& q = **qr;
    std::vector<ReceivedMessage> out;
    std::vector<Message> to_dlq;
    std::string dlq_name;
    int64_t now = impl_->clock.now_ms();
    rocksdb::WriteBatch b;
    {
        std::lock_guard ql(q.mu);
        if (q.deleted) return errors::queue_does_not_exist();
        int visibility = request.visibility_timeout.value_or(q.visibility_timeout);
        int64_t expiry = now - q.retention_s * 1000;
        if (impl_->options.max_inflight > 0) {
            int64_t visible, inflight, delayed;
            impl_->counts(q, now, &visible, &inflight, &delayed);
            if (inflight >= impl_->options.max_inflight) {
                return errors::over_limit(impl_->options.max_inflight);
            }
        }
        bool dirty = false;
        // Received messages go back into the visibility index after the loop: with a
        // visibility timeout of 0 they are visible again at `now`, and the loop must not take
        // the same message twice in one call.
        std::vector<uint64_t> received_seqs;
        while (static_cast<int>(out.size()) < request.max_messages && !q.by_visible.empty()) {
            auto first = q.by_visible.begin();
            if (first->first > now) break;
            uint64_t seq = first->second;
            auto mit = q.messages.find(seq);
            Message& m = mit->second;
            q.by_visible.erase(first);
            if (m.sent_ms <= expiry) {  // retention ran out
                impl_->delete_keys(b, q.id, seq);
                q.messages.erase(mit);
                dirty = true;
                continue;
            }
            if (q.redrive && m.receive_count >= q.redrive->max_receive_count) {
                // This receive would exceed maxReceiveCount: the message moves to the DLQ.
                m.dead_letter_source_arn = q.arn;
                impl_->delete_keys(b, q.id, seq);
                to_dlq.push_back(std::move(m));
                q.messages.erase(mit);
                dirty = true;
                continue;
            }
            ++m.receive_count;
            if (m.first_receive_ms == 0) m.first_receive_ms = now;
            m.visible_at_ms = now + int64_t{visibility} * 1000;
            received_seqs.push_back(seq);
            b.Put(impl_->db.messages(), codec::message_key('V', q.id, seq), encode_state(m));
            dirty = true;
            ReceivedMessage r = received(m);
            r.receipt_handle = make_handle(q.id, seq, m.receive_count);
            out.push_back(std::move(r));
        }
        for (uint64_t seq : received_seqs)
            q.index(seq, q.messages.at(seq));
        if (!to_dlq.empty()) dlq_name = name_from_arn(q.redrive->target_arn);
        if (dirty && to_dlq.empty()) impl_->write(b);
        if (out.empty() && wake) {
            uint64_t id = impl_->next_waiter++;
            q.waiters.emplace(id, std::move(wake));
            if (wait_id) *wait_id = id;
        }
    }
    if (!to_dlq.empty()) impl_->move_to_dead_letter_queue(q, dlq_name, std::move(to_dlq), b, now);
    return out;
}

void QueueStore::cancel_wait(const std::string& name, uint64_t wait_id) {
    auto q = impl_->find(name);
    if (!q) return;
    std::lock_guard ql(q->mu);
    q->waiters.erase(wait_id);
}

Result<int> QueueStore::default_wait_seconds(const std::string& name) const {
    auto qr = impl_->get(name);
    if (!qr) return qr.error();
    std::lock_guard ql((*qr)->mu);
    return (*qr)->wait_seconds;
}

Result<void> QueueStore::delete_message(const std::string& name,
                                        const std::string& receipt_handle) {
    auto qr = impl_->get(name);
    if (!qr) return qr.error();
    auto& q = **qr;
    auto h = parse_handle(receipt_handle);
    if (!h || h->queue_id != q.id) return errors::receipt_handle_invalid(receipt_handle);
    std::lock_guard ql(q.mu);
    auto it = q.messages.find(h->seq);
    if (it == q.messages.end() || it->second.receive_count != h->receive_count) return {};
    rocksdb::WriteBatch b;
    impl_->delete_keys(b, q.id, h->seq);
    impl_->write(b);
    q.unindex(h->seq, it->second);
    q.messages.erase(it);
    return {};
}

Result<void> QueueStore::change_visibility(const std::string& name,
                                           const std::string& receipt_handle,
                                           int visibility_timeout) {
    auto qr = impl_->get(name);
    if (!qr) return qr.error();
    auto& q = **qr;
    if (visibility_timeout < 0 || visibility_timeout > kMaxVisibility) {
        return errors::not_within("VisibilityTimeout", visibility_timeout, 0, kMaxVisibility);
    }
    auto h = parse_handle(receipt_handle);
    if (!h || h->queue_id != q.id) return errors::receipt_handle_invalid(receipt_handle);
    std::vector<std::function<void()>> wake;
    {
        std::lock_guard ql(q.mu);
        auto it = q.messages.find(h->seq);
        if (it == q.messages.end() || it->second.receive_count != h->receive_count) {
            return errors::handle_not_changeable(receipt_handle);
        }
        Message& m = it->second;
        int64_t now = impl_->clock.now_ms();
        // Its latest receive's timeout ran out: AWS answers OK and changes nothing (the message
        // stays visible). A handle naming no receive at all: MessageNotInflight (kemu's choice,
        // docs/aws/sqs.md, Visibility timeout).
        if (m.receive_count == 0) return errors::message_not_inflight();
        if (m.visible_at_ms <= now) return {};
        int64_t until = now + int64_t{visibility_timeout} * 1000;
        if (until - m.first_receive_ms > int64_t{kMaxVisibility} * 1000) {
            return errors::visibility_beyond_limit(visibility_timeout);
        }
        q.unindex(h->seq, m);
        m.visible_at_ms = until;
        q.index(h->seq, m);
        rocksdb::WriteBatch b;
        b.Put(impl_->db.messages(), codec::message_key('V', q.id, h->seq), encode_state(m));
        impl_->write(b);
        if (visibility_timeout == 0) wake = Impl::take_waiters(q);
    }
    for (auto& fn : wake)
        fn();
    return {};
}

Result<void> QueueStore::purge(const std::string& name) {
    auto qr = impl_->get(name);
    if (!qr) return qr.error();
    auto& q = **qr;
    std::lock_guard ql(q.mu);
    int64_t now = impl_->clock.now_ms();
    if (now - q.last_purge_ms < impl_->options.purge_cooldown_ms) {
        return errors::purge_in_progress(name);
    }
    q.last_purge_ms = now;
    rocksdb::WriteBatch b;
    impl_->delete_all_messages(b, q.id);
    impl_->write(b);
    q.messages.clear();
    q.by_visible.clear();
    return {};
}

Result<std::vector<ReceivedMessage>> QueueStore::peek(const std::string& name, size_t max) const {
    auto qr = impl_->get(name);
    if (!qr) return qr.error();
    auto& q = **qr;
    std::lock_guard ql(q.mu);
    int64_t expiry = impl_->clock.now_ms() - q.retention_s * 1000;
    std::vector<ReceivedMessage> out;
    for (const auto& [seq, m] : q.messages) {
        if (out.size() >= max) break;
        if (m.sent_ms <= expiry) continue;
        out.push_back(received(m));
    }
    return out;
}

Result<bool> QueueStore::delete_by_id(const std::string& name, const std::string& message_id) {
    auto qr = impl_->get(name);
    if (!qr) return qr.error();
    auto& q = **qr;
    std::lock_guard ql(q.mu);
    for (auto it = q.messages.begin(); it != q.messages.end(); ++it) {
        if (it->second.message_id != message_id) continue;
        rocksdb::WriteBatch b;
        impl_->delete_keys(b, q.id, it->first);
        impl_->write(b);
        q.unindex(it->first, it->second);
        q.messages.erase(it);
        return true;
    }
    return false;
}

size_t QueueStore::trim_expired() {
    std::vector<std::shared_ptr<Queue>> all;
    {
        std::shared_lock lock(impl_->mu);
        for (auto& [n, q] : impl_->queues)
            all.push_back(q);
    }
    size_t dropped = 0;
    int64_t now = impl_->clock.now_ms();
    for (auto& q : all) {
        std::lock_guard ql(q->mu);
        int64_t expiry = now - q->retention_s * 1000;
        rocksdb::WriteBatch b;
        for (auto it = q->messages.begin(); it != q->messages.end();) {
            if (it->second.sent_ms <= expiry) {
                q->unindex(it->first, it->second);
                impl_->delete_keys(b, q->id, it->first);
                it = q->messages.erase(it);
                ++dropped;
            } else {
                ++it;
            }
        }
        if (b.Count() > 0) impl_->write(b);
    }
    return dropped;
}

Result<void> QueueStore::send(const FailureRecord& record) {
    SendRequest r;
    r.body = failure_record_json(record);
    auto sent = send_message(record.queue_name, std::move(r));
    if (!sent) return sent.error();
    return {};
}

}  // namespace kemu::sqs_dlq
