#include <nlohmann/json.hpp>

#include "sqs_dlq/api.h"

namespace kemu::sqs_dlq {
namespace {

using json = nlohmann::json;

HttpResponse answer(int status, const json& body) {
    HttpResponse r;
    r.status = status;
    r.set_header("Content-Type", "application/json");
    r.body = body.dump(-1, ' ', false, json::error_handler_t::replace);
    return r;
}

HttpResponse list(QueueStore& store) {
    json out = json::array();
    for (const auto& name : store.list_queues("")) {
        auto a = store.get_attributes(
            name, {"ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible",
                   "ApproximateNumberOfMessagesDelayed"});
        if (!a || a->size() != 3) continue;  // deleted meanwhile
        out.push_back({{"name", name},
                       {"visible", std::stoll((*a)[0].second)},
                       {"inflight", std::stoll((*a)[1].second)},
                       {"delayed", std::stoll((*a)[2].second)}});
    }
    return answer(200, {{"queues", out}});
}

}  // namespace

HttpResponse handle_admin_request(QueueStore& store, const HttpRequest& req) {
    if (req.method != "GET") return answer(405, {{"message", "only GET is served here"}});
    auto rest = req.path().substr(kAdminPrefix.size());
    if (rest.empty() || rest == "/") return list(store);
    // /{name}/messages
    if (!rest.starts_with("/") || !rest.ends_with("/messages"))
        return answer(404, {{"message", "no such kemu endpoint"}});
    std::string name(rest.substr(1, rest.size() - 1 - std::string_view("/messages").size()));
    size_t max = 100;
    auto q = req.query();
    if (auto p = q.find("max="); p != std::string_view::npos) {
        max = std::strtoul(std::string(q.substr(p + 4)).c_str(), nullptr, 10);
        if (max == 0 || max > 10000) max = 100;
    }
    auto msgs = store.peek(name, max);
    if (!msgs) return answer(404, {{"message", "queue " + name + " does not exist"}});
    json out = json::array();
    for (const auto& m : *msgs) {
        out.push_back({{"messageId", m.message_id},
                       {"body", m.body},
                       {"sentTimestamp", m.sent_ms},
                       {"receiveCount", m.receive_count}});
    }
    return answer(200, {{"queue", name}, {"messages", out}});
}

}  // namespace kemu::sqs_dlq
