#include <algorithm>

#include "../errors.h"
#include "actions.h"
#include "core/encoding.h"
#include "input.h"

namespace kemu::sqs_dlq::wire {
namespace {

// {"name": "value", ...}, or nothing for no pairs (empty containers are omitted).
void put_string_map(ojson& out, const char* key,
                    const std::vector<std::pair<std::string, std::string>>& pairs) {
    if (pairs.empty()) return;
    ojson m = ojson::object();
    for (const auto& [k, v] : pairs)
        m[k] = v;
    out[key] = std::move(m);
}

template <class Fn>
Result<ActionOutput> with_queue(const Call& c, Fn fn) {
    auto q = queue_of(c);
    if (!q) return q.error();
    return fn(*q);
}

}  // namespace

Result<ActionOutput> Actions::run(const Call& c) {
    const auto& a = c.action;
    if (a == "CreateQueue") return create_queue(c);
    if (a == "GetQueueUrl") return get_queue_url(c);
    if (a == "ListQueues") return list_queues(c);
    if (a == "DeleteQueue")
        return with_queue(c, [&](const std::string& q) -> Result<ActionOutput> {
            return void_result(store_.delete_queue(q));
        });
    if (a == "GetQueueAttributes") return get_queue_attributes(c);
    if (a == "SetQueueAttributes")
        return with_queue(c, [&](const std::string& q) {
            return void_result(store_.set_attributes(q, get_map(c.in, "Attributes")));
        });
    if (a == "SendMessage") return send_message(c);
    if (a == "SendMessageBatch") return send_message_batch(c);
    if (a == "DeleteMessage") return delete_message(c);
    if (a == "DeleteMessageBatch") return delete_message_batch(c);
    if (a == "ChangeMessageVisibility") return change_visibility(c);
    if (a == "ChangeMessageVisibilityBatch") return change_visibility_batch(c);
    if (a == "PurgeQueue")
        return with_queue(c, [&](const std::string& q) { return void_result(store_.purge(q)); });
    if (a == "TagQueue")
        return with_queue(c, [&](const std::string& q) {
            auto tags = get_map(c.in, "Tags");
            if (tags.empty()) tags = get_map(c.in, "tags");
            return void_result(store_.tag_queue(q, tags));
        });
    if (a == "UntagQueue")
        return with_queue(c, [&](const std::string& q) {
            return void_result(store_.untag_queue(q, get_list(c.in, "TagKeys")));
        });
    if (a == "ListQueueTags") return list_queue_tags(c);
    if (a == "StartMessageMoveTask") return start_move_task(c);
    if (a == "ListMessageMoveTasks") return list_move_tasks(c);
    if (a == "CancelMessageMoveTask") return cancel_move_task(c);
    if (c.protocol == Protocol::kJson) {
        return errors::unknown_operation();
    }
    if (a.empty()) {
        return errors::missing_action();
    }
    return errors::invalid_action(a);
}

Result<std::string> Actions::existing_queue(const Call& c) {
    auto q = queue_of(c);
    if (!q) return q.error();
    if (!store_.queue_exists(*q)) return errors::queue_does_not_exist();
    return q;
}

Result<ActionOutput> Actions::create_queue(const Call& c) {
    auto name = get_string(c.in, "QueueName");
    if (!name) return errors::missing_parameter("QueueName");
    auto r = store_.create_queue(*name, get_map(c.in, "Attributes"), get_map(c.in, "tags"));
    if (!r) return r.error();
    ojson out;
    out["QueueUrl"] = queue_url(c, account_, *name);
    return ActionOutput{std::move(out)};
}

Result<ActionOutput> Actions::get_queue_url(const Call& c) {
    auto name = get_string(c.in, "QueueName");
    if (!name) return errors::missing_parameter("QueueName");
    if (!store_.queue_exists(*name)) return errors::queue_does_not_exist();
    ojson out;
    out["QueueUrl"] = queue_url(c, account_, *name);
    return ActionOutput{std::move(out)};
}

Result<ActionOutput> Actions::list_queues(const Call& c) {
    auto max = get_int(c.in, "MaxResults");
    if (!max) return max.error();
    if (*max && (**max < 1 || **max > 1000)) {
        return errors::list_queues_max_results(**max);
    }
    auto names = store_.list_queues(get_string(c.in, "QueueNamePrefix").value_or(""));
    size_t start = 0;
    if (auto token = get_string(c.in, "NextToken"); token && !token->empty()) {
        auto after = base64_decode(*token);
        if (!after) return errors::invalid_next_token();
        start = static_cast<size_t>(std::upper_bound(names.begin(), names.end(), *after) -
                                    names.begin());
    }
    size_t limit = *max ? static_cast<size_t>(**max) : 1000;
    ojson out = ojson::object();
    ojson urls = ojson::array();
    size_t i = start;
    for (; i < names.size() && urls.size() < limit; ++i) {
        urls.push_back(queue_url(c, account_, names[i]));
    }
    if (!urls.empty()) out["QueueUrls"] = std::move(urls);
    if (*max && i < names.size()) out["NextToken"] = base64_encode(names[i - 1]);
    return ActionOutput{std::move(out)};
}

Result<ActionOutput> Actions::get_queue_attributes(const Call& c) {
    auto q = queue_of(c);
    if (!q) return q.error();
    auto attrs = store_.get_attributes(*q, get_list(c.in, "AttributeNames"));
    if (!attrs) return attrs.error();
    ojson out = ojson::object();
    put_string_map(out, "Attributes", *attrs);
    return ActionOutput{std::move(out)};
}

Result<ActionOutput> Actions::list_queue_tags(const Call& c) {
    auto q = queue_of(c);
    if (!q) return q.error();
    auto tags = store_.list_tags(*q);
    if (!tags) return tags.error();
    ojson out = ojson::object();
    put_string_map(out, "Tags", *tags);
    return ActionOutput{std::move(out)};
}

Result<ActionOutput> Actions::start_move_task(const Call& c) {
    auto source = get_string(c.in, "SourceArn");
    if (!source) return errors::missing_parameter("SourceArn");
    auto rate = get_int(c.in, "MaxNumberOfMessagesPerSecond");
    if (!rate) return rate.error();
    // Out of int range: past any limit, never wrapped into it.
    int64_t per_second = std::clamp<int64_t>(rate->value_or(0), -1, 1'000'000'000);
    auto h = store_.start_move_task(*source, get_string(c.in, "DestinationArn").value_or(""),
                                    static_cast<int>(per_second));
    if (!h) return h.error();
    ojson out;
    out["TaskHandle"] = *h;
    return ActionOutput{std::move(out)};
}

Result<ActionOutput> Actions::list_move_tasks(const Call& c) {
    auto source = get_string(c.in, "SourceArn");
    if (!source) return errors::missing_parameter("SourceArn");
    auto max = get_int(c.in, "MaxResults");
    if (!max) return max.error();
    auto tasks = store_.list_move_tasks(
        *source, static_cast<int>(std::clamp<int64_t>(max->value_or(1), -1, 1'000'000'000)));
    if (!tasks) return tasks.error();
    ojson results = ojson::array();
    for (const auto& t : *tasks) {
        ojson r;
        if (t.status == "RUNNING") r["TaskHandle"] = t.task_handle;
        r["Status"] = t.status;
        r["SourceArn"] = t.source_arn;
        if (!t.destination_arn.empty()) r["DestinationArn"] = t.destination_arn;
        if (t.max_per_second > 0) r["MaxNumberOfMessagesPerSecond"] = t.max_per_second;
        r["ApproximateNumberOfMessagesMoved"] = t.moved;
        r["ApproximateNumberOfMessagesToMove"] = t.to_move;
        if (!t.failure_reason.empty()) r["FailureReason"] = t.failure_reason;
        r["StartedTimestamp"] = t.started_ms;
        results.push_back(std::move(r));
    }
    ojson out = ojson::object();
    if (!results.empty()) out["Results"] = std::move(results);
    return ActionOutput{std::move(out)};
}

Result<ActionOutput> Actions::cancel_move_task(const Call& c) {
    auto h = get_string(c.in, "TaskHandle");
    if (!h) return errors::missing_parameter("TaskHandle");
    auto moved = store_.cancel_move_task(*h);
    if (!moved) return moved.error();
    ojson out;
    out["ApproximateNumberOfMessagesMoved"] = *moved;
    return ActionOutput{std::move(out)};
}

}  // namespace kemu::sqs_dlq::wire
