#pragma once
// kemu's own operator endpoints that need the whole system (not AWS APIs):
//   POST /_kemu/flows/{event_type}/replay   re-run each on-failure record of the flow's DLQ;
//                                           a replayed record's message is deleted
//   GET  /_kemu/alarms                      the module's alarms, DescribeAlarms-shaped, and
//                                           their state changes (AlarmHistory)
//   GET  /_kemu/status                      per flow: records in, iterator ages, invocations,
//                                           errors, throttles, DLQ depth, alarm states
//   GET  /_kemu/metrics                     Prometheus text: one series per AWS metric, with
//                                           CloudWatch's namespace, metric name, dimension and
//                                           statistic as labels

#include <memory>

#include "alarms.h"
#include "apigw/front_door.h"
#include "core/config.h"
#include "core/http.h"
#include "kinesis/store.h"
#include "processors.h"
#include "sqs/queue_store.h"

namespace kemu::cli {

std::shared_ptr<RequestHandler> make_admin_handler(const Config& cfg, Processors& processors,
                                                   kinesis::Store& store, sqs::QueueStore& queues,
                                                   std::shared_ptr<apigw::FrontDoor> front_door,
                                                   const Alarms& alarms);

}  // namespace kemu::cli
