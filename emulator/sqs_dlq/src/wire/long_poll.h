#pragma once
// ReceiveMessage's long poll, without holding a thread: it registers a wake-up with the store
// (a send or a message made visible calls it) and re-checks on the edge's timers for messages
// whose delay or visibility timeout ran out. It answers as soon as one message is there, or
// empty when the wait runs out or the edge shuts down.

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "core/aws_error.h"
#include "core/http.h"
#include "sqs_dlq/queue_store.h"

namespace kemu::sqs_dlq::wire {

class LongPoll : public std::enable_shared_from_this<LongPoll> {
public:
    // Called once, with the messages (maybe none) or the store's error; under the poll's lock.
    using Finish = std::function<void(Result<std::vector<ReceivedMessage>>)>;

    // Receives from `queue` at once, then waits up to `wait_ms` as above, looking again every
    // `recheck_ms`.
    static void start(QueueStore& store, Scheduler& scheduler, int recheck_ms, std::string queue,
                      ReceiveRequest request, int64_t wait_ms, Finish finish);

    LongPoll(QueueStore& store, Scheduler& scheduler, int recheck_ms)
        : store_(store), scheduler_(scheduler), recheck_ms_(recheck_ms) {}

private:
    // One receive; `final` answers even when it finds nothing.
    void attempt(bool final);
    void schedule_recheck();  // REQUIRES: mu_ held

    QueueStore& store_;
    Scheduler& scheduler_;
    int recheck_ms_;
    std::string queue_;
    ReceiveRequest request_;
    Finish finish_;
    int64_t remaining_ms_ = 0;
    std::mutex mu_;
    bool done_ = false;
    bool waiting_ = false;
    bool timer_pending_ = false;
    uint64_t wait_id_ = 0;
};

}  // namespace kemu::sqs_dlq::wire
