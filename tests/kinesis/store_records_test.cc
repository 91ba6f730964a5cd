// kinesis::Store: appends (routing, sequence numbers), iterators, reads and iterator tokens.

#include "store_fixture.h"

// ---- appends --------------------------------------------------------------------------------

TEST_CASE("records route by the MD5 of their partition key or their explicit hash key",
          "[kinesis]") {
    Fixture f;
    f.create(3);
    CHECK(f.put("a").shard_id == "shardId-000000000000");
    CHECK(f.put("b").shard_id == "shardId-000000000001");
    CHECK(f.put("e").shard_id == "shardId-000000000002");
    CHECK(f.put("f").shard_id == "shardId-000000000001");
    CHECK(f.put("1").shard_id == "shardId-000000000002");
    CHECK(f.put("hello").shard_id == "shardId-000000000001");
    u128 w = kMaxHashKey / 3;  // floor(2^128 / 3), since 2^128 is not a multiple of 3
    CHECK(f.put("a", "x", kMaxHashKey).shard_id == "shardId-000000000002");
    CHECK(f.put("a", "x", w * 2 - 1).shard_id == "shardId-000000000001");
    CHECK(f.put("a", "x", w * 2).shard_id == "shardId-000000000002");
    CHECK(f.put("e", "x", u128{0}).shard_id == "shardId-000000000000");
}

TEST_CASE("sequence numbers are 56 digits and strictly increase per shard", "[kinesis]") {
    Fixture f;
    f.create(3);
    std::map<std::string, std::vector<std::string>> by_shard;
    const char* keys[] = {"a", "b", "e", "f", "1", "hello", "zz", "q"};
    for (int round = 0; round < 4; ++round) {
        for (const char* k : keys) {
            auto r = f.put(k);
            CHECK(r.sequence_number.size() == 56);
            auto p = decode_sequence(r.sequence_number);
            REQUIRE(p);
            CHECK(shard_id(p->shard_index) == r.shard_id);
            by_shard[r.shard_id].push_back(r.sequence_number);
        }
        f.clock.advance_ms(round == 1 ? 1500 : 3);
    }
    for (const auto& [shard, seqs] : by_shard) {
        INFO(shard);
        auto start = f.describe().shards[parse_shard_id(shard).value()].starting_sequence;
        CHECK(seqs.front() > start);  // same width: text order is numeric order
        for (size_t i = 1; i < seqs.size(); ++i)
            CHECK(seqs[i - 1] < seqs[i]);
    }
    // Reads return them in the same order.
    for (const auto& [shard, seqs] : by_shard) {
        auto recs = f.all(shard);
        REQUIRE(recs.size() == seqs.size());
        for (size_t i = 0; i < seqs.size(); ++i)
            CHECK(recs[i].sequence_number == seqs[i]);
    }
}

TEST_CASE("a batch routes in request order and shards of one group share consecutive indexes",
          "[kinesis]") {
    Fixture f;
    f.create(3);
    u128 w = kMaxHashKey / 3;
    std::vector<PutInput> in = {{"a", std::nullopt, ""}, {"b", std::nullopt, ""},
                                {"e", std::nullopt, ""}, {"f", std::nullopt, ""},
                                {"a", kMaxHashKey, ""},  {"a", w * 2 - 1, ""},
                                {"a", w * 2, ""}};
    auto r = f.store->put_batch(key(), in);
    REQUIRE(r);
    CHECK(r->failed == 0);
    REQUIRE(r->records.size() == 7);
    const char* want[] = {"0", "1", "2", "1", "2", "1", "2"};
    for (int i = 0; i < 7; ++i) {
        INFO("entry " << i);
        CHECK(r->records[i].error_code.empty());
        CHECK(r->records[i].shard_id == std::string("shardId-00000000000") + want[i]);
    }
    // Shards 0..4 draw from one counter (docs/aws/kinesis.md, Sequence numbers): the seven entries
    // use seven consecutive indexes, and each shard's numbers increase in request order.
    std::vector<uint64_t> ix;
    for (const auto& e : r->records)
        ix.push_back(decode_sequence(e.sequence_number)->seq_ix);
    auto sorted = ix;
    std::sort(sorted.begin(), sorted.end());
    for (size_t i = 1; i < sorted.size(); ++i)
        CHECK(sorted[i] == sorted[i - 1] + 1);
    for (int a = 0; a < 7; ++a) {
        for (int b = a + 1; b < 7; ++b) {
            if (r->records[a].shard_id != r->records[b].shard_id) continue;
            CHECK(r->records[a].sequence_number < r->records[b].sequence_number);
        }
    }
}

// ---- iterators and reads --------------------------------------------------------------------

TEST_CASE("every iterator type starts where AWS starts it", "[kinesis]") {
    Fixture f;
    f.create(1);
    const std::string sh = "shardId-000000000000";
    std::vector<PutResult> first;
    for (const char* d : {"a1", "a2", "a3"})
        first.push_back(f.put("k", d));
    const int64_t t_first = f.clock.now_ms();
    f.clock.advance_ms(10'000);
    const int64_t t_second = f.clock.now_ms();
    std::vector<PutResult> second;
    for (const char* d : {"b1", "b2"})
        second.push_back(f.put("k", d));
    f.clock.advance_ms(1'000);

    using V = std::vector<std::string>;
    SECTION("TRIM_HORIZON reads everything in order") {
        auto recs = f.all(sh);
        CHECK(data_of(recs) == V{"a1", "a2", "a3", "b1", "b2"});
        CHECK(recs[0].partition_key == "k");
        CHECK(recs[0].arrival_ms == t_first);
        CHECK(recs[3].arrival_ms == t_second);
        CHECK(recs[1].sequence_number == first[1].sequence_number);
    }
    SECTION("AT_SEQUENCE_NUMBER starts at the number, AFTER_SEQUENCE_NUMBER just after it") {
        auto at = f.iterator(sh, {IteratorType::kAtSequenceNumber, first[1].sequence_number, {}});
        CHECK(data_of(f.read(at).records) == V{"a2", "a3", "b1", "b2"});
        auto after =
            f.iterator(sh, {IteratorType::kAfterSequenceNumber, first[1].sequence_number, {}});
        CHECK(data_of(f.read(after).records) == V{"a3", "b1", "b2"});
        auto last =
            f.iterator(sh, {IteratorType::kAfterSequenceNumber, second[1].sequence_number, {}});
        CHECK(f.read(last).records.empty());
    }
    SECTION("LATEST sees only records written after it") {
        auto latest = f.iterator(sh, {IteratorType::kLatest, {}, {}});
        auto empty = f.read(latest);
        CHECK(empty.records.empty());
        REQUIRE(empty.next_iterator);
        f.put("k", "c1");
        CHECK(data_of(f.read(latest).records) == V{"c1"});
    }
    SECTION("AT_TIMESTAMP between the batches returns only the later batch") {
        auto it = f.iterator(sh, {IteratorType::kAtTimestamp, {}, t_first + 5'000});
        CHECK(data_of(f.read(it).records) == V{"b1", "b2"});
        auto exact = f.iterator(sh, {IteratorType::kAtTimestamp, {}, t_second});
        CHECK(data_of(f.read(exact).records) == V{"b1", "b2"});
        auto before = f.iterator(sh, {IteratorType::kAtTimestamp, {}, t_first - 60'000});
        CHECK(f.read(before).records.size() == 5);
    }
    SECTION("AT_TIMESTAMP after the newest record is an empty read at the tip, not a hang") {
        auto it = f.iterator(sh, {IteratorType::kAtTimestamp, {}, f.clock.now_ms()});
        auto b = f.read(it);
        CHECK(b.records.empty());
        REQUIRE(b.next_iterator);
        f.put("k", "c1");
        f.clock.advance_ms(1);
        CHECK(data_of(f.read(*b.next_iterator).records) == V{"c1"});
    }
    SECTION("iterator arguments are checked with AWS's messages") {
        const std::string must =
            "Must either specify (1) AT_SEQUENCE_NUMBER or AFTER_SEQUENCE_NUMBER and "
            "StartingSequenceNumber or (2) TRIM_HORIZON or LATEST and no StartingSequenceNumber. "
            "Request specified ";
        auto e = error_of(f.store->get_shard_iterator(
            key(), sh, {IteratorType::kLatest, first[0].sequence_number, {}}));
        CHECK(e == AwsError{AwsErrorCode::kInvalidArgument,
                            must + "LATEST and also a StartingSequenceNumber."});
        e = error_of(
            f.store->get_shard_iterator(key(), sh, {IteratorType::kAtSequenceNumber, {}, {}}));
        CHECK(e == AwsError{AwsErrorCode::kInvalidArgument,
                            must + "AT_SEQUENCE_NUMBER and no StartingSequenceNumber."});
        e = error_of(f.store->get_shard_iterator(key(), sh, {IteratorType::kAtTimestamp, {}, {}}));
        CHECK(e == AwsError{AwsErrorCode::kInvalidArgument,
                            "Must specify timestampInMillis parameter for iterator of type "
                            "AT_TIMESTAMP. Current request has no timestamp parameter."});
        int64_t now = f.clock.now_ms();
        e = error_of(
            f.store->get_shard_iterator(key(), sh, {IteratorType::kAtTimestamp, {}, now + 1}));
        CHECK(e == AwsError{AwsErrorCode::kInvalidArgument,
                            "The timestampInMillis parameter cannot be greater than the "
                            "currentTimestampInMillis. timestampInMillis: " +
                                std::to_string(now + 1) +
                                ", currentTimestampInMillis: " + std::to_string(now)});
    }
}

TEST_CASE("GetRecords honours Limit and always hands back a fresh next iterator", "[kinesis]") {
    Fixture f;
    f.create(1);
    for (const char* d : {"r1", "r2", "r3", "r4", "r5"})
        f.put("k", d);
    const int64_t written = f.clock.now_ms();
    f.clock.advance_ms(2'000);

    using V = std::vector<std::string>;
    auto it = f.iterator("shardId-000000000000", {IteratorType::kTrimHorizon, {}, {}});
    auto b1 = f.read(it, 2);
    CHECK(data_of(b1.records) == V{"r1", "r2"});
    REQUIRE(b1.next_iterator);
    CHECK(*b1.next_iterator != it);
    CHECK(b1.millis_behind_latest == f.clock.now_ms() - written);
    CHECK(b1.child_shards.empty());

    f.clock.advance_ms(1);
    auto b2 = f.read(*b1.next_iterator, 2);
    CHECK(data_of(b2.records) == V{"r3", "r4"});
    REQUIRE(b2.next_iterator);
    f.clock.advance_ms(1);
    auto b3 = f.read(*b2.next_iterator, 2);
    CHECK(data_of(b3.records) == V{"r5"});
    CHECK(b3.millis_behind_latest == 0);
    REQUIRE(b3.next_iterator);
    f.clock.advance_ms(1);
    auto b4 = f.read(*b3.next_iterator, 2);
    CHECK(b4.records.empty());
    CHECK(b4.millis_behind_latest == 0);
    REQUIRE(b4.next_iterator);
    CHECK(*b4.next_iterator != *b3.next_iterator);
    // The same iterator can be read again (they are positions, not cursors).
    CHECK(data_of(f.read(*b1.next_iterator, 1).records) == V{"r3"});
}

TEST_CASE("garbage iterators and unknown shards are refused with AWS's messages", "[kinesis]") {
    Fixture f;
    f.create(3);
    auto e = error_of(f.store->get_records("AAAAAAAAAAEhello", 10));
    CHECK(e == AwsError{AwsErrorCode::kInvalidArgument, "Invalid ShardIterator."});
    e = error_of(f.store->get_shard_iterator(key(), "ABKLFD8", {}));
    CHECK(e == AwsError{AwsErrorCode::kResourceNotFound,
                        "Could not find shard ABKLFD8 " + where() + "."});
    e = error_of(f.store->get_shard_iterator(key(), "shardId-5", {}));
    CHECK(e == AwsError{AwsErrorCode::kResourceNotFound,
                        "Shard shardId-000000000005 " + where() + " does not exist"});
    // Lenient ids are accepted.
    for (const char* id : {"shard-0", "xyz-0", "2", "shardId-000000000001"}) {
        INFO(id);
        CHECK(f.store->get_shard_iterator(key(), id, {}));
    }
    auto other = f.put("e");  // shard 2
    e = error_of(
        f.store->get_shard_iterator(key(), "shardId-000000000000",
                                    {IteratorType::kAtSequenceNumber, other.sequence_number, {}}));
    CHECK(e == AwsError{AwsErrorCode::kInvalidArgument,
                        "Invalid StartingSequenceNumber. It encodes shardId-000000000002, while it "
                        "was used in a call to a shard with shardId-000000000000"});
}

TEST_CASE("an iterator older than 300 s is refused as expired", "[kinesis]") {
    Fixture f;
    f.clock.set_ms(
        1'421'889'722'000);  // Thu Jan 22 01:22:02 UTC 2015 (the example of AWS's date format)
    f.create(1);
    f.put("k", "v");
    auto it = f.iterator("shardId-000000000000", {IteratorType::kTrimHorizon, {}, {}});

    f.clock.advance_ms(299'999);
    CHECK(f.read(it).records.size() == 1);

    f.clock.advance_ms(2);  // 300 001 ms after creation
    auto e = error_of(f.store->get_records(it, 10));
    CHECK(e == AwsError{AwsErrorCode::kExpiredIterator,
                        "Iterator expired. The iterator was created at time Thu Jan 22 01:22:02 "
                        "UTC 2015 while right now it is Thu Jan 22 01:27:02 UTC 2015 which is "
                        "further in the future than the tolerated delay of 300000 milliseconds."});
}

// ---- iterator tokens -----------------------------------------------------------------------

TEST_CASE("iterator tokens have AWS's framing and survive one pair of quotes", "[kinesis]") {
    Fixture f;
    const std::string long_name(128, 'n');
    f.create(1, long_name);
    f.put("k", "v", std::nullopt, long_name);
    auto it = f.iterator("shardId-000000000000", {IteratorType::kTrimHorizon, {}, {}}, long_name);
    CHECK(it.size() <= 512);
    auto raw = kemu::base64_decode(it);
    REQUIRE(raw);
    CHECK(raw->size() >= 152);
    CHECK((raw->size() - 152) % 16 == 0);
    CHECK(raw->substr(0, 8) == std::string("\0\0\0\0\0\0\0\1", 8));
    CHECK(f.read("\"" + it + "\"").records.size() == 1);

    // A token from the future is not one kemu issued.
    f.clock.advance_ms(-5'000);
    CHECK(error_of(f.store->get_records(it, 10)) ==
          AwsError{AwsErrorCode::kInvalidArgument, "Invalid ShardIterator."});
}

TEST_CASE("AFTER the shard's StartingSequenceNumber is the shard's first record", "[kinesis]") {
    // KCL resumes an EFO subscription that saw only heartbeats (their continuation is the
    // shard's StartingSequenceNumber) with AFTER_SEQUENCE_NUMBER of it: the group's first
    // record, index 0, used to be skipped (resuming must never skip or repeat a record).
    Fixture f;
    f.create(1);
    const std::string sh = "shardId-000000000000";
    auto start = f.describe().shards.at(0).starting_sequence;
    auto resumed = f.iterator(sh, {IteratorType::kAfterSequenceNumber, start, {}});
    f.put("k", "first");
    f.put("k", "second");
    CHECK(data_of(f.read(resumed).records) == std::vector<std::string>{"first", "second"});
    auto at = f.iterator(sh, {IteratorType::kAtSequenceNumber, start, {}});
    CHECK(data_of(f.read(at).records) == std::vector<std::string>{"first", "second"});
}
