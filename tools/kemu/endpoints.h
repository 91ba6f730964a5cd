#pragma once
// kemu's own endpoints, one router for everything under /_kemu/ (not AWS APIs):
//   GET  /_kemu/health                      {"status":"ok","version":...,"services":[...]}
//   GET  /_kemu/metrics                     Prometheus text (cloudwatch/exposition.h): the AWS
//                                           metrics named as the CloudWatch exporters name
//                                           them, kemu's counters and latency histograms
//   GET  /_kemu/alarms                      the module's alarms, DescribeAlarms-shaped, and
//                                           their state changes (AlarmHistory)
//   GET  /_kemu/status                      per flow: records in, iterator ages, invocations,
//                                           errors, throttles, DLQ depth, alarm states
//   POST /_kemu/flows/{event_type}/replay   flow_replay.h
//   GET  /_kemu/sqs/queues[/{name}/messages] the queues' depths and a peek (sqs_dlq/api.h)
//   /_kemu/console, /_kemu/streams/..., /_kemu/logs, POST /_kemu/console/send   console.h
//   /_kemu/scenario/...                     only with `kemu up --scenario-hooks`
//                                           (scenario/hooks.h)
// Anything else under /_kemu/ is 404 {"message":"no such kemu endpoint"}.

#include <memory>

#include "cloudwatch/cloudwatch.h"
#include "console.h"
#include "core/clock.h"
#include "core/config.h"
#include "core/http.h"
#include "kinesis/store.h"
#include "processors.h"
#include "scenario/hooks.h"
#include "sqs_dlq/queue_store.h"

namespace kemu::cli {

std::shared_ptr<RequestHandler> make_kemu_endpoints(
    const Config& cfg, Processors& processors, kinesis::Store& store, sqs_dlq::QueueStore& queues,
    const cloudwatch::CloudWatch& cloudwatch, const Clock& clock, scenario::Hooks* hooks = nullptr,
    ConsoleDeps console = {});

}  // namespace kemu::cli
