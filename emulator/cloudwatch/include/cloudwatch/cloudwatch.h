#pragma once
// CloudWatch as a running kemu holds it: the sampler over the services, the metric history,
// the module's alarms, the log store, and kemu's own request-latency histograms, with one
// `tick` a second and the Prometheus text of them all.

#include <cstdint>
#include <memory>
#include <set>
#include <string>

#include "cloudwatch/alarms.h"
#include "cloudwatch/histogram.h"
#include "cloudwatch/history.h"
#include "cloudwatch/log_store.h"
#include "cloudwatch/sampler.h"
#include "core/config.h"
#include "core/db.h"

namespace kemu::cloudwatch {

struct CloudWatchOptions {
    int alarm_period_s = 0;  // > 0: every alarm's period in seconds (0: the module's 60)
    HistoryOptions history;
    // The log store, when made beforehand (the Lambda runner's log sinks are wired to it before
    // the functions exist, and the functions before CloudWatch); null: CloudWatch makes one.
    std::shared_ptr<LogStore> logs;
};

class CloudWatch {
public:
    // `db` (may be null) persists the metric history. The alarms are built from `cfg` for the
    // functions among `sources.functions`.
    CloudWatch(const Config& cfg, SamplerSources sources, Db* db, CloudWatchOptions options = {});

    // Restores the persisted history; call once before the first tick.
    void load() { history_.load(); }
    // Once a second: one second's datapoints into the history, then the alarms.
    void tick(int64_t now_ms);
    // GET /_kemu/metrics: the AWS families (last 60 s of history), kemu's cumulative metrics,
    // and the request-latency histograms.
    std::string metrics_text(int64_t now_ms) const;

    const Alarms& alarms() const { return alarms_; }
    Alarms& alarms() { return alarms_; }  // SetAlarmState
    MetricHistory& history() { return history_; }
    LogStore& logs() { return *logs_; }
    // kemu_http_request_duration_seconds{service, action}: latency at the edge, request in to
    // response handed back.
    HistogramFamily& request_latency() { return request_latency_; }

private:
    Sampler sampler_;
    MetricHistory history_;
    Alarms alarms_;
    std::shared_ptr<LogStore> logs_;
    HistogramFamily request_latency_{{"service", "action"}};
};

}  // namespace kemu::cloudwatch
