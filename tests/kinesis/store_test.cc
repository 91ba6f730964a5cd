// kinesis::Store over a real RocksDB (in-memory, or a temp dir where a restart is needed), driven
// by a ManualClock. Expected texts are spec/kinesis.md §3–§5.

#include "kinesis/store.h"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <rocksdb/iterator.h>

#include "core/clock.h"
#include "core/db.h"
#include "core/encoding.h"
#include "kinesis/numbers.h"
#include "support/result_printer.h"
#include "support/temp_dir.h"

using namespace kemu::kinesis;
using kemu::AwsError;
using kemu::AwsErrorCode;

using kemu::testing::TempDir;

namespace {

constexpr const char* kAccount = "123456789012";
constexpr const char* kRegion = "us-east-1";
const std::string kMaxKey = "340282366920938463463374607431768211455";

StreamKey key(const std::string& name = "s1") {
    return {kAccount, kRegion, name};
}

struct Fixture {
    kemu::ManualClock clock{1'700'000'000'000};
    std::unique_ptr<kemu::Db> db;
    std::unique_ptr<Store> store;

    explicit Fixture(StoreOptions options = {}, std::string path = {},
                     int64_t start_ms = 1'700'000'000'000)
        : clock(start_ms) {
        kemu::DbOptions o;
        if (path.empty()) {
            o.in_memory = true;
        } else {
            o.path = path;
        }
        std::string error;
        db = kemu::Db::open(o, &error);
        INFO(error);
        REQUIRE(db);
        store = std::make_unique<Store>(*db, clock, options);
        store->load();
    }

    void create(int shards, const std::string& name = "s1") {
        REQUIRE(store->create_stream(key(name), shards, std::nullopt, {}));
    }
    PutResult put(const std::string& pk, const std::string& data = "x",
                  std::optional<u128> explicit_key = std::nullopt, const std::string& name = "s1") {
        auto r = store->put(key(name), {pk, explicit_key, data});
        REQUIRE(r);
        return *r;
    }
    std::string iterator(const std::string& shard, IteratorStart start,
                         const std::string& name = "s1") {
        auto r = store->get_shard_iterator(key(name), shard, start);
        REQUIRE(r);
        return *r;
    }
    ReadBatch read(const std::string& it, int limit = 10000) {
        auto r = store->get_records(it, limit);
        REQUIRE(r);
        return *r;
    }
    // Every record of a shard from TRIM_HORIZON.
    std::vector<Record> all(const std::string& shard, const std::string& name = "s1") {
        return read(iterator(shard, {IteratorType::kTrimHorizon, {}, {}}, name)).records;
    }
    StreamDesc describe(const std::string& name = "s1") {
        auto r = store->describe_stream(key(name));
        REQUIRE(r);
        return *r;
    }
    size_t raw_record_count() {
        std::unique_ptr<rocksdb::Iterator> it(
            db->raw()->NewIterator(rocksdb::ReadOptions(), db->records()));
        size_t n = 0;
        for (it->SeekToFirst(); it->Valid(); it->Next())
            ++n;
        return n;
    }
};

template <class T>
AwsError error_of(const kemu::Result<T>& r) {
    REQUIRE_FALSE(r);
    return r.error();
}

std::vector<std::string> data_of(const std::vector<Record>& records) {
    std::vector<std::string> out;
    for (const auto& r : records)
        out.push_back(r.data);
    return out;
}

std::vector<ShardDesc> open_by_start(const StreamDesc& d) {
    std::vector<ShardDesc> out;
    for (const auto& s : d.shards) {
        if (s.open()) out.push_back(s);
    }
    std::sort(out.begin(), out.end(),
              [](const ShardDesc& a, const ShardDesc& b) { return a.range.start < b.range.start; });
    return out;
}

// Every closed shard is covered by its children, every parent named exists and is closed, and
// the open shards tile the whole key space (KCL's requirements, spec §5.2).
void require_valid_lineage(const StreamDesc& d) {
    std::map<int, const ShardDesc*> by_index;
    for (const auto& s : d.shards)
        by_index[s.index] = &s;
    for (const auto& s : d.shards) {
        for (auto p : {s.parent, s.adjacent_parent}) {
            if (!p) continue;
            INFO("shard " << s.index << " names parent " << *p);
            REQUIRE(by_index.count(*p) == 1);
            CHECK_FALSE(by_index[*p]->open());
            CHECK(*p < s.index);
        }
        if (s.adjacent_parent) CHECK(s.parent);
        if (s.open()) continue;
        std::vector<HashRange> kids;
        for (const auto& c : d.shards) {
            if (c.parent == s.index || c.adjacent_parent == s.index) kids.push_back(c.range);
        }
        INFO("closed shard " << s.index);
        REQUIRE_FALSE(kids.empty());
        std::sort(kids.begin(), kids.end(),
                  [](const HashRange& a, const HashRange& b) { return a.start < b.start; });
        u128 next = s.range.start;  // first key not yet covered
        bool done = false;
        for (const auto& k : kids) {
            REQUIRE(k.start <= next);
            if (k.end >= s.range.end) {
                done = true;
                break;
            }
            next = k.end + 1;
        }
        CHECK(done);
    }
    auto open = open_by_start(d);
    REQUIRE_FALSE(open.empty());
    CHECK(open.front().range.start == 0);
    CHECK(open.back().range.end == kMaxHashKey);
    for (size_t i = 1; i < open.size(); ++i)
        CHECK(open[i].range.start == open[i - 1].range.end + 1);
}

void require_uniform(const StreamDesc& d, int n) {
    auto open = open_by_start(d);
    auto want = uniform_ranges(n);
    REQUIRE(open.size() == static_cast<size_t>(n));
    for (int i = 0; i < n; ++i) {
        INFO("open shard " << i);
        CHECK(u128_to_string(open[i].range.start) == u128_to_string(want[i].start));
        CHECK(u128_to_string(open[i].range.end) == u128_to_string(want[i].end));
    }
}

std::string where() {
    return std::string("in stream s1 under account ") + kAccount;
}

}  // namespace

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

    // §5.1: PutRecord on CREATING -> not found; GetShardIterator -> shard does not exist.
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

TEST_CASE("describe lists a fresh stream with the spec's defaults", "[kinesis]") {
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
    // Shards 0..4 draw from one counter (spec §3.5): the seven entries use seven consecutive
    // indexes, and each shard's numbers increase in request order.
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

TEST_CASE("every iterator type starts where the spec says", "[kinesis]") {
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
    f.clock.set_ms(1'421'889'722'000);  // Thu Jan 22 01:22:02 UTC 2015 (the spec's example)
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

// Spec §5.3 / §4.14: "Increasing never revives already-expired data."
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
    // §5.1: GetRecords on DELETING is empty until the stream is gone.
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

// ---- iterator tokens (§3.6) -----------------------------------------------------------------

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

// ---- error texts (spec §4) ------------------------------------------------------------------

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

TEST_CASE("AFTER the shard's StartingSequenceNumber is the shard's first record", "[kinesis]") {
    // KCL resumes an EFO subscription that saw only heartbeats (their continuation is the
    // shard's StartingSequenceNumber) with AFTER_SEQUENCE_NUMBER of it: the group's first
    // record, index 0, used to be skipped (kinesis-efo.md §3.6: "never skips or repeats").
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

TEST_CASE("with shard limits on, a big GetRecords blocks reads for seconds, not for good",
          "[kinesis]") {
    // Read bytes drain at 2 MiB for every second that passed (spec §6.2), not 2 MiB per call.
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
