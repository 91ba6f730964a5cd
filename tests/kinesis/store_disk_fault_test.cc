// The store over a disk that refuses writes (core's FaultFileSystem): PutRecord and PutRecords
// answer InternalFailure instead of a sequence number, and once the disk takes writes again
// they succeed without a restart; every record acknowledged before, during or after the fault
// is read back once, in order, and still there after a restart.

#include <catch2/catch.hpp>

#include "core/fault_file_system.h"
#include "store_fixture.h"
#include "support/test_db.h"

namespace kemu::kinesis::store_test {
namespace {}  // namespace

TEST_CASE("puts on a full disk fail with InternalFailure and succeed once it has room",
          "[kinesis][disk]") {
    kemu::testing::TempDir dir;
    auto fs = std::make_shared<FaultFileSystem>();
    kemu::ManualClock clock{1'700'000'000'000};
    auto db = test::open_test_db(dir.path.string(), fs);
    auto store = std::make_unique<Store>(*db, clock, StoreOptions{});
    store->load();
    REQUIRE(store->create_stream(key(), 1, std::nullopt, {}));
    std::vector<std::string> acknowledged;
    auto put = [&](const std::string& data) {
        auto r = store->put(key(), {"pk", std::nullopt, data});
        if (r) acknowledged.push_back(data);
        return r;
    };
    REQUIRE(put("before"));

    fs->fail_writes(true);
    auto failed = put("during");
    CHECK(error_of(failed).code == AwsErrorCode::kInternalFailure);
    CHECK(failed.error().http_status() == 500);
    auto batch = store->put_batch(key(), {{"pk", std::nullopt, "batch1"}});
    CHECK(error_of(batch).code == AwsErrorCode::kInternalFailure);

    fs->fail_writes(false);
    REQUIRE(put("after1"));
    auto b2 = store->put_batch(key(), {{"pk", std::nullopt, "after2"}});
    REQUIRE(b2);
    CHECK(b2->failed == 0);
    acknowledged.push_back("after2");

    auto read_all = [&](Store& s) {
        auto it = s.get_shard_iterator(key(), "shardId-000000000000",
                                       {IteratorType::kTrimHorizon, {}, {}});
        REQUIRE(it);
        auto batch_read = s.get_records(*it, 10000);
        REQUIRE(batch_read);
        return data_of(batch_read->records);
    };
    CHECK(read_all(*store) == acknowledged);

    store.reset();
    db.reset();
    auto again = test::open_test_db(dir.path.string(), nullptr);
    Store restarted(*again, clock, StoreOptions{});
    restarted.load();
    CHECK(read_all(restarted) == acknowledged);
}

}  // namespace kemu::kinesis::store_test
