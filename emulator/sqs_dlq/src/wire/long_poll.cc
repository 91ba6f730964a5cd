#include "long_poll.h"

#include <algorithm>

namespace kemu::sqs_dlq::wire {

void LongPoll::start(QueueStore& store, Scheduler& scheduler, int recheck_ms, std::string queue,
                     ReceiveRequest request, int64_t wait_ms, Finish finish) {
    auto poll = std::make_shared<LongPoll>(store, scheduler, recheck_ms);
    poll->queue_ = std::move(queue);
    poll->request_ = request;
    poll->remaining_ms_ = wait_ms;
    poll->finish_ = std::move(finish);
    poll->attempt(false);
}

void LongPoll::attempt(bool final) {
    std::lock_guard lock(mu_);
    if (done_) return;
    if (waiting_) {
        store_.cancel_wait(queue_, wait_id_);
        waiting_ = false;
    }
    std::function<void()> wake;
    if (!final) {
        // Runs on an edge thread, not the sender's: the sender stays quick, and no
        // poll ever waits on another poll's lock.
        wake = [self = shared_from_this()] {
            self->scheduler_.after(0, [self](bool shutting_down) { self->attempt(shutting_down); });
        };
    }
    uint64_t id = 0;
    auto r = store_.receive(queue_, request_, std::move(wake), &id);
    if (!r || !r->empty() || final) {
        done_ = true;
        finish_(std::move(r));
        return;
    }
    waiting_ = true;
    wait_id_ = id;
    if (!timer_pending_) schedule_recheck();
}

void LongPoll::schedule_recheck() {
    timer_pending_ = true;
    int64_t delay = std::min<int64_t>(recheck_ms_, remaining_ms_);
    scheduler_.after(delay, [self = shared_from_this(), delay](bool shutting_down) {
        bool final;
        {
            std::lock_guard l(self->mu_);
            self->timer_pending_ = false;
            self->remaining_ms_ -= delay;
            final = shutting_down || self->remaining_ms_ <= 0;
        }
        self->attempt(final);
    });
}

}  // namespace kemu::sqs_dlq::wire
