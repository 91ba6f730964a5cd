#include "results.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <deque>
#include <unordered_map>

#include "cost.h"
#include "invocations.h"
#include "measures.h"

namespace kemu::load {

using json = nlohmann::json;

namespace {

json percentiles(const std::vector<double>& v) {
    if (v.empty()) return nullptr;
    return {{"p50", percentile(v, 50)},
            {"p90", percentile(v, 90)},
            {"p99", percentile(v, 99)},
            {"max", percentile(v, 100)},
            {"count", v.size()}};
}

// This flow's entry of one /_kemu/status answer, or null.
json flow_of(const json& status, const std::string& event_type) {
    for (const auto& f : status.value("flows", json::array()))
        if (f.value("event_type", "") == event_type) return f;
    return nullptr;
}

int64_t num(const json& j, const char* key) {
    return j.is_object() && j.contains(key) && j[key].is_number() ? j[key].get<int64_t>() : 0;
}

struct PerSecond {
    int64_t offered = 0, accepted = 0, throttled_429 = 0, server_errors = 0, partial_throttled = 0;
    std::vector<double> request_ms;
};

}  // namespace

json analyse(const Observed& o) {
    const auto& plan = *o.plan;
    const auto& run = *o.run;
    // A stopped run (Ctrl-C) lasted until the stop, not the planned duration.
    bool stopped = plan.max || std::any_of(run.requests.begin(), run.requests.end(),
                                           [](const RequestOutcome& r) { return !r.sent; });
    double run_s = std::max<int64_t>(
                       stopped ? std::min(run.elapsed_ms, plan.duration_ms) : plan.duration_ms, 1) /
                   1000.0;
    std::vector<PerSecond> secs(static_cast<size_t>(std::ceil(run_s)) + 1);
    int64_t offered = 0, accepted = 0, requests = 0, r429 = 0, r5xx = 0, other = 0, no_answer = 0,
            pthrottled = 0, pfailed = 0, late = 0, event_bytes = 0;
    std::vector<double> request_ms;
    // Due times (wall ms, fractional) of the accepted events, by their data, in send order.
    std::unordered_map<std::string, std::deque<double>> due_of;
    for (size_t i = 0; i < run.requests.size(); ++i) {
        const auto& r = run.requests[i];
        if (!r.sent) continue;
        auto& sec = secs[std::min(secs.size() - 1, static_cast<size_t>(r.due_us / 1000000))];
        requests += 1;
        offered += r.events;
        sec.offered += r.events;
        request_ms.push_back(r.latency_us / 1000.0);
        sec.request_ms.push_back(r.latency_us / 1000.0);
        if (r.start_late_us > 10000) late += 1;
        if (r.status == 429) {
            r429 += 1;
            sec.throttled_429 += r.events;
        } else if (r.status >= 500) {
            r5xx += 1;
            sec.server_errors += 1;
        } else if (r.status == 0) {
            no_answer += 1;
        } else if (r.status != 200) {
            other += 1;
        }
        accepted += r.accepted;
        sec.accepted += r.accepted;
        pthrottled += r.partial_throttled;
        sec.partial_throttled += r.partial_throttled;
        pfailed += r.partial_failed;
        for (int e = 0; e < r.events; ++e) {
            auto data = event_data(plan, static_cast<int64_t>(i) * plan.per_request + e);
            event_bytes += static_cast<int64_t>(data.size());
            if (r.accepted > 0)
                due_of[data].push_back(static_cast<double>(run.start_wall_ms) + r.due_us / 1000.0);
        }
    }

    // End-to-end latency and the function's measures from the scenario hooks' invocations.
    // Due times of one request's events are pushed in index order, and requests in due order
    // only roughly (workers race): sort each data's due times.
    for (auto& [data, dues] : due_of)
        std::sort(dues.begin(), dues.end());
    auto inv = analyse_invocations(o.invocations, o.function, run.start_wall_ms, secs.size() - 1,
                                   std::move(due_of));
    int64_t invocations = inv.invocations;
    // The status samples: iterator ages (maxima), counters (from the first sample on).
    const auto& samples = *o.samples;
    json first = samples.empty() ? json(nullptr) : flow_of(samples.front()["status"], o.event_type);
    json last = samples.empty() ? json(nullptr) : flow_of(samples.back()["status"], o.event_type);
    int64_t iter_age = 0, stream_age = 0, dlq_max = 0;
    json series = json::array();
    size_t n_series = std::max({secs.size() - 1, samples.size(), inv.seconds.size()});
    for (size_t s = 0; s < n_series; ++s) {
        json row{{"second", s}};
        if (s < secs.size()) {
            const auto& sec = secs[s];
            row["offered"] = sec.offered;
            row["accepted"] = sec.accepted;
            row["throttled_429"] = sec.throttled_429;
            row["server_errors"] = sec.server_errors;
            row["partial_throttled"] = sec.partial_throttled;
            row["request_p99_ms"] =
                sec.request_ms.empty() ? json(nullptr) : json(percentile(sec.request_ms, 99));
        }
        if (s < inv.seconds.size()) {
            const auto& is = inv.seconds[s];
            for (int pct : {50, 90, 99})
                row["latency_p" + std::to_string(pct) + "_ms"] =
                    is.latency_ms.empty() ? json(nullptr) : json(percentile(is.latency_ms, pct));
            row["invocations_started"] = is.invocations;
            row["invocation_errors"] = is.errors;
            row["retries"] = is.retries;
            row["records_per_invocation"] =
                is.invocations ? json(static_cast<double>(is.records) / is.invocations)
                               : json(nullptr);
            row["max_concurrency"] = is.max_concurrency;
            row["handler_p50_ms"] =
                is.handler_ms.empty() ? json(nullptr) : json(percentile(is.handler_ms, 50));
            row["handler_p99_ms"] =
                is.handler_ms.empty() ? json(nullptr) : json(percentile(is.handler_ms, 99));
        }
        if (s < samples.size()) {
            auto f = flow_of(samples[s]["status"], o.event_type);
            row["t_ms"] = samples[s]["t_ms"];
            row["iterator_age_ms"] = num(f, "iterator_age_ms");
            row["stream_iterator_age_ms"] = num(f, "get_records_iterator_age_ms");
            row["invocations"] = num(f, "invocations");
            row["errors"] = num(f, "errors");
            row["dlq_depth"] = num(f, "dlq_depth");
            row["dlq_messages"] = num(f, "dlq_depth") - num(first, "dlq_depth");
            row["lambda_throttles"] = num(f, "throttles");
            if (samples[s].contains("kemu")) {
                const auto& k = samples[s]["kemu"];
                row["kemu_rss_mb"] = k["rss_mb"];
                if (s > 0 && samples[s - 1].contains("kemu")) {
                    double dt =
                        (samples[s]["t_ms"].get<double>() - samples[s - 1]["t_ms"].get<double>()) /
                        1000.0;
                    if (dt > 0)
                        row["kemu_cpu_share"] = (k["cpu_s"].get<double>() -
                                                 samples[s - 1]["kemu"]["cpu_s"].get<double>()) /
                                                dt;
                }
            }
            iter_age = std::max(iter_age, num(f, "iterator_age_ms"));
            stream_age = std::max(stream_age, num(f, "get_records_iterator_age_ms"));
            dlq_max = std::max(dlq_max, num(f, "dlq_depth"));
        }
        series.push_back(std::move(row));
    }
    int64_t status_invocations = num(last, "invocations");
    int64_t errors = num(last, "errors");
    int64_t dlq = dlq_max - num(first, "dlq_depth");
    // Our own kemu starts at zero; a running one (--endpoint) is counted from the first sample.
    bool own = !o.invocations.is_null();
    if (!own) {
        status_invocations -= num(first, "invocations");
        errors -= num(first, "errors");
    }

    json summary;
    summary["duration_s"] = run_s;
    summary["requests"] = requests;
    summary["offered_events"] = offered;
    summary["accepted_events"] = accepted;
    summary["offered_rate"] = offered / run_s;
    summary["accepted_rate"] = accepted / run_s;
    summary["throttled_429_requests"] = r429;
    summary["server_error_requests"] = r5xx;
    summary["other_error_requests"] = other;
    summary["unanswered_requests"] = no_answer;
    summary["partial_throttled_records"] = pthrottled;
    summary["partial_failed_records"] = pfailed;
    int64_t throttled_events = pthrottled;
    for (const auto& r : run.requests)
        if (r.sent && r.status == 429) throttled_events += r.events;
    summary["throttled_ratio"] = offered ? static_cast<double>(throttled_events) / offered : 0.0;
    summary["late_requests"] = late;
    summary["request_latency_ms"] = percentiles(request_ms);
    summary["latency_to_handler_start_ms"] = percentiles(inv.to_start_ms);
    summary["latency_ms"] = percentiles(inv.to_end_ms);
    summary["events_processed"] = inv.events_processed;
    summary["iterator_age_ms"] = iter_age;
    summary["stream_iterator_age_ms"] = stream_age;
    summary["invocations"] = own ? invocations : status_invocations;
    summary["records_per_invocation"] =
        invocations ? json{{"mean", static_cast<double>(inv.records) / invocations},
                           {"max", inv.max_records}}
                    : json(nullptr);
    summary["retries"] = own ? json(inv.retries) : json(nullptr);
    summary["max_concurrency"] = own ? json(inv.max_concurrency) : json(nullptr);
    summary["handler_duration_ms"] = percentiles(inv.handler_ms);
    summary["errors"] = errors;
    summary["error_ratio"] =
        status_invocations > 0 ? static_cast<double>(errors) / status_invocations : 0.0;
    summary["lambda_throttles"] = num(last, "throttles");
    summary["dlq_messages"] = dlq;

    // The cost at the measured shape, scaled to the cost rate.
    Shape shape;
    double measured_rate = accepted / run_s;
    shape.events_per_s = o.cost_rate > 0 ? o.cost_rate : measured_rate;
    double scale = measured_rate > 0 ? shape.events_per_s / measured_rate : 0;
    shape.event_bytes = offered ? static_cast<double>(event_bytes) / offered : 0;
    shape.events_per_request = plan.per_request;
    shape.front_door = !plan.kinesis;
    shape.shards = std::max<int>(1, static_cast<int>(num(last, "open_shards")));
    shape.invocations_per_s = (own ? invocations : status_invocations) / run_s * scale;
    double handler_ms_total = 0;
    for (double ms : inv.handler_ms)
        handler_ms_total += ms;
    shape.handler_ms = invocations ? handler_ms_total / invocations : 0;
    shape.memory_mb = o.flow ? o.flow->lambda_memory_size : 128;
    shape.dlq_messages_per_s = dlq / run_s * scale;
    shape.alarms =
        last.is_object() && last.contains("alarms") ? static_cast<int>(last["alarms"].size()) : 0;
    const auto& prices = default_prices();
    auto est = estimate(shape, prices);
    json cost{{"note", "an estimate at list prices, not a bill"},
              {"region", prices.region},
              {"prices_as_of", prices.as_of},
              {"source", prices.source},
              {"events_per_s", shape.events_per_s},
              {"event_bytes", shape.event_bytes},
              {"events_per_request", shape.events_per_request},
              {"shards", shape.shards},
              {"lines", json::array()},
              {"total_usd_month", est.total_usd_month},
              {"lambda_arm64_usd_month", est.lambda_arm64_usd_month},
              {"kinesis_on_demand_usd_month", est.kinesis_on_demand_usd_month}};
    for (const auto& l : est.lines)
        cost["lines"].push_back(
            {{"service", l.service}, {"item", l.item}, {"usd_month", l.usd_month}});
    // API Gateway's fee by events per request, at the same event rate: batching is the lever.
    json by_batch = json::object();
    double per_month = shape.events_per_s * kHoursPerMonth * 3600;
    for (int k : {1, 10, 100, 500})
        by_batch[std::to_string(k)] = apigw_rest_usd(per_month / k, prices);
    cost["apigw_rest_usd_month_by_events_per_request"] = by_batch;
    return {{"summary", summary}, {"series", series}, {"cost", cost}};
}

std::map<std::string, double> threshold_values(const json& s) {
    std::map<std::string, double> v;
    if (s.contains("latency_ms") && s["latency_ms"].is_object()) {
        const auto& l = s["latency_ms"];
        v["p50_latency_ms"] = l["p50"];
        v["p90_latency_ms"] = l["p90"];
        v["p99_latency_ms"] = l["p99"];
        v["max_latency_ms"] = l["max"];
    }
    for (const char* k : {"iterator_age_ms", "stream_iterator_age_ms", "throttled_ratio",
                          "error_ratio", "accepted_rate", "dlq_messages"})
        if (s.contains(k) && s[k].is_number()) v[k] = s[k].get<double>();
    return v;
}

std::string summary_text(const json& results) {
    const auto& s = results["summary"];
    char buf[512];
    std::string out;
    std::snprintf(buf, sizeof buf,
                  "offered %.1f events/s, accepted %.1f events/s (%lld of %lld events); "
                  "429s %lld, 5xx %lld, PutRecords throttled %lld, failed %lld\n",
                  s["offered_rate"].get<double>(), s["accepted_rate"].get<double>(),
                  static_cast<long long>(s["accepted_events"].get<int64_t>()),
                  static_cast<long long>(s["offered_events"].get<int64_t>()),
                  static_cast<long long>(s["throttled_429_requests"].get<int64_t>()),
                  static_cast<long long>(s["server_error_requests"].get<int64_t>()),
                  static_cast<long long>(s["partial_throttled_records"].get<int64_t>()),
                  static_cast<long long>(s["partial_failed_records"].get<int64_t>()));
    out += buf;
    auto pct = [&](const char* name, const char* key) {
        const auto& l = s[key];
        if (!l.is_object()) {
            out += std::string(name) + ": not measured\n";
            return;
        }
        std::snprintf(buf, sizeof buf, "%s: p50 %.1f ms, p90 %.1f ms, p99 %.1f ms, max %.1f ms\n",
                      name, l["p50"].get<double>(), l["p90"].get<double>(), l["p99"].get<double>(),
                      l["max"].get<double>());
        out += buf;
    };
    pct("request latency", "request_latency_ms");
    pct("due -> handler end", "latency_ms");
    std::snprintf(buf, sizeof buf,
                  "iterator age max %lld ms (stream %lld ms); invocations %lld, errors %lld, "
                  "DLQ messages %lld\n",
                  static_cast<long long>(s["iterator_age_ms"].get<int64_t>()),
                  static_cast<long long>(s["stream_iterator_age_ms"].get<int64_t>()),
                  static_cast<long long>(s["invocations"].get<int64_t>()),
                  static_cast<long long>(s["errors"].get<int64_t>()),
                  static_cast<long long>(s["dlq_messages"].get<int64_t>()));
    out += buf;
    if (s["handler_duration_ms"].is_object() && s["records_per_invocation"].is_object()) {
        const auto& h = s["handler_duration_ms"];
        std::snprintf(buf, sizeof buf,
                      "function: %.1f records per invocation (max %lld), handler p50 %.1f ms, "
                      "p99 %.1f ms, max concurrency %lld, retries %lld\n",
                      s["records_per_invocation"]["mean"].get<double>(),
                      static_cast<long long>(s["records_per_invocation"]["max"].get<int64_t>()),
                      h["p50"].get<double>(), h["p99"].get<double>(),
                      static_cast<long long>(s.value("max_concurrency", int64_t{0})),
                      static_cast<long long>(s.value("retries", int64_t{0})));
        out += buf;
    }
    if (s.contains("kemu_cpu_share")) {
        std::snprintf(buf, sizeof buf, "kemu itself: %.0f%% of a core, peak %.0f MB resident\n",
                      100 * s["kemu_cpu_share"].get<double>(), s["kemu_peak_rss_mb"].get<double>());
        out += buf;
    }
    const auto& c = results["cost"];
    std::snprintf(buf, sizeof buf,
                  "cost estimate (not a bill; %s prices as of %s) at %.0f events/s: $%.2f/month "
                  "(API Gateway at 1/10/100 events per request: $%.0f/$%.0f/$%.0f)\n",
                  c["region"].get<std::string>().c_str(),
                  c["prices_as_of"].get<std::string>().c_str(), c["events_per_s"].get<double>(),
                  c["total_usd_month"].get<double>(),
                  c["apigw_rest_usd_month_by_events_per_request"]["1"].get<double>(),
                  c["apigw_rest_usd_month_by_events_per_request"]["10"].get<double>(),
                  c["apigw_rest_usd_month_by_events_per_request"]["100"].get<double>());
    out += buf;
    return out;
}

}  // namespace kemu::load
