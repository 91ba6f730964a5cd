#include "admin.h"

#include <nlohmann/json.hpp>
#include <thread>

#include "lambda_runner/replay.h"

namespace kemu::cli {
namespace {

using json = nlohmann::json;

HttpResponse answer(int status, const json& body) {
    HttpResponse r;
    r.status = status;
    r.set_header("Content-Type", "application/json");
    r.body = body.dump();
    return r;
}

class Admin final : public RequestHandler {
public:
    Admin(const Config& cfg, Processors& p, kinesis::Store& s, sqs::QueueStore& q)
        : cfg_(cfg), processors_(p), store_(s), queues_(q) {}

    bool matches(const HttpRequest& req) const override {
        return req.path().starts_with("/_kemu/flows/");
    }
    bool is_async() const override { return true; }
    HttpResponse handle(const HttpRequest&) override {
        return answer(500, {{"message", "asynchronous only"}});
    }

    void handle_async(const HttpRequest& req, Respond respond) override {
        std::string_view rest = req.path().substr(std::string_view("/_kemu/flows/").size());
        auto slash = rest.find('/');
        std::string flow(rest.substr(0, slash));
        std::string action(slash == std::string_view::npos ? "" : rest.substr(slash + 1));
        if (action != "replay" || req.method != "POST") {
            respond(answer(404, {{"message", "no such kemu endpoint"}}));
            return;
        }
        const FlowConfig* fc = nullptr;
        for (const auto& f : cfg_.event_flows) {
            if (f.event_type == flow) fc = &f;
        }
        const Processor* proc = nullptr;
        for (const auto& p : processors_.all()) {
            if (p.event_type == flow) proc = &p;
        }
        if (!fc || !proc) {
            respond(answer(404, {{"message", "no running processor for flow " + flow}}));
            return;
        }
        if (!fc->dlq_enabled) {
            respond(answer(409, {{"message", "flow " + flow + " has no DLQ (dlq_enabled: false)"}}));
            return;
        }
        // Invocations can take up to the function timeout: not on an edge thread.
        std::thread([this, queue = cfg_.dlq_name(*fc), proc, respond = std::move(respond)] {
            auto msgs = queues_.peek(queue, 10000);
            if (!msgs) {
                respond(answer(404, {{"message", msgs.error().message}}));
                return;
            }
            json results = json::array();
            int replayed = 0;
            for (const auto& m : *msgs) {
                auto o = lambda::replay_failure_record(m.body, proc->mapping->config(), store_, *proc->pool);
                if (o.ok) {
                    (void)queues_.delete_by_id(queue, m.message_id);
                    ++replayed;
                }
                results.push_back({{"messageId", m.message_id},
                                   {"ok", o.ok},
                                   {"records", o.records},
                                   {"detail", o.detail}});
            }
            respond(answer(200, {{"queue", queue},
                                 {"replayed", replayed},
                                 {"failed", static_cast<int>(msgs->size()) - replayed},
                                 {"results", results}}));
        }).detach();
    }

private:
    const Config& cfg_;
    Processors& processors_;
    kinesis::Store& store_;
    sqs::QueueStore& queues_;
};

}  // namespace

std::shared_ptr<RequestHandler> make_admin_handler(const Config& cfg, Processors& processors,
                                                   kinesis::Store& store, sqs::QueueStore& queues) {
    return std::make_shared<Admin>(cfg, processors, store, queues);
}

}  // namespace kemu::cli
