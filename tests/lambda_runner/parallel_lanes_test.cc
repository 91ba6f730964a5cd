// The parallelization factor (docs/aws/lambda.md, Ordering and concurrency): N lanes per shard,
// a record's lane chosen by its partition key, each lane checkpointing and failing on its own,
// and shards × N concurrent invocations; AT_TIMESTAMP on a child shard; and the record age
// limit's on-failure records. Lanes
// are driven by hand (lane_fixture.h); a whole Mapping runs its threads on the same fakes.

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "core/encoding.h"
#include "lambda_runner/event_source_mapping.h"
#include "lane.h"
#include "lane_fixture.h"
#include "sqs_dlq/dead_letter_sink.h"

using namespace kemu;
using namespace kemu::lambda_runner;

namespace {

// A partition key whose lane is `lane` of `n` (the first of k0, k1, ... that hashes there).
std::string key_for_lane(int lane, int n, int skip = 0) {
    for (int i = 0;; ++i) {
        auto k = "k" + std::to_string(i);
        if (lane_hash(k) % static_cast<uint32_t>(n) != static_cast<uint32_t>(lane)) continue;
        if (skip-- == 0) return k;
    }
}

int seq_int(const json& record) {
    return std::stoi(record["kinesis"]["sequenceNumber"].get<std::string>().substr(4));
}

// Invocations from many lane threads at once: records them, and can hold each one until
// `hold_until` are in flight together (or a deadline passes).
class ConcurrentInvoker final : public Invoker {
public:
    int hold_until = 0;

    InvokeResult invoke(const std::string& event) override {
        std::unique_lock lock(mu_);
        auto j = json::parse(event);
        for (const auto& r : j["Records"])
            delivered_.push_back(seq_int(r));
        ++in_flight_;
        max_in_flight_ = std::max(max_in_flight_, in_flight_);
        cv_.notify_all();
        cv_.wait_for(lock, std::chrono::seconds(5), [&] { return in_flight_ >= hold_until; });
        // Once the lanes met, nothing more to wait for.
        hold_until = 0;
        --in_flight_;
        return {InvokeResult::Status::kOk, "null", "", "req", 1000};
    }
    std::vector<int> delivered() {
        std::lock_guard lock(mu_);
        return delivered_;
    }
    int max_in_flight() {
        std::lock_guard lock(mu_);
        return max_in_flight_;
    }
    // Waits (10 s at most) until `n` records were delivered.
    bool wait_delivered(size_t n) {
        std::unique_lock lock(mu_);
        return cv_.wait_for(lock, std::chrono::seconds(10), [&] { return delivered_.size() >= n; });
    }

private:
    std::mutex mu_;
    std::condition_variable cv_;
    std::vector<int> delivered_;
    int in_flight_ = 0;
    int max_in_flight_ = 0;
};

MappingConfig mapping_config(const Fixture& f, int parallelization) {
    MappingConfig c = f.config;
    c.parallelization_factor = parallelization;
    c.idle_poll_ms = 10;
    return c;
}

}  // namespace

TEST_CASE("each partition key stays in one lane and in order with 1, 2 and 10 lanes", "[lambda]") {
    for (int n : {1, 2, 10}) {
        INFO("parallelization factor " << n);
        Fixture f;
        f.config.parallelization_factor = n;
        f.config.batch_size = 7;
        for (int i = 1; i <= 90; ++i)
            f.reader.add(kShard, i, f.clock.now_ms(), "k" + std::to_string((i * 7) % 15));
        f.invoker.script = {[](const json&) { return ok(); }};
        std::map<std::string, std::vector<int>> by_key;
        std::map<std::string, int> lane_of_key;
        std::set<int> lanes_used;
        std::vector<int> all;
        for (int lane = 0; lane < n; ++lane) {
            f.invoker.events.clear();
            auto l = f.lane(kShard, lane);
            f.drain(l);
            for (const auto& e : f.invoker.events) {
                for (const auto& r : e["Records"]) {
                    auto pk = r["kinesis"]["partitionKey"].get<std::string>();
                    by_key[pk].push_back(seq_int(r));
                    all.push_back(seq_int(r));
                    auto [it, fresh] = lane_of_key.emplace(pk, lane);
                    CHECK(it->second == lane);  // a key never shows up in two lanes
                    lanes_used.insert(lane);
                }
            }
            if (n == 1) {  // one lane: the shard's order
                std::vector<int> expected(90);
                for (int i = 0; i < 90; ++i)
                    expected[i] = i + 1;
                CHECK(all == expected);
            }
        }
        std::sort(all.begin(), all.end());
        CHECK(all.size() == 90);
        CHECK(std::adjacent_find(all.begin(), all.end()) == all.end());  // each once
        for (const auto& [k, seqs] : by_key)
            CHECK(std::is_sorted(seqs.begin(), seqs.end()));
        if (n > 1) CHECK(lanes_used.size() > 1);  // the keys spread over the lanes
    }
}

TEST_CASE("a failing batch blocks only its own lane", "[lambda]") {
    Fixture f;
    f.config.parallelization_factor = 2;
    f.config.batch_size = 1;
    f.config.max_retry_attempts = 2;
    auto a = key_for_lane(0, 2), b = key_for_lane(1, 2);
    f.reader.add(kShard, 1, f.clock.now_ms(), a, "poison");
    f.reader.add(kShard, 2, f.clock.now_ms(), b);
    f.reader.add(kShard, 3, f.clock.now_ms(), a);
    f.reader.add(kShard, 4, f.clock.now_ms(), b);
    f.reader.add(kShard, 5, f.clock.now_ms(), b);
    f.invoker.script = {[](const json& e) {
        for (const auto& r : e["Records"]) {
            if (r["kinesis"]["data"] == base64_encode("poison")) return error();
        }
        return ok();
    }};

    // While lane 0 backs off from its poison record, lane 1 runs to its end.
    struct OtherLaneSleeper final : Sleeper {
        Fixture& f;
        bool ran = false;
        std::vector<std::vector<int>> other_batches;
        std::optional<std::string> blocked_checkpoint, other_checkpoint;
        explicit OtherLaneSleeper(Fixture& fx) : f(fx) {}
        bool sleep_ms(int64_t ms) override {
            f.clock.advance_ms(ms);
            if (ran) return true;
            ran = true;
            size_t before = f.invoker.events.size();
            auto other = f.lane(kShard, 1);
            f.drain(other);
            auto all = f.invoker.batches();
            other_batches.assign(all.begin() + static_cast<std::ptrdiff_t>(before), all.end());
            blocked_checkpoint = f.cp(kShard, 0);
            other_checkpoint = f.cp(kShard, 1);
            return true;
        }
    } sleeper{f};
    Lane blocked(f.config, f.deps(), *f.checkpoints, sleeper, kShard, 0);
    REQUIRE(blocked.fill());
    REQUIRE(blocked.batch_ready());
    REQUIRE(blocked.process_batch());  // the poison record: 3 attempts, then the DLQ

    REQUIRE(sleeper.ran);
    CHECK(sleeper.other_batches == std::vector<std::vector<int>>{{2}, {4}, {5}});
    CHECK(sleeper.other_checkpoint == seq(5));
    CHECK_FALSE(sleeper.blocked_checkpoint.has_value());  // lane 0 had not moved
    REQUIRE(f.dlq.records.size() == 1);
    CHECK(f.dlq.records[0].start_sequence_number == seq(1));
    CHECK(f.dlq.records[0].approximate_invoke_count == 3);
    f.drain(blocked);  // then lane 0 goes on with record 3
    CHECK(f.invoker.batches().back() == std::vector<int>{3});
    CHECK(f.cp(kShard, 0) == seq(3));
    CHECK(f.cp(kShard, 1) == seq(5));
}

TEST_CASE("each lane's checkpoint survives a restart of the mapping", "[lambda]") {
    Fixture f;
    auto config = mapping_config(f, 2);
    std::vector<std::string> keys = {key_for_lane(0, 2), key_for_lane(1, 2), key_for_lane(0, 2, 1),
                                     key_for_lane(1, 2, 1)};
    std::map<int, int> lane_of;  // sequence -> lane
    auto add = [&](int from, int to) {
        for (int i = from; i <= to; ++i) {
            const auto& k = keys[i % keys.size()];
            f.reader.add(kShard, i, f.clock.now_ms(), k);
            lane_of[i] = static_cast<int>(lane_hash(k) % 2);
        }
    };
    add(1, 20);
    {
        ConcurrentInvoker invoker;
        MappingDeps deps{f.reader, invoker, &f.dlq, *f.db, f.clock, f.metrics};
        Mapping m(config, deps);
        m.start();
        REQUIRE(invoker.wait_delivered(20));
        m.stop();
        auto got = invoker.delivered();
        std::sort(got.begin(), got.end());
        CHECK(got.size() == 20);
    }
    // Each lane checkpointed its own last record.
    for (int lane = 0; lane < 2; ++lane) {
        int last = 0;
        for (const auto& [s, l] : lane_of)
            if (l == lane) last = s;
        CHECK(f.cp(kShard, lane) == seq(last));
    }
    add(21, 30);
    ConcurrentInvoker invoker;
    MappingDeps deps{f.reader, invoker, &f.dlq, *f.db, f.clock, f.metrics};
    Mapping again(config, deps);
    again.start();
    REQUIRE(invoker.wait_delivered(10));
    // Each lane delivers in order, so a replay would have come before the new records.
    again.stop();
    auto got = invoker.delivered();
    std::sort(got.begin(), got.end());
    std::vector<int> expected;
    for (int i = 21; i <= 30; ++i)
        expected.push_back(i);
    CHECK(got == expected);
}

TEST_CASE("a mapping invokes shards times the parallelization factor at once", "[lambda]") {
    Fixture f;
    auto config = mapping_config(f, 2);
    for (const std::string shard : {"shardId-000000000000", "shardId-000000000001"}) {
        f.reader.add(shard, 1, f.clock.now_ms(), key_for_lane(0, 2));
        f.reader.add(shard, 2, f.clock.now_ms(), key_for_lane(1, 2));
    }
    ConcurrentInvoker invoker;
    invoker.hold_until = 4;  // each invocation waits for the other lanes' first ones
    MappingDeps deps{f.reader, invoker, &f.dlq, *f.db, f.clock, f.metrics};
    Mapping m(config, deps);
    m.start();
    REQUIRE(invoker.wait_delivered(4));
    CHECK(f.metrics.lanes == 4);  // the gauge kemu status and /_kemu/metrics show
    m.stop();
    CHECK(invoker.max_in_flight() == 4);
    CHECK(f.metrics.lanes == 0);
}

TEST_CASE("records past the age limit go to the DLQ with the attempts made before they expired",
          "[lambda]") {
    Fixture f;
    f.config.max_record_age_seconds = 60;
    f.config.max_retry_attempts = -1;
    f.config.batch_size = 10;
    int64_t now = f.clock.now_ms();
    for (int i = 1; i <= 3; ++i)
        f.reader.add(kShard, i, now - 30'000);
    for (int i = 4; i <= 5; ++i)
        f.reader.add(kShard, i, now);
    f.invoker.script = {[](const json&) { return error(); }};
    auto l = f.lane();
    f.drain(l);
    // Attempts at 0, 1, 3, 7 and 15 s; at 31 s records 1-3 are 61 s old and leave, 4-5 are
    // tried a sixth time, and at 63 s they are past the limit too.
    REQUIRE(f.dlq.records.size() == 2);
    auto first = json::parse(sqs_dlq::failure_record_json(f.dlq.records[0]));
    CHECK(first["requestContext"]["condition"] == "RecordAgeExceeded");
    CHECK(first["requestContext"]["approximateInvokeCount"] == 5);
    CHECK(first["requestContext"]["requestId"] == "req-5");  // the last attempt's
    CHECK_FALSE(first.contains("responseContext"));
    CHECK(first["KinesisBatchInfo"]["batchSize"] == 3);
    CHECK(first["KinesisBatchInfo"]["startSequenceNumber"] == seq(1));
    CHECK(first["KinesisBatchInfo"]["endSequenceNumber"] == seq(3));
    auto second = json::parse(sqs_dlq::failure_record_json(f.dlq.records[1]));
    CHECK(second["requestContext"]["condition"] == "RecordAgeExceeded");
    CHECK(second["requestContext"]["approximateInvokeCount"] == 6);
    CHECK_FALSE(second.contains("responseContext"));
    CHECK(second["KinesisBatchInfo"]["batchSize"] == 2);
    CHECK(f.invoker.events.size() == 6);
    CHECK(f.cp() == seq(5));

    // Records already too old at their first attempt: approximateInvokeCount 1, no attempt.
    Fixture g;
    g.config.max_record_age_seconds = 60;
    g.reader.add(kShard, 1, g.clock.now_ms() - 60'001);
    g.invoker.script = {[](const json&) { return error(); }};
    auto gl = g.lane();
    g.drain(gl);
    REQUIRE(g.dlq.records.size() == 1);
    auto only = json::parse(sqs_dlq::failure_record_json(g.dlq.records[0]));
    CHECK(only["requestContext"]["condition"] == "RecordAgeExceeded");
    CHECK(only["requestContext"]["approximateInvokeCount"] == 1);
    CHECK_FALSE(only.contains("responseContext"));
    CHECK(g.invoker.events.empty());
}

TEST_CASE("AT_TIMESTAMP applies to a child shard too, which is otherwise read from its start",
          "[lambda]") {
    Fixture f;
    int64_t stamp = f.clock.now_ms() - 10'000;
    const std::string child = "shardId-000000000003";
    f.reader.add(child, 1, stamp - 1);
    f.reader.add(child, 2, stamp);
    f.reader.add(child, 3, stamp + 1);
    f.invoker.script = {[](const json&) { return ok(); }};
    f.config.starting_position = kinesis::IteratorType::kAtTimestamp;
    f.config.starting_timestamp_ms = stamp;
    Lane stamped(f.config, f.deps(), *f.checkpoints, f.sleeper, child, 0, true);
    f.drain(stamped);
    CHECK(f.invoker.batches() == std::vector<std::vector<int>>{{2, 3}});

    Fixture g;
    g.reader.add(child, 1, stamp - 1);
    g.invoker.script = {[](const json&) { return ok(); }};
    g.config.starting_position = kinesis::IteratorType::kLatest;
    Lane latest(g.config, g.deps(), *g.checkpoints, g.sleeper, child, 0, true);
    g.drain(latest);
    CHECK(g.invoker.batches() == std::vector<std::vector<int>>{{1}});
}
