// kinesis::Store with per-shard throughput limits on (and off).

#include "store_fixture.h"

TEST_CASE("with shard limits on, the 1001st record in a second is throttled", "[kinesis]") {
    Fixture f({.shard_limits = true});
    f.create(1);
    for (int i = 0; i < 1000; ++i)
        f.put("k");
    auto r = f.store->put(key(), {"k", std::nullopt, "x"});
    REQUIRE_FALSE(r);
    CHECK(r.error().code == AwsErrorCode::kProvisionedThroughputExceeded);
    CHECK(r.error().message ==
          "Rate exceeded for shard shardId-000000000000 in stream s1 under account 123456789012.");
    // PutRecords answers 200 with the throttled entries marked.
    auto batch = f.store->put_batch(key(), {{"k", std::nullopt, "a"}, {"k", std::nullopt, "b"}});
    REQUIRE(batch);
    CHECK(batch->failed == 2);
    CHECK(batch->records[0].error_code == "ProvisionedThroughputExceededException");
    f.clock.advance_ms(1000);  // a new second, a new allowance
    CHECK(f.store->put(key(), {"k", std::nullopt, "x"}));
}

TEST_CASE("with shard limits on, the sixth GetRecords in a second is throttled", "[kinesis]") {
    Fixture f({.shard_limits = true});
    f.create(1);
    f.put("k");
    std::string it = f.iterator("shardId-000000000000", {IteratorType::kTrimHorizon, {}, {}});
    for (int i = 0; i < 5; ++i)
        it = *f.read(it).next_iterator;
    auto r = f.store->get_records(it, 10);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == AwsErrorCode::kProvisionedThroughputExceeded);
    f.clock.advance_ms(1000);
    CHECK(f.store->get_records(it, 10));
}

TEST_CASE("without shard limits, a burst of writes is never throttled", "[kinesis]") {
    Fixture f;
    f.create(1);
    for (int i = 0; i < 3000; ++i)
        f.put("k");
    CHECK(f.all("shardId-000000000000").size() == 3000);
}

TEST_CASE("with shard limits on, a big GetRecords blocks reads for seconds, not for good",
          "[kinesis]") {
    // Read bytes drain at 2 MiB for every second that passed (docs/aws/kinesis.md, Limits), not 2
    // MiB per call.
    Fixture f({.shard_limits = true});
    f.create(1);
    for (int i = 0; i < 6; ++i) {
        f.put("k", std::string(1'000'000, 'x'));
        f.clock.advance_ms(1000);  // within the 1 MiB/s write limit
    }
    std::string it = f.iterator("shardId-000000000000", {IteratorType::kTrimHorizon, {}, {}});
    auto big = f.read(it);
    REQUIRE(big.records.size() == 6);
    SECTION("a second later it is still paying for 6 MB") {
        f.clock.advance_ms(1000);
        CHECK_FALSE(f.store->get_records(*big.next_iterator, 10));
    }
    SECTION("after an idle minute it is long paid off") {
        f.clock.advance_ms(60'000);
        CHECK(f.store->get_records(*big.next_iterator, 10));
    }
}
