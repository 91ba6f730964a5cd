#include <nlohmann/json.hpp>

#include "sqs/api.h"

namespace kemu::sqs {
namespace {

using json = nlohmann::json;

constexpr std::string_view kPrefix = "/_kemu/sqs/queues";

class Admin final : public RequestHandler {
public:
    explicit Admin(QueueStore& store) : store_(store) {}

    bool matches(const HttpRequest& req) const override { return req.path().starts_with(kPrefix); }

    void handle(const HttpRequest& req, Respond respond) override { respond(answer_for(req)); }

    HttpResponse internal_error(const HttpRequest&) const override {
        return answer(500, {{"message", "internal error; see kemu's log"}});
    }

private:
    HttpResponse answer_for(const HttpRequest& req) {
        if (req.method != "GET") return answer(405, {{"message", "only GET is served here"}});
        auto rest = req.path().substr(kPrefix.size());
        if (rest.empty() || rest == "/") return list();
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
        auto msgs = store_.peek(name, max);
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

private:
    HttpResponse list() {
        json out = json::array();
        for (const auto& name : store_.list_queues("")) {
            auto a = store_.get_attributes(
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

    static HttpResponse answer(int status, const json& body) {
        HttpResponse r;
        r.status = status;
        r.set_header("Content-Type", "application/json");
        r.body = body.dump(-1, ' ', false, json::error_handler_t::replace);
        return r;
    }

    QueueStore& store_;
};

}  // namespace

std::shared_ptr<RequestHandler> make_admin_handler(QueueStore& store) {
    return std::make_shared<Admin>(store);
}

}  // namespace kemu::sqs
