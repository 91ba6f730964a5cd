#include "receive.h"

#include "../errors.h"
#include "../md5.h"
#include "../queue_attributes.h"
#include "core/encoding.h"
#include "input.h"

namespace kemu::sqs_dlq::wire {
namespace {

ojson attribute_value_json(const MessageAttribute& a) {
    ojson v;
    if (a.binary()) {
        v["BinaryValue"] = base64_encode(a.value);
    } else {
        v["StringValue"] = a.value;
    }
    v["DataType"] = a.data_type;
    return v;
}

ojson message_json(const ReceivedMessage& m, const Selection& sel) {
    ojson j;
    j["MessageId"] = m.message_id;
    j["ReceiptHandle"] = m.receipt_handle;
    j["MD5OfBody"] = m.md5_body;
    j["Body"] = m.body;
    ojson attrs = ojson::object();
    auto add = [&](std::string_view n, std::string v) {
        if (sel.wants_system(n)) attrs[std::string(n)] = std::move(v);
    };
    add("SenderId", m.sender_id);
    add("ApproximateFirstReceiveTimestamp", std::to_string(m.first_receive_ms));
    add("ApproximateReceiveCount", std::to_string(m.receive_count));
    add("SentTimestamp", std::to_string(m.sent_ms));
    if (!m.trace_header.empty()) add("AWSTraceHeader", m.trace_header);
    if (!m.dead_letter_source_arn.empty())
        add("DeadLetterQueueSourceArn", m.dead_letter_source_arn);
    if (!m.message_group_id.empty()) add("MessageGroupId", m.message_group_id);
    if (!attrs.empty()) j["Attributes"] = std::move(attrs);
    MessageAttributes chosen;
    for (const auto& [n, a] : m.attributes) {
        if (sel.wants_user(n)) chosen.emplace(n, a);
    }
    if (!chosen.empty()) {
        j["MD5OfMessageAttributes"] = md5_of_attributes(chosen);
        ojson ma = ojson::object();
        for (const auto& [n, a] : chosen)
            ma[n] = attribute_value_json(a);
        j["MessageAttributes"] = std::move(ma);
    }
    return j;
}

}  // namespace

bool Selection::wants_system(std::string_view n) const {
    return system.count("All") || system.count(std::string(n));
}
// "All", "*" and ".*" select every attribute; "{prefix}.*" those whose names start with the
// prefix ("Hel.*" selects "Hello", as AWS answers); anything else the attribute of that name.
bool Selection::wants_user(const std::string& n) const {
    for (const auto& u : user) {
        if (u == "All" || u == "*" || u == ".*" || u == n) return true;
        if (u.size() > 2 && u.ends_with(".*") && n.starts_with(u.substr(0, u.size() - 2)))
            return true;
    }
    return false;
}

Result<ReceiveArgs> receive_args(const Call& c, const QueueStore& store) {
    ReceiveArgs a;
    auto q = queue_of(c);
    if (!q) return q.error();
    a.queue = *q;
    auto max = get_int(c.in, "MaxNumberOfMessages");
    if (!max) return max.error();
    if (*max && (**max < 1 || **max > 10)) {
        return errors::not_between("MaxNumberOfMessages", **max, 1, 10);
    }
    a.request.max_messages = static_cast<int>(max->value_or(1));
    auto wait = get_int(c.in, "WaitTimeSeconds");
    if (!wait) return wait.error();
    if (*wait && (**wait < 0 || **wait > 20)) {
        return errors::not_within("WaitTimeSeconds", **wait, 0, 20);
    }
    auto vis = get_int(c.in, "VisibilityTimeout");
    if (!vis) return vis.error();
    if (*vis) {
        if (**vis < 0 || **vis > kMaxVisibility)
            return errors::not_within("VisibilityTimeout", **vis, 0, kMaxVisibility);
        a.request.visibility_timeout = static_cast<int>(**vis);
    }
    if (*wait) {
        a.wait_seconds = static_cast<int>(**wait);
    } else {
        auto d = store.default_wait_seconds(a.queue);
        if (!d) return d.error();
        a.wait_seconds = *d;
    }
    for (auto key : {"AttributeNames", "MessageSystemAttributeNames"}) {
        for (auto& n : get_list(c.in, key))
            a.selection.system.insert(n);
    }
    a.selection.user = get_list(c.in, "MessageAttributeNames");
    return a;
}

ActionOutput messages_output(const Selection& sel, const std::vector<ReceivedMessage>& msgs) {
    ojson out = ojson::object();
    if (!msgs.empty()) {
        ojson list = ojson::array();
        for (const auto& m : msgs)
            list.push_back(message_json(m, sel));
        out["Messages"] = std::move(list);
    }
    return ActionOutput{std::move(out)};
}

}  // namespace kemu::sqs_dlq::wire
