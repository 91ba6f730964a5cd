#include "flow_replay.h"

#include <thread>

#include <nlohmann/json.hpp>

#include "lambda_runner/replay.h"

namespace kemu::cli {

using json = nlohmann::json;

namespace {

HttpResponse answer(int status, const json& body) {
    return json_answer(status, body.dump());
}

}  // namespace

HttpResponse json_answer(int status, const std::string& body) {
    HttpResponse r;
    r.status = status;
    r.set_header("Content-Type", "application/json");
    r.body = body;
    return r;
}

void FlowReplay::start(const std::string& flow, Respond respond) {
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
    {
        std::lock_guard lock(replaying_mu_);
        if (!replaying_.insert(flow).second) {
            respond(answer(409, {{"message", "a replay of flow " + flow + " is already running"}}));
            return;
        }
    }
    // Invocations can take up to the function timeout: not on an edge thread.
    std::thread([this, flow, queue = cfg_.dlq_name(*fc), proc, respond = std::move(respond)] {
        struct Done {
            FlowReplay* self;
            std::string flow;
            ~Done() {
                std::lock_guard lock(self->replaying_mu_);
                self->replaying_.erase(flow);
            }
        } done{this, flow};
        run(queue, proc, respond);
    }).detach();
}

void FlowReplay::run(const std::string& queue, const Processor* proc, const Respond& respond) {
    // An edit made just before the replay (the usual fix-then-replay) counts at once, not at
    // the next once-a-second look.
    if (proc->pool->code_changed()) proc->pool->retire_all();
    auto msgs = queues_.peek(queue, 10000);
    if (!msgs) {
        respond(answer(404, {{"message", msgs.error().message}}));
        return;
    }
    json results = json::array();
    int replayed = 0;
    for (const auto& m : *msgs) {
        auto o = lambda_runner::replay_failure_record(m.body, proc->mapping->config(), store_,
                                                      *proc->pool);
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
}

}  // namespace kemu::cli
