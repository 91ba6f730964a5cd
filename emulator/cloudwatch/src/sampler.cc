#include "cloudwatch/sampler.h"

#include <string>

namespace kemu::cloudwatch {
namespace {

using namespace names;
using Reading = Sampler::Reading;

double d(int64_t v) {
    return static_cast<double>(v);
}
double d(uint64_t v) {
    return static_cast<double>(v);
}

// `age`, the iterator age: for a tick, the window's maximum (nullopt when nothing was read);
// for kemu's own gauge, the last value.
std::vector<Reading> stream_readings(const kinesis::StreamMetrics& m, std::optional<int64_t> age) {
    std::vector<Reading> r = {
        {kIncomingRecords, d(m.incoming_records)},
        {kIncomingBytes, d(m.incoming_bytes)},
        {kWriteThrottled, d(m.write_throttled)},
        {kReadThrottled, d(m.read_throttled)},
        {kGetRecordsSuccess, d(m.get_records_calls)},
        {kGetRecordsRecords, d(m.get_records_records)},
    };
    if (age) r.push_back({kGetRecordsIteratorAge, d(*age), 0, true});
    return r;
}

std::vector<Reading> function_readings(const lambda_runner::FunctionMetricsSnapshot& m,
                                       std::optional<int64_t> age) {
    std::vector<Reading> r = {
        {kInvocations, d(m.invocations)},
        {kErrors, d(m.errors)},
        {kThrottles, d(m.throttles)},
        {kDuration, d(m.duration_us_sum) / 1000.0, d(m.invocations)},
        {kConcurrentExecutions, d(m.concurrent_executions)},
        {kInvokedEventCount, d(m.invoked_events)},
        {kFailedInvokeEventCount, d(m.failed_invoke_events)},
        {kDroppedEventCount, d(m.dropped_events)},
        {kFilteredOutEventCount, d(m.filtered_out_events)},
        {kOnFailureDelivered, d(m.dlq_messages)},
        {kDestinationDeliveryFailures, d(m.dlq_failures)},
    };
    if (age) r.push_back({kIteratorAge, d(*age), 0, true});
    return r;
}

std::vector<Reading> queue_readings(sqs_dlq::QueueStore& queues, const std::string& name) {
    auto a = queues.get_attributes(
        name, {"ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible",
               "ApproximateNumberOfMessagesDelayed"});
    if (!a || a->size() != 3) return {};  // deleted meanwhile
    return {{kMessagesVisible, std::stod((*a)[0].second), 0, true},
            {kMessagesNotVisible, std::stod((*a)[1].second), 0, true},
            {kMessagesDelayed, std::stod((*a)[2].second), 0, true}};
}

std::vector<Reading> api_readings(const apigw::MetricsSnapshot& m) {
    return {{kCount, d(m.count)},
            {k4xxError, d(m.errors_4xx)},
            {k5xxError, d(m.errors_5xx)},
            {kLatency, m.latency.sum_ms, d(m.latency.count)},
            {kIntegrationLatency, m.integration_latency.sum_ms, d(m.integration_latency.count)}};
}

const Reading* find(const std::vector<Reading>& readings, std::string_view metric) {
    for (const auto& r : readings) {
        if (r.metric == metric) return &r;
    }
    return nullptr;
}

// kemu's cumulative twins of one resource's AWS metrics.
void render_readings(Exposition& out, const ServiceMetrics& svc, const std::string& resource,
                     const std::vector<Reading>& readings) {
    Labels labels = {{snake_case(svc.dimension), resource}};
    for (const auto& m : svc.metrics) {
        const Reading* r = find(readings, m.name);
        if (!r) continue;
        auto family = kemu_family(svc.ns, m);
        std::string help = "kemu's " + std::string(svc.ns) + " " + std::string(m.name) +
                           (m.kind == Kind::kGauge ? " now. " : " since start. ") +
                           std::string(m.help);
        bool ms = m.unit == "Milliseconds";
        double value = ms ? r->value / 1000.0 : r->value;
        switch (m.kind) {
            case Kind::kCount:
                out.add(family, "counter", help, labels, value);
                break;
            case Kind::kGauge:
                out.add(family, "gauge", help, labels, value);
                break;
            case Kind::kTiming:
                out.add(family, "summary", help, labels, value, "_sum");
                out.add(family, "summary", help, labels, r->count, "_count");
                break;
        }
    }
}

}  // namespace

Sampler::Sampler(SamplerSources sources) : sources_(std::move(sources)) {}

double Sampler::delta(const std::string& id, double now) {
    auto& prev = previous_[id];
    double out = now - prev;
    prev = now;
    return out;
}

void Sampler::emit(const ServiceMetrics& svc, const std::string& resource,
                   const std::vector<Reading>& readings, bool lambda_activity,
                   std::vector<Datapoint>& out) {
    // Deltas first: whether the resource was active decides which counts get a datapoint.
    std::vector<double> deltas(readings.size()), counts(readings.size());
    bool active = false;
    for (size_t i = 0; i < readings.size(); ++i) {
        const auto* m = find_metric(svc.ns, readings[i].metric);
        if (!m || m->kind == Kind::kGauge) continue;
        auto id = series(svc.ns, m->name, svc.dimension, resource).id();
        deltas[i] = delta(id, readings[i].value);
        if (m->kind == Kind::kTiming) counts[i] = delta(id + "#count", readings[i].count);
        bool counts_for_activity =
            m->kind == Kind::kCount &&
            (!lambda_activity || m->name == kInvocations || m->name == kErrors);
        if (counts_for_activity && deltas[i] != 0) active = true;
    }
    for (size_t i = 0; i < readings.size(); ++i) {
        const auto& r = readings[i];
        const auto* m = find_metric(svc.ns, r.metric);
        if (!m) continue;
        auto key = series(svc.ns, m->name, svc.dimension, resource);
        if (m->kind == Kind::kCount && (active || deltas[i] != 0)) {
            out.push_back({std::move(key), Stats::of(deltas[i])});
        } else if (m->kind == Kind::kTiming && counts[i] > 0) {
            out.push_back(
                {std::move(key), Stats::of_sum(deltas[i], static_cast<uint64_t>(counts[i]))});
        } else if (m->kind == Kind::kGauge && (r.always || active || r.value > 0)) {
            out.push_back({std::move(key), Stats::of(r.value)});
        }
    }
}

std::vector<Datapoint> Sampler::tick() {
    std::lock_guard lock(mu_);
    std::vector<Datapoint> out;
    const auto& s = sources_;
    for (const auto& name : s.streams) {
        kinesis::StreamKey key{s.account, s.region, name};
        auto m = s.store->metrics(key);
        if (!m) continue;
        auto age = s.store->take_iterator_age_window(key);
        emit(kinesis_metrics(), name, stream_readings(*m, age), false, out);
    }
    for (const auto& f : s.functions) {
        int64_t age = f.metrics->iterator_age_window_max.exchange(-1);
        emit(lambda_metrics(), f.name,
             function_readings(f.metrics->snapshot(),
                               age < 0 ? std::nullopt : std::optional<int64_t>(age)),
             true, out);
    }
    if (s.queues) {
        for (const auto& name : s.queues->list_queues(""))
            emit(sqs_metrics(), name, queue_readings(*s.queues, name), false, out);
    }
    if (s.front_door)
        emit(apigateway_metrics(), s.api_name, api_readings(s.front_door->metrics()), false, out);
    return out;
}

void Sampler::render_own(Exposition& out) const {
    const auto& s = sources_;
    for (const auto& name : s.streams) {
        auto m = s.store->metrics({s.account, s.region, name});
        if (m)
            render_readings(out, kinesis_metrics(), name,
                            stream_readings(*m, m->get_records_iterator_age_ms));
    }
    for (const auto& f : s.functions) {
        auto m = f.metrics->snapshot();
        render_readings(out, lambda_metrics(), f.name, function_readings(m, m.iterator_age_ms));
        out.add("kemu_lambda_cold_starts_total", "counter",
                "Execution environments started (cold starts) since start.",
                {{"function_name", f.name}}, d(m.cold_starts));
        out.add("kemu_lambda_lanes", "gauge",
                "Event source mapping lanes running now (shards x parallelization factor).",
                {{"function_name", f.name}}, d(m.lanes));
    }
    if (s.queues) {
        for (const auto& name : s.queues->list_queues(""))
            render_readings(out, sqs_metrics(), name, queue_readings(*s.queues, name));
    }
    if (!s.front_door) return;
    auto m = s.front_door->metrics();
    render_readings(out, apigateway_metrics(), s.api_name, api_readings(m));
    for (const auto& r : m.requests) {
        out.add("kemu_apigateway_requests_total", "counter",
                "Front-door requests since start, by method, resource and status.",
                {{"api_name", s.api_name},
                 {"method", r.method},
                 {"resource", r.resource},
                 {"status", std::to_string(r.status)}},
                d(r.count));
    }
}

}  // namespace kemu::cloudwatch
