// kinesis::Store: retention (expiry, trimming, changing the period) and restarts (what a
// reopened store keeps).

#include <random>

#include "store_fixture.h"

// ---- retention ------------------------------------------------------------------------------

TEST_CASE("records past the retention period are invisible and trim_expired deletes them",
          "[kinesis]") {
    Fixture f;
    f.create(1);
    const std::string sh = "shardId-000000000000";
    using V = std::vector<std::string>;
    const int64_t t_old = f.clock.now_ms();
    for (const char* d : {"o1", "o2", "o3"})
        f.put("k", d);
    f.clock.advance_ms(23 * 3'600'000LL);
    std::vector<PutResult> fresh;
    for (const char* d : {"n1", "n2"})
        fresh.push_back(f.put("k", d));
    f.clock.advance_ms(3'600'000);  // the old records are exactly 24 h old: still retained
    CHECK(f.all(sh).size() == 5);
    // Iterator positioned on the old records while they are still retained.
    auto early = f.iterator(sh, {IteratorType::kTrimHorizon, {}, {}});
    f.clock.advance_ms(1);  // now they are 24 h + 1 ms old

    CHECK(data_of(f.all(sh)) == V{"n1", "n2"});
    CHECK(data_of(f.read(early).records) == V{"n1", "n2"});
    auto at = f.iterator(sh, {IteratorType::kAtTimestamp, {}, t_old});
    CHECK(data_of(f.read(at).records) == V{"n1", "n2"});
    REQUIRE(f.raw_record_count() == 5);

    f.store->trim_expired();
    // The expired records are deleted (kemu may keep the newest expired one of a shard to carry
    // its sequence counter); the retained ones stay readable.
    CHECK(f.raw_record_count() <= 3);
    CHECK(f.raw_record_count() >= 2);
    auto recs = f.all(sh);
    REQUIRE(data_of(recs) == V{"n1", "n2"});
    CHECK(recs[0].sequence_number == fresh[0].sequence_number);
    CHECK(recs[1].sequence_number == fresh[1].sequence_number);
    // New records still number above the old ones.
    auto next = f.put("k", "n3");
    CHECK(next.sequence_number > fresh[1].sequence_number);
    CHECK(data_of(f.all(sh)) == V{"n1", "n2", "n3"});
}

TEST_CASE("a shard whose records all expired reads empty and keeps numbering upward", "[kinesis]") {
    Fixture f;
    f.create(1);
    const std::string sh = "shardId-000000000000";
    auto last = f.put("k", "old");
    f.clock.advance_ms(25 * 3'600'000LL);
    f.store->trim_expired();
    CHECK(f.all(sh).empty());
    auto latest = f.iterator(sh, {IteratorType::kLatest, {}, {}});
    auto next = f.put("k", "new");
    CHECK(next.sequence_number > last.sequence_number);
    CHECK(data_of(f.read(latest).records) == std::vector<std::string>{"new"});
}

TEST_CASE("decreasing retention hides older records at once", "[kinesis]") {
    Fixture f;
    f.create(1);
    REQUIRE(f.store->increase_retention(key(), 48));
    f.put("k", "old");
    f.clock.advance_ms(30 * 3'600'000LL);
    f.put("k", "new");
    CHECK(data_of(f.all("shardId-000000000000")) == std::vector<std::string>{"old", "new"});
    REQUIRE(f.store->decrease_retention(key(), 24));
    CHECK(f.describe().retention_hours == 24);
    CHECK(data_of(f.all("shardId-000000000000")) == std::vector<std::string>{"new"});
}

// AWS: increasing the retention never revives records that already expired.
TEST_CASE("increasing retention does not revive records that already expired", "[kinesis]") {
    Fixture f;
    f.create(1);
    const std::string sh = "shardId-000000000000";
    f.put("k", "e1");
    f.put("k", "e2");
    f.clock.advance_ms(25 * 3'600'000LL);
    CHECK(f.all(sh).empty());
    SECTION("after the periodic trim ran") {
        f.store->trim_expired();
        REQUIRE(f.store->increase_retention(key(), 48));
        CHECK(data_of(f.all(sh)) == std::vector<std::string>{});
    }
    SECTION("before the periodic trim ran") {
        REQUIRE(f.store->increase_retention(key(), 48));
        CHECK(data_of(f.all(sh)) == std::vector<std::string>{});
    }
}

TEST_CASE("a closed shard past the retention period is expired", "[kinesis]") {
    Fixture f;
    f.create(1);
    f.put("k", "old");
    REQUIRE(f.store->split_shard(key(), "shardId-000000000000", 2));
    REQUIRE(f.describe().shards.size() == 3);
    f.clock.advance_ms(24 * 3'600'000LL + 1);
    auto d = f.describe();
    REQUIRE(d.shards.size() == 2);
    CHECK(d.shards[0].index == 1);
    CHECK(d.shards[1].index == 2);
    auto e = error_of(f.store->get_shard_iterator(key(), "shardId-000000000000", {}));
    CHECK(e == AwsError{AwsErrorCode::kResourceNotFound,
                        "Shard shardId-000000000000 " + where() + " does not exist"});
}

// ---- restart --------------------------------------------------------------------------------

TEST_CASE("a restarted store keeps streams, records, iterators and sequence order", "[kinesis]") {
    TempDir dir;
    std::vector<PutResult> before;
    std::string iterator;
    std::string pending_iterator;
    int64_t stopped_at = 0;
    {
        Fixture f({.create_delay_ms = 10'000}, dir.path.string());
        f.create(2);
        f.clock.advance_ms(10'000);
        REQUIRE(f.describe().status == StreamStatus::kActive);
        for (const char* k : {"a", "b", "c", "d", "e", "f"})
            before.push_back(f.put(k, k));
        iterator = f.iterator("shardId-000000000000", {IteratorType::kTrimHorizon, {}, {}});
        f.create(1, "pending");  // still CREATING at shutdown
        stopped_at = f.clock.now_ms();
        f.db->flush();
    }
    Fixture f({.create_delay_ms = 10'000}, dir.path.string(), stopped_at + 1'000);
    auto d = f.describe();
    CHECK(d.status == StreamStatus::kActive);
    REQUIRE(d.shards.size() == 2);
    // A pending transition finishes on load.
    CHECK(f.describe("pending").status == StreamStatus::kActive);

    std::map<std::string, std::vector<std::string>> seqs;
    for (const auto& p : before)
        seqs[p.shard_id].push_back(p.sequence_number);
    auto b = f.read(iterator);
    REQUIRE(b.records.size() == seqs["shardId-000000000000"].size());
    for (size_t i = 0; i < b.records.size(); ++i) {
        CHECK(b.records[i].sequence_number == seqs["shardId-000000000000"][i]);
    }
    for (const char* k : {"a", "b", "c", "d", "e", "f"}) {
        auto r = f.put(k, "again");
        INFO(k << " -> " << r.shard_id);
        CHECK(r.sequence_number > seqs[r.shard_id].back());
        seqs[r.shard_id].push_back(r.sequence_number);
    }
    CHECK(f.all("shardId-000000000001").size() == seqs["shardId-000000000001"].size());
    // Creating another stream does not reuse the old one's records.
    f.create(1, "s2");
    f.clock.advance_ms(10'000);
    CHECK(f.all("shardId-000000000000", "s2").empty());
}

TEST_CASE("a reshard pending at shutdown completes on load", "[kinesis]") {
    TempDir dir;
    const u128 split_at = (u128{1} << 100) + 12345;  // needs all 128 bits persisted
    int64_t stopped_at = 0;
    {
        Fixture f({.update_delay_ms = 60'000}, dir.path.string());
        f.create(2);
        f.create(1, "s2");
        REQUIRE(f.store->split_shard(key(), "shardId-000000000000", split_at));
        REQUIRE(f.store->update_shard_count(key("s2"), 2));
        CHECK(f.describe().status == StreamStatus::kUpdating);
        CHECK(f.describe("s2").status == StreamStatus::kUpdating);
        stopped_at = f.clock.now_ms();
    }
    Fixture f({.update_delay_ms = 60'000}, dir.path.string(), stopped_at + 1'000);
    auto d = f.describe();
    CHECK(d.status == StreamStatus::kActive);
    REQUIRE(d.shards.size() == 4);
    CHECK(d.shards[2].range.end == split_at - 1);
    CHECK(d.shards[3].range.start == split_at);
    require_valid_lineage(d);
    auto d2 = f.describe("s2");
    CHECK(d2.status == StreamStatus::kActive);
    require_uniform(d2, 2);
    require_valid_lineage(d2);
}

TEST_CASE("numbering stays above trimmed records across a restart", "[kinesis]") {
    TempDir dir;
    PutResult last;
    int64_t stopped_at = 0;
    {
        Fixture f({}, dir.path.string());
        f.create(1);
        for (const char* d : {"a", "b", "c"})
            last = f.put("k", d);
        f.clock.advance_ms(25 * 3'600'000LL);
        f.store->trim_expired();
        stopped_at = f.clock.now_ms();
    }
    Fixture f({}, dir.path.string(), stopped_at + 1'000);
    CHECK(f.all("shardId-000000000000").empty());
    auto next = f.put("k", "d");
    CHECK(next.sequence_number > last.sequence_number);
    CHECK(data_of(f.all("shardId-000000000000")) == std::vector<std::string>{"d"});
}

// What keeps a long run's data dir bounded: trimming's range delete, once RocksDB has flushed
// and compacted (as it does by itself as writes go on), leaves no trimmed record on disk.
TEST_CASE("trimmed records are reclaimed from disk by compaction", "[kinesis]") {
    TempDir dir;
    Fixture f({}, dir.path.string());
    f.create(2);
    std::mt19937 random(7);  // incompressible data, so the files' sizes count the records
    std::string data(4096, '\0');
    for (int i = 0; i < 3000; ++i) {
        for (auto& c : data)
            c = static_cast<char>(random());
        f.put("k" + std::to_string(i), data);
    }
    auto sst_bytes = [&] {
        uint64_t n = 0;
        f.db->raw()->GetIntProperty(f.db->records(), "rocksdb.total-sst-files-size", &n);
        return n;
    };
    REQUIRE(f.db->raw()->Flush({}, f.db->records()).ok());
    CHECK(sst_bytes() > 10'000'000);

    f.clock.advance_ms(25 * 3'600'000LL);
    f.store->trim_expired();
    REQUIRE(f.db->raw()->Flush({}, f.db->records()).ok());
    REQUIRE(f.db->raw()->CompactRange({}, f.db->records(), nullptr, nullptr).ok());
    CHECK(f.raw_record_count() <= 2);  // at most the newest of each shard
    CHECK(sst_bytes() < 100'000);
}
