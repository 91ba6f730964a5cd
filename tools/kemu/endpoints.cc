#include "endpoints.h"

#include <nlohmann/json.hpp>

#include "console.h"
#include "flow_replay.h"
#include "sqs_dlq/api.h"

namespace kemu::cli {

using json = nlohmann::json;

namespace {

constexpr std::string_view kFlows = "/_kemu/flows/";

HttpResponse not_found() {
    return json_answer(404, R"({"message":"no such kemu endpoint"})");
}

class Endpoints final : public RequestHandler {
public:
    Endpoints(const Config& cfg, Processors& p, kinesis::Store& s, sqs_dlq::QueueStore& q,
              const cloudwatch::CloudWatch& cw, const Clock& clock, scenario::Hooks* hooks,
              ConsoleDeps console)
        : cfg_(cfg),
          processors_(p),
          store_(s),
          queues_(q),
          cloudwatch_(cw),
          clock_(clock),
          hooks_(hooks),
          replay_(cfg, p, s, q),
          console_(std::move(console)) {}

    bool matches(const HttpRequest& req) const override {
        return req.path().starts_with("/_kemu/");
    }
    HttpResponse internal_error(const HttpRequest&) const override {
        return json_answer(500, R"({"message":"internal error; see kemu's log"})");
    }

    void handle(const HttpRequest& req, Respond respond) override {
        auto path = req.path();
        if (console_.cfg && is_console_path(path)) {
            handle_console(console_, req, std::move(respond));
        } else if (path.starts_with(kFlows)) {
            flow_action(req, std::move(respond));
        } else if (hooks_ && path.starts_with(scenario::kHooksPrefix)) {
            respond(hooks_->handle(req));
        } else if (path.starts_with(sqs_dlq::kAdminPrefix)) {
            respond(sqs_dlq::handle_admin_request(queues_, req));
        } else {
            respond(answer(req));
        }
    }

private:
    HttpResponse answer(const HttpRequest& req) {
        auto path = req.path();
        if (path == "/_kemu/health") {
            if (req.method != "GET" && req.method != "HEAD") return not_found();
            return json_answer(200, std::string(R"({"status":"ok","version":")") + KEMU_VERSION +
                                        R"(","services":["kinesis","sqs","apigw"]})");
        }
        if (path == "/_kemu/alarms") return json_answer(200, cloudwatch_.alarms().describe_json());
        if (path == "/_kemu/status") return json_answer(200, status_json().dump());
        if (path == "/_kemu/metrics") {
            HttpResponse r;
            r.set_header("Content-Type", "text/plain; version=0.0.4");
            r.body = cloudwatch_.metrics_text(clock_.now_ms());
            return r;
        }
        return not_found();
    }

    void flow_action(const HttpRequest& req, Respond respond) {
        std::string_view rest = req.path().substr(kFlows.size());
        auto slash = rest.find('/');
        std::string flow(rest.substr(0, slash));
        std::string action(slash == std::string_view::npos ? "" : rest.substr(slash + 1));
        if (action != "replay" || req.method != "POST") {
            respond(not_found());
            return;
        }
        replay_.start(flow, std::move(respond));
    }

    json status_json() {
        json flows = json::array();
        auto states = cloudwatch_.alarms().states();
        for (const auto& f : cfg_.event_flows) {
            json j;
            j["event_type"] = f.event_type;
            j["stream"] = cfg_.stream_name(f);
            kinesis::StreamKey key{processors_.account(), processors_.region(),
                                   cfg_.stream_name(f)};
            if (auto d = store_.describe_stream(key)) {
                j["stream_mode"] =
                    d->mode == kinesis::StreamMode::kOnDemand ? "ON_DEMAND" : "PROVISIONED";
                j["open_shards"] = d->open_shard_count;
            }
            j["parallelization_factor"] = f.parallelization_factor;
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
                j["lanes"] = m.lanes;
                // For the console's rates: records handed to the function, time spent in it.
                j["invoked_events"] = m.invoked_events;
                j["duration_us_sum"] = m.duration_us_sum;
                // Settings changed through the Lambda API (until kemu restarts), against
                // kemu.yaml's.
                auto live = p.mapping->settings();
                auto file = lambda_runner::settings_of(p.mapping->config());
                json changed = json::object();
                auto diff = [&](const char* name, auto from, auto to) {
                    if (from != to) changed[name] = {{"kemu_yaml", from}, {"live", to}};
                };
                diff("BatchSize", file.batch_size, live.batch_size);
                diff("MaximumBatchingWindowInSeconds", file.batch_window_seconds,
                     live.batch_window_seconds);
                diff("MaximumRetryAttempts", file.max_retry_attempts, live.max_retry_attempts);
                diff("MaximumRecordAgeInSeconds", file.max_record_age_seconds,
                     live.max_record_age_seconds);
                diff("BisectBatchOnFunctionError", file.bisect_on_error, live.bisect_on_error);
                diff("ParallelizationFactor", file.parallelization_factor,
                     live.parallelization_factor);
                diff("Enabled", file.enabled, live.enabled);
                j["mapping_enabled"] = live.enabled;
                j["mapping"] = {{"BatchSize", live.batch_size},
                                {"MaximumBatchingWindowInSeconds", live.batch_window_seconds},
                                {"MaximumRetryAttempts", live.max_retry_attempts},
                                {"MaximumRecordAgeInSeconds", live.max_record_age_seconds},
                                {"BisectBatchOnFunctionError", live.bisect_on_error},
                                {"ParallelizationFactor", live.parallelization_factor}};
                if (!changed.empty()) j["mapping_changed"] = changed;
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
    sqs_dlq::QueueStore& queues_;
    const cloudwatch::CloudWatch& cloudwatch_;
    const Clock& clock_;
    scenario::Hooks* hooks_;
    FlowReplay replay_;
    ConsoleDeps console_;
};

}  // namespace

std::shared_ptr<RequestHandler> make_kemu_endpoints(const Config& cfg, Processors& processors,
                                                    kinesis::Store& store,
                                                    sqs_dlq::QueueStore& queues,
                                                    const cloudwatch::CloudWatch& cloudwatch,
                                                    const Clock& clock, scenario::Hooks* hooks,
                                                    ConsoleDeps console) {
    return std::make_shared<Endpoints>(cfg, processors, store, queues, cloudwatch, clock, hooks,
                                       std::move(console));
}

}  // namespace kemu::cli
