// kinesis::Store: creating, describing and deleting streams, and the control plane's refusals
// with AWS's exact messages.

#include "store_fixture.h"

// ---- create / describe ---------------------------------------------------------------------

TEST_CASE("a new stream is CREATING without shards until the create delay has passed",
          "[kinesis]") {
    Fixture f({.create_delay_ms = 500});
    const int64_t t0 = f.clock.now_ms();
    f.create(3);

    auto d = f.describe();
    CHECK(d.status == StreamStatus::kCreating);
    CHECK(d.shards.empty());
    CHECK(d.open_shard_count == 0);
    CHECK(d.arn == "arn:aws:kinesis:us-east-1:123456789012:stream/s1");
    CHECK(d.retention_hours == 24);
    CHECK(d.creation_secs == (t0 - 2000) / 1000);

    // AWS: PutRecord on CREATING -> not found; GetShardIterator -> shard does not exist.
    auto put = f.store->put(key(), {"a", std::nullopt, "x"});
    CHECK(error_of(put) == AwsError{AwsErrorCode::kResourceNotFound,
                                    "Stream s1 under account 123456789012 not found."});
    auto it = f.store->get_shard_iterator(key(), "shardId-000000000000", {});
    CHECK(error_of(it) == AwsError{AwsErrorCode::kResourceNotFound,
                                   "Shard shardId-000000000000 " + where() + " does not exist"});

    f.clock.advance_ms(499);
    CHECK(f.describe().status == StreamStatus::kCreating);
    f.clock.advance_ms(1);
    d = f.describe();
    CHECK(d.status == StreamStatus::kActive);
    CHECK(d.open_shard_count == 3);
    REQUIRE(d.shards.size() == 3);

    const char* ranges[3][2] = {
        {"0", "113427455640312821154458202477256070484"},
        {"113427455640312821154458202477256070485", "226854911280625642308916404954512140969"},
        {"226854911280625642308916404954512140970", "340282366920938463463374607431768211455"}};
    for (int i = 0; i < 3; ++i) {
        const auto& s = d.shards[i];
        INFO("shard " << i);
        CHECK(s.index == i);
        CHECK_FALSE(s.parent);
        CHECK_FALSE(s.adjacent_parent);
        CHECK(s.open());
        CHECK(u128_to_string(s.range.start) == ranges[i][0]);
        CHECK(u128_to_string(s.range.end) == ranges[i][1]);
        CHECK(s.starting_sequence.size() == 56);
        auto p = decode_sequence(s.starting_sequence);
        REQUIRE(p);
        CHECK(p->version == 2);
        CHECK(p->shard_index == i);
        CHECK(p->seq_ix == 0);
        CHECK(p->shard_create_secs == (t0 - 2000) / 1000);
    }
}

TEST_CASE("describe lists a fresh stream with AWS's defaults", "[kinesis]") {
    Fixture f;
    f.create(2);
    auto d = f.describe();
    CHECK(d.name == "s1");
    CHECK(d.status == StreamStatus::kActive);
    CHECK(d.mode == StreamMode::kProvisioned);
    CHECK(d.retention_hours == 24);
    CHECK(d.shard_level_metrics.empty());
    CHECK_FALSE(d.encrypted);
    CHECK(d.open_shard_count == 2);
    auto list = f.store->list_streams(kAccount, kRegion);
    REQUIRE(list.size() == 1);
    CHECK(list[0].name == "s1");
    CHECK(f.store->list_streams(kAccount, "eu-west-1").empty());
    CHECK(f.store->list_streams("000000000000", kRegion).empty());
}

// ---- deletion -------------------------------------------------------------------------------

TEST_CASE("a deleted stream is DELETING, then gone, and its name can be reused", "[kinesis]") {
    Fixture f({.delete_delay_ms = 500});
    f.create(1);
    f.put("k", "old");
    auto it = f.iterator("shardId-000000000000", {IteratorType::kTrimHorizon, {}, {}});
    REQUIRE(f.store->delete_stream(key(), false));
    CHECK(f.describe().status == StreamStatus::kDeleting);
    CHECK(error_of(f.store->put(key(), {"k", std::nullopt, "x"})).code ==
          AwsErrorCode::kResourceNotFound);
    // AWS: GetRecords on DELETING is empty until the stream is gone.
    auto b = f.read(it);
    CHECK(b.records.empty());
    REQUIRE(f.store->delete_stream(key(), false));  // idempotent while DELETING
    f.clock.advance_ms(500);
    CHECK(error_of(f.store->describe_stream(key())) ==
          AwsError{AwsErrorCode::kResourceNotFound,
                   "Stream s1 under account 123456789012 not found."});
    CHECK(f.store->list_streams(kAccount, kRegion).empty());
    CHECK(error_of(f.store->get_records(it, 10)) ==
          AwsError{AwsErrorCode::kResourceNotFound,
                   "Shard shardId-000000000000 " + where() + " does not exist"});

    f.create(1);
    CHECK(f.all("shardId-000000000000").empty());
    // An iterator of the old stream does not read the new one.
    CHECK(error_of(f.store->get_records(it, 10)).code == AwsErrorCode::kResourceNotFound);
    CHECK(f.raw_record_count() == 0);
}

// ---- error texts ---------------------------------------------------------------------------

TEST_CASE("control-plane refusals carry AWS's exact messages", "[kinesis]") {
    Fixture f({.create_delay_ms = 500, .shard_limit = 5});
    SECTION("stream not found") {
        auto e = error_of(f.store->describe_stream(key("nope")));
        CHECK(e == AwsError{AwsErrorCode::kResourceNotFound,
                            "Stream nope under account 123456789012 not found."});
        e = error_of(f.store->split_shard(key("nope"), "shardId-000000000000", 5));
        CHECK(e.code == AwsErrorCode::kResourceNotFound);
        CHECK(e.message == "Stream nope under account 123456789012 not found.");
    }
    SECTION("already exists, in any state") {
        f.create(1);
        auto e = f.store->create_stream(key(), 1, std::nullopt, {});
        CHECK(error_of(e) == AwsError{AwsErrorCode::kResourceInUse,
                                      "Stream s1 under account 123456789012 already exists."});
        f.clock.advance_ms(500);
        e = f.store->create_stream(key(), 1, std::nullopt, {});
        CHECK(error_of(e).code == AwsErrorCode::kResourceInUse);
    }
    SECTION("account shard limit") {
        f.create(3);
        auto e = f.store->create_stream(key("s2"), 3, std::nullopt, {});
        CHECK(error_of(e) ==
              AwsError{AwsErrorCode::kLimitExceeded,
                       "This request would exceed the shard limit for the account 123456789012 in "
                       "us-east-1. Current shard count for the account: 3. Limit: 5. Number of "
                       "additional shards that would have resulted from this request: 3. Refer to "
                       "the AWS Service Limits page "
                       "(http://docs.aws.amazon.com/general/latest/gr/aws_service_limits.html) "
                       "for current limits and how to request higher limits."});
        // Another region has its own count.
        CHECK(f.store->create_stream({kAccount, "eu-west-1", "s2"}, 3, std::nullopt, {}));
    }
    SECTION("not ACTIVE") {
        f.create(1);
        auto e = f.store->split_shard(key(), "shardId-000000000000", 5);
        CHECK(
            error_of(e) ==
            AwsError{AwsErrorCode::kResourceInUse,
                     "Stream s1 under account 123456789012 not ACTIVE, instead in state CREATING"});
        auto m = f.store->update_shard_count(key(), 2);
        CHECK(error_of(m).message ==
              "Stream s1 under account 123456789012 not ACTIVE, instead in state CREATING");
    }
    SECTION("bad split key") {
        f.create(1);
        f.clock.advance_ms(500);
        for (u128 k : {u128{0}, u128{1}, kMaxHashKey}) {
            auto e = f.store->split_shard(key(), "shardId-000000000000", k);
            CHECK(error_of(e) ==
                  AwsError{AwsErrorCode::kInvalidArgument,
                           "NewStartingHashKey " + u128_to_string(k) +
                               " used in SplitShard() on shard shardId-000000000000 " + where() +
                               " is not both greater than one plus the shard's StartingHashKey 0 "
                               "and less than the shard's EndingHashKey " +
                               kMaxKey + "."});
        }
        CHECK(f.store->split_shard(key(), "shardId-000000000000", 2));
    }
    SECTION("unknown shard to split") {
        f.create(1);
        f.clock.advance_ms(500);
        auto e = f.store->split_shard(key(), "shardId-7", 5);
        CHECK(error_of(e) ==
              AwsError{AwsErrorCode::kResourceNotFound,
                       "Could not find shard shardId-000000000007 " + where() + "."});
        e = f.store->split_shard(key(), "2.14E4", 5);
        CHECK(error_of(e) == AwsError{AwsErrorCode::kResourceNotFound,
                                      "Could not find shard 2.14E4 " + where() + "."});
    }
    SECTION("split over the shard limit") {
        f.create(5);
        f.clock.advance_ms(500);
        auto e = f.store->split_shard(key(), "shardId-000000000000", 5);
        CHECK(error_of(e).code == AwsErrorCode::kLimitExceeded);
        CHECK_THAT(error_of(e).message,
                   Catch::Matchers::Contains("Current shard count for the account: 5. Limit: 5. "
                                             "Number of additional shards that would have "
                                             "resulted from this request: 1."));
    }
}
