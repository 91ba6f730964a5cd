#include "admin.h"

#include <mutex>
#include <set>
#include <thread>

#include <nlohmann/json.hpp>

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
    Admin(const Config& cfg, Processors& p, kinesis::Store& s, sqs::QueueStore& q,
          std::shared_ptr<apigw::FrontDoor> fd, const Alarms& alarms)
        : cfg_(cfg),
          processors_(p),
          store_(s),
          queues_(q),
          front_door_(std::move(fd)),
          alarms_(alarms) {}

    bool matches(const HttpRequest& req) const override {
        auto p = req.path();
        return p.starts_with("/_kemu/flows/") || p == "/_kemu/metrics" || p == "/_kemu/alarms" ||
               p == "/_kemu/status";
    }
    HttpResponse internal_error(const HttpRequest&) const override {
        return answer(500, {{"message", "internal error; see kemu's log"}});
    }

    void handle(const HttpRequest& req, Respond respond) override {
        if (req.path() == "/_kemu/alarms") {
            HttpResponse r;
            r.set_header("Content-Type", "application/json");
            r.body = alarms_.describe_json();
            respond(std::move(r));
            return;
        }
        if (req.path() == "/_kemu/status") {
            respond(answer(200, status_json()));
            return;
        }
        if (req.path() == "/_kemu/metrics") {
            HttpResponse r;
            r.set_header("Content-Type", "text/plain; version=0.0.4");
            r.body = metrics_text();
            respond(std::move(r));
            return;
        }
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
            respond(
                answer(409, {{"message", "flow " + flow + " has no DLQ (dlq_enabled: false)"}}));
            return;
        }
        {
            std::lock_guard lock(replaying_mu_);
            if (!replaying_.insert(flow).second) {
                respond(
                    answer(409, {{"message", "a replay of flow " + flow + " is already running"}}));
                return;
            }
        }
        // Invocations can take up to the function timeout: not on an edge thread.
        std::thread([this, flow, queue = cfg_.dlq_name(*fc), proc, respond = std::move(respond)] {
            struct Done {
                Admin* self;
                std::string flow;
                ~Done() {
                    std::lock_guard lock(self->replaying_mu_);
                    self->replaying_.erase(flow);
                }
            } done{this, flow};
            // An edit made just before the replay (the usual fix-then-replay) counts at once,
            // not at the next once-a-second look.
            if (proc->pool->code_changed()) proc->pool->retire_all();
            auto msgs = queues_.peek(queue, 10000);
            if (!msgs) {
                respond(answer(404, {{"message", msgs.error().message}}));
                return;
            }
            json results = json::array();
            int replayed = 0;
            for (const auto& m : *msgs) {
                auto o = lambda::replay_failure_record(m.body, proc->mapping->config(), store_,
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
        }).detach();
    }

private:
    static std::string label(std::string_view v) {
        std::string out;
        for (char c : v) {
            if (c == '"' || c == '\\') out += '\\';
            if (c == '\n') {
                out += "\\n";
                continue;
            }
            out += c;
        }
        return out;
    }

    static void series(std::string& out, std::string_view ns, std::string_view metric,
                       std::string_view dim, std::string_view dim_value, std::string_view stat,
                       double value, std::string_view extra = {}) {
        out += "kemu_aws{namespace=\"";
        out += ns;
        out += "\",metric=\"";
        out += metric;
        out += "\",";
        out += dim;
        out += "=\"";
        out += label(dim_value);
        out += "\",statistic=\"";
        out += stat;
        out += '"';
        out += extra;
        out += "} ";
        char buf[64];
        std::snprintf(buf, sizeof buf, "%.15g", value);
        out += buf;
        out += '\n';
    }

    std::string metrics_text() {
        std::string out =
            "# HELP kemu_aws CloudWatch metrics as kemu computes them (namespace, metric, "
            "dimension "
            "and statistic as labels).\n# TYPE kemu_aws gauge\n";
        for (const auto& p : processors_.all()) {
            auto m = p.metrics->snapshot();
            const auto& fn = p.pool->config().name;
            auto l = [&](std::string_view metric, std::string_view stat, double v) {
                series(out, "AWS/Lambda", metric, "FunctionName", fn, stat, v);
            };
            l("Invocations", "Sum", static_cast<double>(m.invocations));
            l("Errors", "Sum", static_cast<double>(m.errors));
            l("Throttles", "Sum", static_cast<double>(m.throttles));
            l("Duration", "Sum", static_cast<double>(m.duration_us_sum) / 1000.0);
            l("Duration", "Maximum", static_cast<double>(m.duration_us_max) / 1000.0);
            l("ConcurrentExecutions", "Current", static_cast<double>(m.concurrent_executions));
            l("ConcurrentExecutions", "Maximum", static_cast<double>(m.concurrent_executions_max));
            l("IteratorAge", "Last", static_cast<double>(m.iterator_age_ms));
            l("IteratorAge", "Maximum", static_cast<double>(m.iterator_age_ms_max));
            l("InvokedEventCount", "Sum", static_cast<double>(m.invoked_events));
            l("FailedInvokeEventCount", "Sum", static_cast<double>(m.failed_invoke_events));
            l("DroppedEventCount", "Sum", static_cast<double>(m.dropped_events));
            l("OnFailureDestinationDeliveredEventCount", "Sum",
              static_cast<double>(m.dlq_messages));
            l("DestinationDeliveryFailures", "Sum", static_cast<double>(m.dlq_failures));
            l("ColdStarts", "Sum", static_cast<double>(m.cold_starts));
        }
        for (const auto& f : cfg_.event_flows) {
            kinesis::StreamKey key{processors_.account(), processors_.region(),
                                   cfg_.stream_name(f)};
            auto m = store_.metrics(key);
            if (!m) continue;
            auto k = [&](std::string_view metric, std::string_view stat, double v) {
                series(out, "AWS/Kinesis", metric, "StreamName", key.name, stat, v);
            };
            k("IncomingRecords", "Sum", static_cast<double>(m->incoming_records));
            k("IncomingBytes", "Sum", static_cast<double>(m->incoming_bytes));
            k("WriteProvisionedThroughputExceeded", "Sum", static_cast<double>(m->write_throttled));
            k("ReadProvisionedThroughputExceeded", "Sum", static_cast<double>(m->read_throttled));
            k("GetRecords.Success", "Sum", static_cast<double>(m->get_records_calls));
            k("GetRecords.Records", "Sum", static_cast<double>(m->get_records_records));
            k("GetRecords.IteratorAgeMilliseconds", "Last",
              static_cast<double>(m->get_records_iterator_age_ms));
            k("GetRecords.IteratorAgeMilliseconds", "Maximum",
              static_cast<double>(m->get_records_iterator_age_ms_max));
        }
        for (const auto& name : queues_.list_queues("")) {
            auto a = queues_.get_attributes(
                name, {"ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible",
                       "ApproximateNumberOfMessagesDelayed"});
            if (!a || a->size() != 3) continue;
            series(out, "AWS/SQS", "ApproximateNumberOfMessagesVisible", "QueueName", name, "Last",
                   std::stod((*a)[0].second));
            series(out, "AWS/SQS", "ApproximateNumberOfMessagesNotVisible", "QueueName", name,
                   "Last", std::stod((*a)[1].second));
            series(out, "AWS/SQS", "ApproximateNumberOfMessagesDelayed", "QueueName", name, "Last",
                   std::stod((*a)[2].second));
        }
        if (front_door_) {
            auto m = front_door_->metrics();
            auto api = cfg_.api_name();
            auto g = [&](std::string_view metric, std::string_view stat, double v) {
                series(out, "AWS/ApiGateway", metric, "ApiName", api, stat, v);
            };
            g("Count", "Sum", static_cast<double>(m.count));
            g("4XXError", "Sum", static_cast<double>(m.errors_4xx));
            g("5XXError", "Sum", static_cast<double>(m.errors_5xx));
            g("Latency", "Sum", m.latency.sum_ms);
            g("Latency", "SampleCount", static_cast<double>(m.latency.count));
            g("Latency", "Maximum", m.latency.max_ms);
            g("IntegrationLatency", "Sum", m.integration_latency.sum_ms);
            g("IntegrationLatency", "SampleCount",
              static_cast<double>(m.integration_latency.count));
            g("IntegrationLatency", "Maximum", m.integration_latency.max_ms);
            for (const auto& r : m.requests) {
                series(out, "AWS/ApiGateway", "Count", "ApiName", api, "Sum",
                       static_cast<double>(r.count),
                       ",Method=\"" + r.method + "\",Resource=\"" + label(r.resource) +
                           "\",Status=\"" + std::to_string(r.status) + "\"");
            }
        }
        return out;
    }

    json status_json() {
        json flows = json::array();
        auto states = alarms_.states();
        for (const auto& f : cfg_.event_flows) {
            json j;
            j["event_type"] = f.event_type;
            j["stream"] = cfg_.stream_name(f);
            kinesis::StreamKey key{processors_.account(), processors_.region(),
                                   cfg_.stream_name(f)};
            if (auto m = store_.metrics(key)) {
                j["incoming_records"] = m->incoming_records;
                j["get_records_iterator_age_ms"] = m->get_records_iterator_age_ms;
            }
            j["function"] = cfg_.function_name(f);
            for (const auto& p : processors_.all()) {
                if (p.event_type != f.event_type) continue;
                auto m = p.metrics->snapshot();
                j["invocations"] = m.invocations;
                j["errors"] = m.errors;
                j["throttles"] = m.throttles;
                j["iterator_age_ms"] = m.iterator_age_ms;
                auto st = p.pool->stats();
                j["environments"] = st.environments;
                j["busy"] = st.busy;
            }
            if (f.dlq_enabled) {
                j["dlq"] = cfg_.dlq_name(f);
                auto a = queues_.get_attributes(cfg_.dlq_name(f), {"ApproximateNumberOfMessages"});
                if (a && !a->empty()) j["dlq_depth"] = std::stoll(a->front().second);
            }
            json al = json::object();
            std::string prefix = cfg_.environment + "-" + f.event_type + "-";
            for (const auto& [name, state] : states) {
                if (name.starts_with(prefix)) al[name.substr(prefix.size())] = state;
            }
            j["alarms"] = al;
            flows.push_back(std::move(j));
        }
        return {{"flows", flows}};
    }

    const Config& cfg_;
    Processors& processors_;
    kinesis::Store& store_;
    sqs::QueueStore& queues_;
    std::shared_ptr<apigw::FrontDoor> front_door_;
    const Alarms& alarms_;
    std::mutex replaying_mu_;
    std::set<std::string> replaying_;  // flows with a replay running
};

}  // namespace

std::shared_ptr<RequestHandler> make_admin_handler(const Config& cfg, Processors& processors,
                                                   kinesis::Store& store, sqs::QueueStore& queues,
                                                   std::shared_ptr<apigw::FrontDoor> front_door,
                                                   const Alarms& alarms) {
    return std::make_shared<Admin>(cfg, processors, store, queues, std::move(front_door), alarms);
}

}  // namespace kemu::cli
