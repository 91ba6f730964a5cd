// UpdateEventSourceMapping on a running mapping: the request's validation (mapping_update.h),
// lanes taking new batching settings at their next batch, and a mapping disabled, enabled and
// re-parallelized while records keep arriving, resuming from its checkpoints.

#include "lambda_runner/mapping_update.h"

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <regex>
#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "lambda_runner/event_source_mapping.h"
#include "lane.h"
#include "lane_fixture.h"

using namespace kemu;
using namespace kemu::lambda_runner;

namespace {

// Thread-safe: records each batch's sequence numbers (as ints).
class RecordingInvoker final : public Invoker {
public:
    InvokeResult invoke(const std::string& event) override {
        auto j = json::parse(event);
        std::vector<int> batch;
        for (const auto& r : j["Records"])
            batch.push_back(std::stoi(r["kinesis"]["sequenceNumber"].get<std::string>().substr(4)));
        std::lock_guard lock(mu_);
        batches_.push_back(batch);
        delivered_ += batch.size();
        cv_.notify_all();
        return {InvokeResult::Status::kOk, "null", "", "req", 1000};
    }
    bool wait_delivered(size_t n) {
        std::unique_lock lock(mu_);
        return cv_.wait_for(lock, std::chrono::seconds(10), [&] { return delivered_ >= n; });
    }
    size_t delivered() {
        std::lock_guard lock(mu_);
        return delivered_;
    }
    std::vector<int> all() {
        std::lock_guard lock(mu_);
        std::vector<int> out;
        for (const auto& b : batches_)
            out.insert(out.end(), b.begin(), b.end());
        return out;
    }

private:
    std::mutex mu_;
    std::condition_variable cv_;
    std::vector<std::vector<int>> batches_;
    size_t delivered_ = 0;
};

MappingSettings parse_ok(const std::string& body, const MappingSettings& current = {}) {
    MappingSettings out;
    MappingUpdateError err;
    INFO(body);
    REQUIRE(parse_mapping_update(body, current, &out, &err));
    return out;
}

MappingUpdateError parse_error(const std::string& body) {
    MappingSettings out;
    MappingUpdateError err;
    INFO(body);
    REQUIRE_FALSE(parse_mapping_update(body, {}, &out, &err));
    return err;
}

}  // namespace

TEST_CASE("an update body changes only the settings it names") {
    MappingSettings current;
    current.batch_size = 100;
    current.max_retry_attempts = 3;
    auto s = parse_ok(R"({"BatchSize":500,"Enabled":false,"ParallelizationFactor":4})", current);
    CHECK(s.batch_size == 500);
    CHECK_FALSE(s.enabled);
    CHECK(s.parallelization_factor == 4);
    CHECK(s.max_retry_attempts == 3);
    auto t = parse_ok(R"({"MaximumRetryAttempts":-1,"MaximumRecordAgeInSeconds":-1,)"
                      R"("BisectBatchOnFunctionError":true,"MaximumBatchingWindowInSeconds":300,)"
                      R"("FunctionName":"dev-orders-processor"})");
    CHECK(t.max_retry_attempts == -1);
    CHECK(t.bisect_on_error);
    CHECK(t.batch_window_seconds == 300);
    CHECK(parse_ok("") == MappingSettings{});
}

TEST_CASE("an out-of-range setting is refused with Lambda's validation message") {
    auto e = parse_error(R"({"BatchSize":20000})");
    CHECK(e.type == "ValidationException");
    CHECK(e.message ==
          "1 validation error detected: Value '20000' at 'batchSize' failed to "
          "satisfy constraint: Member must have value less than or equal to 10000");
    CHECK(parse_error(R"({"BatchSize":0})").message.ends_with("greater than or equal to 1"));
    CHECK(parse_error(R"({"ParallelizationFactor":11})").type == "ValidationException");
    CHECK(parse_error(R"({"MaximumBatchingWindowInSeconds":301})").type == "ValidationException");
    auto age = parse_error(R"({"MaximumRecordAgeInSeconds":30})");
    CHECK(age.type == "InvalidParameterValueException");
    CHECK(parse_error(R"({"TumblingWindowInSeconds":60})").type ==
          "InvalidParameterValueException");
    CHECK(parse_error(R"({"BatchSize":"ten"})").type == "SerializationException");
    CHECK(parse_error("[1]").type == "SerializationException");
}

TEST_CASE("mapping UUIDs are lowercase 8-4-4-4-12 and the same for the same flow") {
    auto a = mapping_uuid("arn:aws:lambda:us-east-1:1:function:f", "arn:aws:kinesis:s");
    CHECK(std::regex_match(a, std::regex("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-"
                                         "[0-9a-f]{12}")));
    CHECK(a == mapping_uuid("arn:aws:lambda:us-east-1:1:function:f", "arn:aws:kinesis:s"));
    CHECK(a != mapping_uuid("arn:aws:lambda:us-east-1:1:function:g", "arn:aws:kinesis:s"));
}

TEST_CASE("a lane takes a new batch size at its next batch") {
    Fixture f;
    f.config.batch_size = 2;
    LiveSettings live(settings_of(f.config));
    Lane lane(f.config, f.deps(), *f.checkpoints, f.sleeper, kShard, 0, false, &live);
    for (int i = 1; i <= 10; ++i)
        f.reader.add(kShard, i, f.clock.now_ms());
    REQUIRE(lane.fill());
    REQUIRE(lane.batch_ready());
    REQUIRE(lane.process_batch());
    auto s = live.get();
    s.batch_size = 5;
    live.set(s);
    f.drain(lane);
    auto batches = f.invoker.batches();
    REQUIRE(batches.size() == 3);
    CHECK(batches[0] == std::vector<int>{1, 2});
    CHECK(batches[1] == std::vector<int>{3, 4, 5, 6, 7});
    CHECK(batches[2] == std::vector<int>{8, 9, 10});
}

TEST_CASE("a disabled mapping stops invoking and resumes from its checkpoint when enabled") {
    Fixture f;
    f.config.idle_poll_ms = 10;
    RecordingInvoker invoker;
    MappingDeps deps{f.reader, invoker, &f.dlq, *f.db, f.clock, f.metrics};
    Mapping mapping(f.config, deps);
    f.reader.add(kShard, 1, f.clock.now_ms());
    f.reader.add(kShard, 2, f.clock.now_ms());
    mapping.start();
    REQUIRE(invoker.wait_delivered(2));

    auto s = mapping.settings();
    s.enabled = false;
    mapping.update(s);
    // Lanes stop at their next look; then records keep arriving and none is delivered.
    for (int i = 0; i < 100 && f.metrics.lanes.load() > 0; ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    REQUIRE(f.metrics.lanes.load() == 0);
    for (int i = 3; i <= 6; ++i)
        f.reader.add(kShard, i, f.clock.now_ms());
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    CHECK(invoker.delivered() == 2);

    s.enabled = true;
    s.parallelization_factor = 2;
    mapping.update(s);
    REQUIRE(invoker.wait_delivered(6));
    mapping.stop();
    auto all = invoker.all();
    std::sort(all.begin(), all.end());
    CHECK(all == std::vector<int>{1, 2, 3, 4, 5, 6});
    // Both lanes of the new factor checkpointed past what they were given.
    CHECK(f.cp(kShard, 0).has_value());
    CHECK(f.cp(kShard, 1).has_value());
}
