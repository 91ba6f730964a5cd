#include "cloudwatch/cloudwatch.h"

namespace kemu::cloudwatch {

CloudWatch::CloudWatch(const Config& cfg, SamplerSources sources, Db* db, CloudWatchOptions options)
    : sampler_(std::move(sources)),
      history_(db, options.history),
      logs_(options.logs ? options.logs : std::make_shared<LogStore>()) {
    std::set<std::string> functions;
    for (const auto& f : sampler_.sources().functions)
        functions.insert(f.name);
    alarms_.build(cfg, functions, options.alarm_period_s);
}

void CloudWatch::tick(int64_t now_ms) {
    auto second = sampler_.tick();
    history_.add(now_ms, second);
    alarms_.tick(now_ms, second);
}

std::string CloudWatch::metrics_text(int64_t now_ms) const {
    Exposition out;
    out.aws_metrics(history_, now_ms);
    sampler_.render_own(out);
    for (const auto& [labels, h] : request_latency_.snapshot()) {
        out.histogram("kemu_http_request_duration_seconds",
                      "Requests on kemu's port by service and action: time from the request "
                      "read to the response handed back.",
                      labels, h);
    }
    return out.text();
}

}  // namespace kemu::cloudwatch
