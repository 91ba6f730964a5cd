#pragma once
// A lane driven by hand, shared by lane tests: a fake reader, a scripted invoker, a recording
// dead-letter sink and a ManualClock whose sleeps advance time. (lane_test.cc keeps its own
// copy for now; new lane tests include this.)

#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "core/clock.h"
#include "core/db.h"
#include "lane.h"
#include "support/result_printer.h"
#include "support/test_db.h"

namespace kemu::lambda_runner::test {

using json = nlohmann::json;

inline std::string seq(int n) {
    std::string s = std::to_string(n);
    return "4960" + std::string(52 - s.size(), '0') + s;
}

// One stream; shards hold records in order; iterators are "shard|position".
class FakeReader final : public kinesis::Reader {
public:
    struct Shard {
        std::vector<kinesis::Record> records;
        bool closed = false;
    };
    std::map<std::string, Shard> shards_by_id;

    void add(const std::string& shard, int n, int64_t arrival_ms, std::string pk = "pk",
             std::string data = "d") {
        shards_by_id[shard].records.push_back(
            {seq(n), arrival_ms, std::move(pk), std::move(data), false});
    }

    Result<std::vector<kinesis::ShardDesc>> shards(const kinesis::StreamKey&) override {
        std::vector<kinesis::ShardDesc> out;
        return out;
    }
    Result<std::string> get_shard_iterator(const kinesis::StreamKey&, std::string_view shard,
                                           const kinesis::IteratorStart& start) override {
        auto& s = shards_by_id[std::string(shard)];
        size_t pos = 0;
        switch (start.type) {
            case kinesis::IteratorType::kTrimHorizon:
                pos = 0;
                break;
            case kinesis::IteratorType::kLatest:
                pos = s.records.size();
                break;
            case kinesis::IteratorType::kAfterSequenceNumber:
                while (pos < s.records.size() &&
                       s.records[pos].sequence_number <= *start.sequence_number)
                    ++pos;
                break;
            case kinesis::IteratorType::kAtSequenceNumber:
                while (pos < s.records.size() &&
                       s.records[pos].sequence_number < *start.sequence_number)
                    ++pos;
                break;
            case kinesis::IteratorType::kAtTimestamp:
                while (pos < s.records.size() && s.records[pos].arrival_ms < *start.timestamp_ms)
                    ++pos;
                break;
        }
        return std::string(shard) + "|" + std::to_string(pos);
    }
    Result<kinesis::ReadBatch> get_records(std::string_view iterator, int limit) override {
        ++reads;
        auto bar = iterator.find('|');
        std::string shard(iterator.substr(0, bar));
        size_t pos = std::stoul(std::string(iterator.substr(bar + 1)));
        auto& s = shards_by_id[shard];
        kinesis::ReadBatch b;
        while (pos < s.records.size() && static_cast<int>(b.records.size()) < limit)
            b.records.push_back(s.records[pos++]);
        if (!(s.closed && pos >= s.records.size()))
            b.next_iterator = shard + "|" + std::to_string(pos);
        return b;
    }
    uint64_t subscribe_to_appends(const kinesis::StreamKey&, std::function<void()>) override {
        return 1;
    }
    void unsubscribe_from_appends(uint64_t) override {}
    int reads = 0;
};

// Answers each invocation with the next scripted result (the last one repeats), recording
// the events.
class ScriptedInvoker final : public Invoker {
public:
    std::vector<std::function<InvokeResult(const json&)>> script;
    std::vector<json> events;
    InvokeResult invoke(const std::string& event) override {
        auto j = json::parse(event);
        events.push_back(j);
        size_t i = std::min(events.size() - 1, script.size() - 1);
        auto r = script.empty() ? InvokeResult{} : script[i](j);
        if (r.status != InvokeResult::Status::kThrottled && r.request_id.empty())
            r.request_id = "req-" + std::to_string(events.size());
        return r;
    }
    // Sequence numbers of each invocation's records, as ints.
    std::vector<std::vector<int>> batches() const {
        std::vector<std::vector<int>> out;
        for (const auto& e : events) {
            std::vector<int> b;
            for (const auto& r : e["Records"])
                b.push_back(std::stoi(r["kinesis"]["sequenceNumber"].get<std::string>().substr(4)));
            out.push_back(b);
        }
        return out;
    }
};

inline InvokeResult ok(std::string payload = "null") {
    return {InvokeResult::Status::kOk, std::move(payload), "", "", 1000};
}
inline InvokeResult error() {
    return {InvokeResult::Status::kFunctionError,
            R"({"errorMessage":"boom","errorType":"ValueError","requestId":"x","stackTrace":[]})",
            "ValueError", "", 1000};
}
inline InvokeResult throttled() {
    return {InvokeResult::Status::kThrottled, "", "", "", 0};
}

class RecordingDeadLetterSink final : public sqs_dlq::DeadLetterSink {
public:
    std::vector<sqs_dlq::FailureRecord> records;
    Result<void> send(const sqs_dlq::FailureRecord& r) override {
        records.push_back(r);
        return {};
    }
};

class ClockSleeper final : public Sleeper {
public:
    explicit ClockSleeper(ManualClock& c) : clock(c) {}
    bool sleep_ms(int64_t ms) override {
        slept.push_back(ms);
        clock.advance_ms(ms);
        return true;
    }
    ManualClock& clock;
    std::vector<int64_t> slept;
};

struct Fixture {
    ManualClock clock{1'718'031'245'512};
    std::unique_ptr<Db> db;
    FakeReader reader;
    ScriptedInvoker invoker;
    RecordingDeadLetterSink dlq;
    FunctionMetrics metrics;
    ClockSleeper sleeper{clock};
    MappingConfig config;
    std::unique_ptr<Checkpoints> checkpoints;

    Fixture() {
        db = kemu::test::open_test_db();
        config.stream = {"111122223333", "eu-west-1", "events-order_created"};
        config.stream_arn = "arn:aws:kinesis:eu-west-1:111122223333:stream/events-order_created";
        config.function_name = "order-processor";
        config.function_arn = "arn:aws:lambda:eu-west-1:111122223333:function:order-processor";
        config.role_arn = "arn:aws:iam::111122223333:role/order-processor-role";
        config.starting_position = kinesis::IteratorType::kTrimHorizon;
        config.on_failure_queue = "dlq";
        checkpoints = std::make_unique<Checkpoints>(*db, config.function_name);
    }

    MappingDeps deps() { return {reader, invoker, &dlq, *db, clock, metrics}; }

    Lane lane(const std::string& shard = "shardId-000000000002", int index = 0) {
        return Lane(config, deps(), *checkpoints, sleeper, shard, index);
    }

    // Fills and processes until nothing is pending.
    void drain(Lane& l) {
        for (int i = 0; i < 1000; ++i) {
            REQUIRE(l.fill());
            if (l.pending() == 0) return;
            if (!l.batch_ready())
                clock.advance_ms(1000);
            else
                REQUIRE(l.process_batch());
        }
        FAIL("lane did not drain");
    }

    std::optional<std::string> cp(const std::string& shard = "shardId-000000000002", int lane = 0) {
        return checkpoints->get(shard, lane);
    }
};

inline const std::string kShard = "shardId-000000000002";

}  // namespace kemu::lambda_runner::test
