#pragma once
// The fixture of the kinesis::Store tests (store_*_test.cc): a Store over a real RocksDB
// (in-memory, or a temp dir where a restart is needed), driven by a ManualClock, and checks
// shared by several of them.

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
#include "kinesis/store.h"
#include "support/result_printer.h"
#include "support/temp_dir.h"
#include "support/test_db.h"

namespace kemu::kinesis::store_test {

inline constexpr const char* kAccount = "123456789012";
inline constexpr const char* kRegion = "us-east-1";
inline const std::string kMaxKey = "340282366920938463463374607431768211455";

inline StreamKey key(const std::string& name = "s1") {
    return {kAccount, kRegion, name};
}

struct Fixture {
    kemu::ManualClock clock{1'700'000'000'000};
    std::unique_ptr<kemu::Db> db;
    std::unique_ptr<Store> store;

    explicit Fixture(StoreOptions options = {}, std::string path = {},
                     int64_t start_ms = 1'700'000'000'000)
        : clock(start_ms) {
        db = kemu::test::open_test_db(path);
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

inline std::vector<std::string> data_of(const std::vector<Record>& records) {
    std::vector<std::string> out;
    for (const auto& r : records)
        out.push_back(r.data);
    return out;
}

inline std::vector<ShardDesc> open_by_start(const StreamDesc& d) {
    std::vector<ShardDesc> out;
    for (const auto& s : d.shards) {
        if (s.open()) out.push_back(s);
    }
    std::sort(out.begin(), out.end(),
              [](const ShardDesc& a, const ShardDesc& b) { return a.range.start < b.range.start; });
    return out;
}

// Every closed shard is covered by its children, every parent named exists and is closed, and
// the open shards tile the whole key space (what KCL requires of a lineage).
inline void require_valid_lineage(const StreamDesc& d) {
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

inline void require_uniform(const StreamDesc& d, int n) {
    auto open = open_by_start(d);
    auto want = uniform_ranges(n);
    REQUIRE(open.size() == static_cast<size_t>(n));
    for (int i = 0; i < n; ++i) {
        INFO("open shard " << i);
        CHECK(u128_to_string(open[i].range.start) == u128_to_string(want[i].start));
        CHECK(u128_to_string(open[i].range.end) == u128_to_string(want[i].end));
    }
}

inline std::string where() {
    return std::string("in stream s1 under account ") + kAccount;
}

}  // namespace kemu::kinesis::store_test

using namespace kemu::kinesis;
using namespace kemu::kinesis::store_test;
using kemu::AwsError;
using kemu::AwsErrorCode;
using kemu::testing::TempDir;
