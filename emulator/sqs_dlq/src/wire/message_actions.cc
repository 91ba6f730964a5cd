#include <algorithm>
#include <cctype>
#include <set>

#include "../errors.h"
#include "../validate.h"
#include "actions.h"
#include "input.h"

namespace kemu::sqs_dlq::wire {
namespace {

// Batch entry checks shared by the three batch actions, in AWS's order.
Result<void> check_entries(const json& in, std::string_view action, size_t* payload_bytes) {
    auto it = in.find("Entries");
    if (it == in.end() || !it->is_array() || it->empty()) {
        return errors::empty_batch(action);
    }
    if (it->size() > 10) {
        return errors::too_many_entries(it->size());
    }
    std::set<std::string> ids;
    size_t bytes = 0;
    for (const auto& e : *it) {
        auto id = e.is_object() ? get_string(e, "Id") : std::nullopt;
        bool ok = id && !id->empty() && id->size() <= 80;
        if (ok) {
            for (char ch : *id) {
                if (!(std::isalnum(static_cast<unsigned char>(ch)) || ch == '-' || ch == '_'))
                    ok = false;
            }
        }
        if (!ok) {
            return errors::invalid_batch_entry_id();
        }
        if (!ids.insert(*id).second) {
            return errors::batch_ids_not_distinct(*id);
        }
        if (payload_bytes) {
            bytes += get_string(e, "MessageBody").value_or("").size();
            if (auto attrs = parse_message_attributes(e, "MessageAttributes"))
                bytes += attributes_size(*attrs);
        }
    }
    if (payload_bytes) *payload_bytes = bytes;
    return {};
}

ojson batch_error(const std::string& id, const AwsError& e) {
    ojson f;
    f["Id"] = id;
    f["SenderFault"] = aws_error_fault(e.code) == Fault::kSender;
    auto q = aws_error_query_code(e.code);
    f["Code"] = std::string(q.empty() ? e.shape() : q);
    f["Message"] = e.message;
    return f;
}

ojson batch_result(ojson ok, ojson failed) {
    ojson out = ojson::object();
    if (!ok.empty()) out["Successful"] = std::move(ok);
    if (!failed.empty()) out["Failed"] = std::move(failed);
    return out;
}

ojson send_json(const SendResult& s) {
    ojson out;
    out["MD5OfMessageBody"] = s.md5_body;
    if (!s.md5_attributes.empty()) out["MD5OfMessageAttributes"] = s.md5_attributes;
    if (!s.md5_system_attributes.empty())
        out["MD5OfMessageSystemAttributes"] = s.md5_system_attributes;
    out["MessageId"] = s.message_id;
    return out;
}

}  // namespace

template <class Fn>
Result<ActionOutput> Actions::id_batch(const Call& c, std::string_view action, Fn one) {
    auto q = existing_queue(c);
    if (!q) return q.error();
    if (auto r = check_entries(c.in, action, nullptr); !r) return r.error();
    ojson ok = ojson::array(), failed = ojson::array();
    for (const auto& e : c.in["Entries"]) {
        auto id = get_string(e, "Id").value_or("");
        Result<void> r = one(*q, e);
        if (!r) {
            failed.push_back(batch_error(id, r.error()));
        } else {
            ojson entry;
            entry["Id"] = id;
            ok.push_back(std::move(entry));
        }
    }
    return ActionOutput{batch_result(std::move(ok), std::move(failed))};
}

Result<SendRequest> Actions::send_request(const Call& c, const json& e) {
    SendRequest r;
    r.batch_entry = &e != &c.in;
    auto body = get_string(e, "MessageBody");
    if (!body) return errors::missing_parameter("MessageBody");
    r.body = std::move(*body);
    auto delay = get_int(e, "DelaySeconds");
    if (!delay) return delay.error();
    if (*delay) r.delay_seconds = static_cast<int>(std::clamp<int64_t>(**delay, -1, 100000));
    auto attrs = parse_message_attributes(e, "MessageAttributes");
    if (!attrs) return attrs.error();
    r.attributes = std::move(*attrs);
    r.message_group_id = get_string(e, "MessageGroupId");
    // The header's trace, unless the message names its own AWSTraceHeader.
    r.trace_header = c.trace_header;
    auto sys = parse_message_attributes(e, "MessageSystemAttributes");
    if (!sys) return sys.error();
    for (auto& [n, a] : *sys) {
        if (n != "AWSTraceHeader") {
            return errors::system_attribute_name(n);
        }
        r.trace_header = a.value;
    }
    return r;
}

Result<ActionOutput> Actions::send_message(const Call& c) {
    auto q = existing_queue(c);
    if (!q) return q.error();
    auto r = send_request(c, c.in);
    if (!r) return r.error();
    auto s = store_.send_message(*q, std::move(*r));
    if (!s) return s.error();
    return ActionOutput{send_json(*s)};
}

Result<ActionOutput> Actions::send_message_batch(const Call& c) {
    auto q = existing_queue(c);
    if (!q) return q.error();
    size_t bytes = 0;
    if (auto r = check_entries(c.in, "SendMessageBatch", &bytes); !r) return r.error();
    if (bytes > 1'048'576) {
        return errors::batch_too_long(bytes);
    }
    ojson ok = ojson::array(), failed = ojson::array();
    for (const auto& e : c.in["Entries"]) {
        auto id = get_string(e, "Id").value_or("");
        auto r = send_request(c, e);
        Result<SendResult> s =
            r ? store_.send_message(*q, std::move(*r)) : Result<SendResult>(r.error());
        if (!s) {
            if (s.error().code == AwsErrorCode::kQueueDoesNotExist) return s.error();
            failed.push_back(batch_error(id, s.error()));
            continue;
        }
        ojson entry;
        entry["Id"] = id;
        auto fields = send_json(*s);  // items() does not keep a temporary alive
        for (auto& [k, v] : fields.items())
            entry[k] = v;
        ok.push_back(std::move(entry));
    }
    return ActionOutput{batch_result(std::move(ok), std::move(failed))};
}

Result<ActionOutput> Actions::delete_message(const Call& c) {
    auto q = queue_of(c);
    if (!q) return q.error();
    auto h = get_string(c.in, "ReceiptHandle");
    if (!h) return errors::missing_parameter("ReceiptHandle");
    return void_result(store_.delete_message(*q, *h));
}

Result<ActionOutput> Actions::delete_message_batch(const Call& c) {
    return id_batch(c, "DeleteMessageBatch", [&](const std::string& q, const json& e) {
        auto h = get_string(e, "ReceiptHandle");
        return h ? store_.delete_message(q, *h)
                 : Result<void>(errors::missing_parameter("ReceiptHandle"));
    });
}

Result<void> Actions::change_one(const std::string& q, const json& in) {
    auto h = get_string(in, "ReceiptHandle");
    if (!h) return errors::missing_parameter("ReceiptHandle");
    auto v = get_int(in, "VisibilityTimeout");
    if (!v) return v.error();
    if (!*v) return errors::missing_parameter("VisibilityTimeout");
    return store_.change_visibility(q, *h, static_cast<int>(std::clamp<int64_t>(**v, -1, 100000)));
}

Result<ActionOutput> Actions::change_visibility(const Call& c) {
    auto q = queue_of(c);
    if (!q) return q.error();
    return void_result(change_one(*q, c.in));
}

Result<ActionOutput> Actions::change_visibility_batch(const Call& c) {
    return id_batch(c, "ChangeMessageVisibilityBatch",
                    [&](const std::string& q, const json& e) { return change_one(q, e); });
}

}  // namespace kemu::sqs_dlq::wire
