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

MappingSettings settings_of(const MappingConfig& c) {
    return {c.batch_size,
            c.batch_window_seconds,
            c.max_retry_attempts,
            c.max_record_age_seconds,
            c.bisect_on_error,
            c.parallelization_factor,
            true};
}

void apply_settings(const MappingSettings& s, MappingConfig* c) {
    c->batch_size = s.batch_size;
    c->batch_window_seconds = s.batch_window_seconds;
    c->max_retry_attempts = s.max_retry_attempts;
    c->max_record_age_seconds = s.max_record_age_seconds;
    c->bisect_on_error = s.bisect_on_error;
    c->parallelization_factor = s.parallelization_factor;
}

namespace {

// Kinesis sequence numbers are decimal strings: the shorter is the smaller.
bool sequence_less(const std::string& a, const std::string& b) {
    return a.size() != b.size() ? a.size() < b.size() : a < b;
}

}  // namespace

struct Mapping::Impl final : Sleeper {
    MappingConfig config;
    MappingDeps deps;
    Checkpoints checkpoints;
    LiveSettings live;
    // Bumped when the lanes must stop and start again (parallelization, enabled); guarded by mu.
    uint64_t epoch = 0;
    uint64_t started_epoch = 0;  // the epoch the running lanes were started in (manager's)
    int lane_count = 0;          // parallelization factor of the running lanes; guarded by mu
    bool enabled = true;         // guarded by mu

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
        : config(std::move(c)),
          deps(d),
          checkpoints(d.db, config.function_name),
          live(settings_of(config)),
          lane_count(config.parallelization_factor) {}

    // The back-off between retries, on the injected clock: it waits in slices of at most 20 ms
    // of real time, so a ManualClock moved past the end is seen at the next slice.
    bool sleep_ms(int64_t ms) override { return sleep_in(ms, nullptr); }

    // `lane_epoch`: also cut short when the lanes are restarted.
    bool sleep_in(int64_t ms, const uint64_t* lane_epoch) {
        const int64_t until_us = deps.clock.monotonic_us() + ms * 1000;
        std::unique_lock lock(mu);
        auto cut = [&] { return stopping || (lane_epoch && *lane_epoch != epoch); };
        for (int64_t left_us; !cut() && (left_us = until_us - deps.clock.monotonic_us()) > 0;)
            cv.wait_for(lock, std::chrono::microseconds(std::min<int64_t>(left_us, 20'000)), cut);
        return !cut();
    }

    // A lane's sleeper: a restart of the lanes cuts its back-off short, as a stop does.
    struct LaneSleeper final : Sleeper {
        Impl& m;
        uint64_t epoch;
        LaneSleeper(Impl& impl, uint64_t e) : m(impl), epoch(e) {}
        bool sleep_ms(int64_t ms) override { return m.sleep_in(ms, &epoch); }
    };

    void wake() {
        {
            std::lock_guard lock(mu);
            ++generation;
        }
        cv.notify_all();
    }

    void run_lane(std::string shard, int index, bool from_trim_horizon, uint64_t lane_epoch) {
        struct LaneGauge {  // the lanes gauge counts this thread while it runs
            std::atomic<int64_t>& lanes;
            explicit LaneGauge(std::atomic<int64_t>& l) : lanes(l) { ++lanes; }
            ~LaneGauge() { --lanes; }
        } running_lane(deps.metrics.lanes);
        LaneSleeper sleeper(*this, lane_epoch);
        MappingConfig lane_config = config;
        lane_config.parallelization_factor = lane_count_for(lane_epoch);
        // A lane that fails (say its checkpoint cannot be written: a full disk) starts again
        // from its stored checkpoint after a pause, so its records are still delivered at
        // least once and none is skipped; a stop or restart of the lanes ends the pause.
        while (true) {
            try {
                run_lane_once(lane_config, sleeper, shard, index, from_trim_horizon, lane_epoch);
                return;
            } catch (const std::exception& e) {
                log_error("lambda", config.function_name + ": lane " + shard + "/" +
                                        std::to_string(index) + " failed (" + e.what() +
                                        "); it starts again from its checkpoint");
            }
            if (!sleep_in(kLaneRetryMs, &lane_epoch)) return;
        }
    }

    static constexpr int64_t kLaneRetryMs = 1000;

    // One run of a lane, until it finishes its shard or the lanes stop. Throws when storage
    // fails.
    void run_lane_once(const MappingConfig& lane_config, Sleeper& sleeper, const std::string& shard,
                       int index, bool from_trim_horizon, uint64_t lane_epoch) {
        Lane lane(lane_config, deps, checkpoints, sleeper, shard, index, from_trim_horizon, &live);
        while (true) {
            uint64_t seen;
            {
                std::lock_guard lock(mu);
                if (stopping || epoch != lane_epoch) return;
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
        if (lane.finished()) {
            std::lock_guard lock(mu);
            if (epoch != lane_epoch) return;
            // Stored first: should it fail, the lane runs again and ends here again.
            if (running[shard].lanes_left == 1) checkpoints.set_done(shard);
            if (--running[shard].lanes_left == 0) {
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
            r.lanes_left = lane_count;
            for (int lane = 0; lane < lane_count; ++lane) {
                r.threads.emplace_back(
                    [this, id, lane, child, e = epoch] { run_lane(id, lane, child, e); });
            }
        }
    }

    int lane_count_for(uint64_t) {
        std::lock_guard lock(mu);
        return lane_count;
    }

    // After an update that restarts the lanes: joins the old ones, moves the checkpoints to a
    // new lane count (each new lane starts at the lowest of the old lanes' checkpoints, so no
    // record is skipped; some may be delivered again, as AWS allows), and clears the running
    // set for start_ready_shards. REQUIRES: `lock` holds mu; it is released while joining.
    void restart_lanes(std::unique_lock<std::mutex>& lock,
                       const std::vector<kinesis::ShardDesc>& listed) {
        std::vector<std::thread> threads;
        std::set<std::string> shards;
        for (const auto& d : listed)
            shards.insert(kinesis::shard_id(d.index));
        for (auto& [id, r] : running) {
            shards.insert(id);
            for (auto& t : r.threads)
                threads.push_back(std::move(t));
        }
        running.clear();
        int old_count = lane_count;
        int new_count = live.get().parallelization_factor;
        started_epoch = epoch;
        lock.unlock();
        for (auto& t : threads) {
            if (t.joinable()) t.join();
        }
        if (new_count != old_count) {
            for (const auto& shard : shards) {
                std::optional<std::string> lowest;
                bool all = true;
                for (int l = 0; l < old_count; ++l) {
                    auto cp = checkpoints.get(shard, l);
                    if (!cp) all = false;
                    if (cp && (!lowest || sequence_less(*cp, *lowest))) lowest = cp;
                }
                if (!all || !lowest) continue;
                for (int l = 0; l < new_count; ++l)
                    checkpoints.set(shard, l, *lowest);
            }
        }
        lock.lock();
        lane_count = new_count;
    }

    void manage() {
        while (true) {
            auto shards = deps.reader.shards(config.stream);
            std::unique_lock lock(mu);
            if (stopping) return;
            if (started_epoch != epoch)
                restart_lanes(lock, shards ? *shards : std::vector<kinesis::ShardDesc>{});
            if (stopping) return;
            if (shards && enabled) start_ready_shards(*shards);
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

MappingSettings Mapping::settings() const {
    return impl_->live.get();
}

void Mapping::update(const MappingSettings& s) {
    auto* impl = impl_.get();
    {
        std::lock_guard lock(impl->mu);
        auto before = impl->live.get();
        impl->live.set(s);
        if (before.parallelization_factor != s.parallelization_factor ||
            before.enabled != s.enabled)
            ++impl->epoch;
        impl->enabled = s.enabled;
        ++impl->generation;
    }
    impl->cv.notify_all();
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
