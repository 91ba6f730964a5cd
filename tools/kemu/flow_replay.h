#pragma once
// POST /_kemu/flows/{event_type}/replay: re-runs each on-failure record of the flow's DLQ
// (the records are read back from the stream by sequence range); a replayed record's message
// is deleted. One replay per flow at a time, on a thread of its own (invocations can take up
// to the function timeout, too long for an edge thread).

#include <mutex>
#include <set>
#include <string>

#include "core/config.h"
#include "core/http.h"
#include "kinesis/store.h"
#include "processors.h"
#include "sqs_dlq/queue_store.h"

namespace kemu::cli {

class FlowReplay {
public:
    FlowReplay(const Config& cfg, Processors& processors, kinesis::Store& store,
               sqs_dlq::QueueStore& queues)
        : cfg_(cfg), processors_(processors), store_(store), queues_(queues) {}
    // Answers through `respond`, once: 200 with the results, 404 (no such flow or processor),
    // 409 (no DLQ, or a replay of the flow already running).
    void start(const std::string& flow, Respond respond);

private:
    void run(const std::string& queue, const Processor* proc, const Respond& respond);

    const Config& cfg_;
    Processors& processors_;
    kinesis::Store& store_;
    sqs_dlq::QueueStore& queues_;
    std::mutex replaying_mu_;
    std::set<std::string> replaying_;  // flows with a replay running
};

// A JSON answer of kemu's own endpoints.
HttpResponse json_answer(int status, const std::string& body);

}  // namespace kemu::cli
