// kinesis::Store: split, merge and UpdateShardCount, and the lineage they leave.

#include "store_fixture.h"

// ---- resharding -----------------------------------------------------------------------------

TEST_CASE("split closes the parent, whose records stay readable to its end", "[kinesis]") {
    Fixture f({.update_delay_ms = 500});
    f.create(1);
    const int64_t t0 = f.clock.now_ms();
    f.put("k", "p1");
    f.put("k", "p2");
    f.clock.advance_ms(1'000);
    REQUIRE(f.store->split_shard(key(), "shardId-000000000000", 2));
    CHECK(f.describe().status == StreamStatus::kUpdating);
    // Writes during UPDATING still go to the parent.
    CHECK(f.put("k", "p3").shard_id == "shardId-000000000000");
    auto again = f.store->split_shard(key(), "shardId-000000000000", 5);
    CHECK(error_of(again) ==
          AwsError{AwsErrorCode::kResourceInUse,
                   "Stream s1 under account 123456789012 not ACTIVE, instead in state UPDATING"});

    f.clock.advance_ms(500);
    const int64_t closed_at = f.clock.now_ms();
    auto d = f.describe();
    CHECK(d.status == StreamStatus::kActive);
    REQUIRE(d.shards.size() == 3);
    CHECK(d.open_shard_count == 2);
    const auto& parent = d.shards[0];
    REQUIRE(parent.ending_sequence);
    auto end = decode_sequence(*parent.ending_sequence);
    REQUIRE(end);
    CHECK(end->seq_ix == 0x7fffffffffffffffULL);
    CHECK(end->shard_index == 0);
    CHECK(end->record_secs == closed_at / 1000);
    CHECK(d.shards[1].parent == 0);
    CHECK_FALSE(d.shards[1].adjacent_parent);
    CHECK(d.shards[2].parent == 0);
    CHECK(u128_to_string(d.shards[1].range.start) == "0");
    CHECK(u128_to_string(d.shards[1].range.end) == "1");
    CHECK(u128_to_string(d.shards[2].range.start) == "2");
    CHECK(u128_to_string(d.shards[2].range.end) == kMaxKey);
    for (int i : {1, 2}) {
        auto p = decode_sequence(d.shards[i].starting_sequence);
        REQUIRE(p);
        CHECK(p->shard_index == i);
        CHECK(p->shard_create_secs > (t0 - 2000) / 1000);
    }
    require_valid_lineage(d);

    // New writes go to the children.
    CHECK(f.put("k", "c", u128{1}).shard_id == "shardId-000000000001");
    CHECK(f.put("k", "c", kMaxHashKey).shard_id == "shardId-000000000002");

    using V = std::vector<std::string>;
    SECTION("read in one call") {
        auto b = f.read(f.iterator("shardId-000000000000", {IteratorType::kTrimHorizon, {}, {}}));
        CHECK(data_of(b.records) == V{"p1", "p2", "p3"});
        CHECK_FALSE(b.next_iterator);
        REQUIRE(b.child_shards.size() == 2);
        CHECK(b.child_shards[0].shard_id == "shardId-000000000001");
        CHECK(b.child_shards[0].parent_shards == V{"shardId-000000000000"});
        CHECK(u128_to_string(b.child_shards[0].range.end) == "1");
        CHECK(b.child_shards[1].shard_id == "shardId-000000000002");
        CHECK(b.child_shards[1].parent_shards == V{"shardId-000000000000"});
    }
    SECTION("read page by page") {
        auto b =
            f.read(f.iterator("shardId-000000000000", {IteratorType::kTrimHorizon, {}, {}}), 2);
        CHECK(data_of(b.records) == V{"p1", "p2"});
        REQUIRE(b.next_iterator);
        CHECK(b.child_shards.empty());
        auto b2 = f.read(*b.next_iterator, 2);
        CHECK(data_of(b2.records) == V{"p3"});
        CHECK_FALSE(b2.next_iterator);
        CHECK(b2.child_shards.size() == 2);
    }
    SECTION("LATEST on a closed shard drains at once") {
        auto b = f.read(f.iterator("shardId-000000000000", {IteratorType::kLatest, {}, {}}));
        CHECK(b.records.empty());
        CHECK_FALSE(b.next_iterator);
        CHECK(b.child_shards.size() == 2);
    }
    SECTION("a closed shard can no longer be split or merged") {
        auto e = error_of(f.store->split_shard(key(), "shardId-000000000000", 5));
        CHECK(e == AwsError{AwsErrorCode::kInvalidArgument,
                            "Shard shardId-000000000000 " + where() +
                                " has already been merged or split, and thus is not eligible for "
                                "merging or splitting."});
    }
}

TEST_CASE("merge closes both parents into one child naming them", "[kinesis]") {
    Fixture f;
    f.create(3);
    f.put("a", "s0");  // shard 0
    f.put("b", "s1");  // shard 1
    using V = std::vector<std::string>;

    auto e = error_of(f.store->merge_shards(key(), "shardId-000000000001", "shardId-000000000000"));
    CHECK(e == AwsError{AwsErrorCode::kInvalidArgument,
                        "Shards shardId-000000000001 and shardId-000000000000 " + where() +
                            " are not an adjacent pair of shards eligible for merging"});
    e = error_of(f.store->merge_shards(key(), "shardId-000000000000", "shardId-000000000002"));
    CHECK(e == AwsError{AwsErrorCode::kInvalidArgument,
                        "Shards shardId-000000000000 and shardId-000000000002 " + where() +
                            " are not an adjacent pair of shards eligible for merging"});

    f.clock.advance_ms(1'000);
    REQUIRE(f.store->merge_shards(key(), "shardId-000000000000", "shardId-000000000001"));
    auto d = f.describe();
    REQUIRE(d.shards.size() == 4);
    CHECK(d.open_shard_count == 2);
    CHECK_FALSE(d.shards[0].open());
    CHECK_FALSE(d.shards[1].open());
    CHECK(d.shards[0].closed_ms == d.shards[1].closed_ms);
    const auto& child = d.shards[3];
    CHECK(child.parent == 0);
    CHECK(child.adjacent_parent == 1);
    CHECK(child.range.start == 0);
    CHECK(u128_to_string(child.range.end) == "226854911280625642308916404954512140969");
    require_valid_lineage(d);

    CHECK(f.put("a", "c").shard_id == "shardId-000000000003");
    CHECK(f.put("b", "c").shard_id == "shardId-000000000003");

    for (const char* parent : {"shardId-000000000000", "shardId-000000000001"}) {
        INFO(parent);
        auto b = f.read(f.iterator(parent, {IteratorType::kTrimHorizon, {}, {}}));
        CHECK(b.records.size() == 1);
        CHECK_FALSE(b.next_iterator);
        REQUIRE(b.child_shards.size() == 1);
        CHECK(b.child_shards[0].shard_id == "shardId-000000000003");
        CHECK(b.child_shards[0].parent_shards == V{"shardId-000000000000", "shardId-000000000001"});
    }

    e = error_of(f.store->merge_shards(key(), "shardId-000000000001", "shardId-000000000002"));
    CHECK(e == AwsError{AwsErrorCode::kInvalidArgument,
                        "Shard shardId-000000000001 " + where() +
                            " has already been merged or split, and thus is not eligible for "
                            "merging or splitting."});
}

TEST_CASE("update_shard_count reaches the uniform split with valid lineage", "[kinesis]") {
    struct Step {
        int from;
        int to;
    };
    for (auto step : {Step{1, 2}, Step{2, 3}, Step{4, 2}, Step{3, 5}, Step{5, 3}}) {
        DYNAMIC_SECTION(step.from << " -> " << step.to) {
            Fixture f;
            f.create(step.from);
            const char* keys[] = {"a", "b", "e", "f", "1", "hello"};
            for (const char* k : keys)
                f.put(k, std::string("before-") + k);
            f.clock.advance_ms(1'000);
            auto before = f.store->update_shard_count(key(), step.to);
            REQUIRE(before);
            CHECK(*before == step.from);
            auto d = f.describe();
            CHECK(d.status == StreamStatus::kActive);
            CHECK(d.open_shard_count == step.to);
            require_uniform(d, step.to);
            require_valid_lineage(d);

            // Every key routes to an open shard; records written before stay readable.
            for (const char* k : keys) {
                auto r = f.put(k, "after");
                bool open = false;
                for (const auto& s : d.shards)
                    open = open || (shard_id(s.index) == r.shard_id && s.open());
                CHECK(open);
            }
            size_t old = 0;
            for (const auto& s : d.shards) {
                if (s.open()) continue;
                auto b =
                    f.read(f.iterator(shard_id(s.index), {IteratorType::kTrimHorizon, {}, {}}));
                old += b.records.size();
                CHECK_FALSE(b.next_iterator);
                CHECK_FALSE(b.child_shards.empty());
            }
            CHECK(old == std::size(keys));
        }
    }
}

TEST_CASE("update_shard_count refuses more than doubling or halving", "[kinesis]") {
    Fixture f;
    f.create(2);
    auto e = error_of(f.store->update_shard_count(key(), 5));
    CHECK(e == AwsError{AwsErrorCode::kLimitExceeded,
                        "UpdateShardCount cannot scale up over double your current open shard "
                        "count. Current open shard count: 2 Target shard count: 5"});
    auto same = f.store->update_shard_count(key(), 2);
    REQUIRE(same);
    CHECK(*same == 2);
    CHECK(f.describe().shards.size() == 2);
}
