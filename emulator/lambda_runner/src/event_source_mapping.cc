#include "lambda_runner/event_source_mapping.h"

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "checkpoints.h"
#include "core/log.h"
#include "kinesis/numbers.h"
#include "lane.h"

namespace kemu::lambda_runner {

struct Mapping::Impl final : Sleeper {
    MappingConfig config;
    MappingDeps deps;
    Checkpoints checkpoints;

    std::mutex mu;
    std::condition_variable cv;
    uint64_t generation = 0;  // bumped on every append and state change
    bool stopping = false;
    uint64_t subscription = 0;
    bool subscribed = false;

    struct Running {
        std::vector<std::thread> threads;
        int lanes_left = 0;
    };
    std::map<std::string, Running> running;  // by shard id; guarded by mu
    std::set<std::string> finished;          // guarded by mu
    std::thread manager;

    Impl(MappingConfig c, MappingDeps d)
        : config(std::move(c)), deps(d), checkpoints(d.db, config.function_name) {}

    // The back-off between retries, on the injected clock: it waits in slices of at most 20 ms
    // of real time, so a ManualClock moved past the end is seen at the next slice.
    bool sleep_ms(int64_t ms) override {
        const int64_t until_us = deps.clock.monotonic_us() + ms * 1000;
        std::unique_lock lock(mu);
        for (int64_t left_us; !stopping && (left_us = until_us - deps.clock.monotonic_us()) > 0;)
            cv.wait_for(lock, std::chrono::microseconds(std::min<int64_t>(left_us, 20'000)),
                        [&] { return stopping; });
        return !stopping;
    }

    void wake() {
        {
            std::lock_guard lock(mu);
            ++generation;
        }
        cv.notify_all();
    }

    void run_lane(std::string shard, int index, bool from_trim_horizon) {
        struct LaneGauge {  // the lanes gauge counts this thread while it runs
            std::atomic<int64_t>& lanes;
            explicit LaneGauge(std::atomic<int64_t>& l) : lanes(l) { ++lanes; }
            ~LaneGauge() { --lanes; }
        } running_lane(deps.metrics.lanes);
        Lane lane(config, deps, checkpoints, *this, shard, index, from_trim_horizon);
        try {
            while (true) {
                uint64_t seen;
                {
                    std::lock_guard lock(mu);
                    if (stopping) break;
                    seen = generation;
                }
                bool ok = lane.fill();
                if (ok && lane.final_due()) {
                    if (!lane.process_final()) break;
                    continue;
                }
                if (ok && lane.batch_ready()) {
                    if (!lane.process_batch()) break;
                    continue;
                }
                if (ok && lane.finished()) break;
                int64_t wait = config.idle_poll_ms;
                if (auto d = lane.window_deadline())
                    wait = std::clamp<int64_t>(*d - deps.clock.now_ms(), 1, wait);
                std::unique_lock lock(mu);
                cv.wait_for(lock, std::chrono::milliseconds(wait),
                            [&] { return stopping || generation != seen; });
            }
        } catch (const std::exception& e) {
            log_error("lambda", config.function_name + ": lane " + shard + "/" +
                                    std::to_string(index) + " stopped: " + e.what());
            return;
        }
        if (lane.finished()) {
            std::lock_guard lock(mu);
            if (--running[shard].lanes_left == 0) {
                checkpoints.set_done(shard);
                finished.insert(shard);
                ++generation;
                cv.notify_all();
            }
        }
    }

    // Starts lanes for shards whose parents are done. REQUIRES: mu held.
    void start_ready_shards(const std::vector<kinesis::ShardDesc>& shards) {
        std::set<int> listed;
        for (const auto& s : shards)
            listed.insert(s.index);
        auto done = [&](std::optional<int> parent) {
            if (!parent || !listed.count(*parent)) return true;  // none, or expired
            auto id = kinesis::shard_id(*parent);
            return finished.count(id) > 0 || checkpoints.done(id);
        };
        for (const auto& s : shards) {
            auto id = kinesis::shard_id(s.index);
            if (running.count(id) || finished.count(id)) continue;
            if (checkpoints.done(id)) {
                finished.insert(id);
                continue;
            }
            if (!done(s.parent) || !done(s.adjacent_parent)) continue;
            bool child = s.parent.has_value();
            auto& r = running[id];
            r.lanes_left = config.parallelization_factor;
            for (int lane = 0; lane < config.parallelization_factor; ++lane) {
                r.threads.emplace_back([this, id, lane, child] { run_lane(id, lane, child); });
            }
        }
    }

    void manage() {
        while (true) {
            auto shards = deps.reader.shards(config.stream);
            std::unique_lock lock(mu);
            if (stopping) return;
            if (shards) start_ready_shards(*shards);
            uint64_t seen = generation;
            cv.wait_for(lock, std::chrono::milliseconds(1000),
                        [&] { return stopping || generation != seen; });
            if (stopping) return;
        }
    }
};

Mapping::Mapping(MappingConfig config, MappingDeps deps)
    : impl_(std::make_unique<Impl>(std::move(config), deps)) {}

Mapping::~Mapping() {
    stop();
}

const MappingConfig& Mapping::config() const {
    return impl_->config;
}

void Mapping::start() {
    auto* impl = impl_.get();
    impl->subscription =
        impl->deps.reader.subscribe_to_appends(impl->config.stream, [impl] { impl->wake(); });
    impl->subscribed = true;
    impl->manager = std::thread([impl] { impl->manage(); });
}

void Mapping::stop() {
    auto* impl = impl_.get();
    {
        std::lock_guard lock(impl->mu);
        if (impl->stopping && !impl->manager.joinable()) return;
        impl->stopping = true;
    }
    impl->cv.notify_all();
    if (impl->subscribed) {
        impl->deps.reader.unsubscribe_from_appends(impl->subscription);
        impl->subscribed = false;
    }
    if (impl->manager.joinable()) impl->manager.join();
    std::vector<std::thread> threads;
    {
        std::lock_guard lock(impl->mu);
        for (auto& [id, r] : impl->running) {
            for (auto& t : r.threads)
                threads.push_back(std::move(t));
            r.threads.clear();
        }
    }
    for (auto& t : threads) {
        if (t.joinable()) t.join();
    }
}

}  // namespace kemu::lambda_runner
