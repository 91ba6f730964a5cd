// Long polls never miss a wake-up: a message sent while a poll is between "the queue is empty"
// and waiting must wake it, and a poll's stale registration must never cancel another's. The
// re-check timer would hide a lost wake-up, so these tests never let it fire.

#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <iterator>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "api_fixture.h"
#include "support/result_printer.h"

using namespace kemu;
using namespace kemu::sqs_dlq;
using namespace kemu::sqs_dlq::fixtures;

namespace {

// Runs only the immediate tasks (wake-ups) queued so far; keeps the timers.
size_t run_wake_ups(FakeScheduler& s) {
    std::vector<FakeScheduler::Task> now, later;
    for (auto& t : s.tasks)
        (t.delay_ms == 0 ? now : later).push_back(std::move(t));
    s.tasks = std::move(later);
    for (auto& t : now)
        t.fn(false);
    return now.size();
}

// A scheduler with a thread of its own for immediate tasks (wake-ups), as the edge runs them;
// timers are held until drain(), which answers them as at shutdown.
class WakeThread final : public Scheduler {
public:
    WakeThread() : thread_([this] { loop(); }) {}
    ~WakeThread() override { drain(); }

    void after(int64_t delay_ms, std::function<void(bool)> fn) override {
        std::lock_guard l(mu_);
        if (delay_ms == 0) {
            now_.push_back(std::move(fn));
        } else {
            held_.push_back(std::move(fn));
        }
        cv_.notify_all();
    }
    // Stops the thread, then runs the held timers as at shutdown.
    void drain() {
        {
            std::lock_guard l(mu_);
            if (stop_) return;
            stop_ = true;
            cv_.notify_all();
        }
        thread_.join();
        while (!now_.empty() || !held_.empty()) {
            std::vector<std::function<void(bool)>> tasks(std::make_move_iterator(now_.begin()),
                                                         std::make_move_iterator(now_.end()));
            now_.clear();
            for (auto& t : held_)
                tasks.push_back(std::move(t));
            held_.clear();
            for (auto& fn : tasks)
                fn(true);
        }
    }

private:
    void loop() {
        std::unique_lock l(mu_);
        while (true) {
            cv_.wait(l, [&] { return stop_ || !now_.empty(); });
            if (stop_) return;
            auto fn = std::move(now_.front());
            now_.pop_front();
            l.unlock();
            fn(false);
            l.lock();
        }
    }

    std::mutex mu_;
    std::condition_variable cv_;
    std::deque<std::function<void(bool)>> now_;
    std::vector<std::function<void(bool)>> held_;
    bool stop_ = false;
    std::thread thread_;
};

}  // namespace

TEST_CASE("a message sent while a long poll starts always wakes it", "[sqs][api][long_poll]") {
    Fixture f;
    f.call_json("CreateQueue", {{"QueueName", "q"}});
    WakeThread scheduler;
    ApiOptions options;
    options.long_poll_recheck_ms = 600'000;  // never: only a wake-up can answer
    auto api = make_api_handler(*f.store, scheduler, options);
    auto receive = f.json_request("ReceiveMessage", {{"QueueUrl", kUrl}, {"WaitTimeSeconds", 20}});
    auto send = f.json_request("SendMessage", {{"QueueUrl", kUrl}, {"MessageBody", "m"}});
    constexpr int kIterations = 1000;
    int answered = 0;
    for (int i = 0; i < kIterations; ++i) {
        std::mutex mu;
        std::condition_variable cv;
        std::optional<HttpResponse> out;
        // No Catch2 assertion off the test's thread: it is not thread-safe.
        std::thread sender([&] { api->handle(send, [](HttpResponse) {}); });
        api->handle(receive, [&](HttpResponse r) {
            std::lock_guard l(mu);
            out = std::move(r);
            cv.notify_all();
        });
        sender.join();
        std::unique_lock l(mu);
        if (!cv.wait_for(l, std::chrono::seconds(5), [&] { return out.has_value(); })) break;
        auto body = json::parse(out->body);
        if (!body.contains("Messages") || body["Messages"].size() != 1) break;
        ++answered;
        // Delete it, so each round starts from an empty queue.
        f.call_json("DeleteMessage",
                    {{"QueueUrl", kUrl}, {"ReceiptHandle", body["Messages"][0]["ReceiptHandle"]}});
    }
    scheduler.drain();
    CHECK(answered == kIterations);
}

TEST_CASE("a poll woken by its queue's deletion never cancels a later poll of the same name",
          "[sqs][api][long_poll]") {
    Fixture f;
    f.call_json("CreateQueue", {{"QueueName", "q"}});
    auto receive = f.json_request("ReceiveMessage", {{"QueueUrl", kUrl}, {"WaitTimeSeconds", 20}});
    std::optional<HttpResponse> first, second;
    f.api->handle(receive, [&](HttpResponse r) { first = std::move(r); });
    f.call_json("DeleteQueue", {{"QueueUrl", kUrl}});  // wakes the first poll (queued)
    f.call_json("CreateQueue", {{"QueueName", "q"}});
    f.api->handle(receive, [&](HttpResponse r) { second = std::move(r); });
    run_wake_ups(f.scheduler);  // the first poll looks again, on the new queue
    CHECK_FALSE(first);
    CHECK_FALSE(second);
    for (int i = 0; i < 2; ++i) {
        f.call_json("SendMessage", {{"QueueUrl", kUrl}, {"MessageBody", "m"}});
        while (run_wake_ups(f.scheduler) > 0) {
        }
    }
    REQUIRE(first);
    REQUIRE(second);
    CHECK(json::parse(second->body)["Messages"].size() == 1);
    f.scheduler.run_pending(true);
}
