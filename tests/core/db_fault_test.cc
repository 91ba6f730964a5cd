// The Db over a disk that refuses writes (FaultFileSystem): a write fails rather than being
// acknowledged, the database resumes by itself once the disk takes writes again, and nothing
// written before the fault is lost, in the running process or after a restart.

#include <memory>
#include <string>

#include <catch2/catch.hpp>
#include <rocksdb/write_batch.h>

#include "core/db.h"
#include "core/fault_file_system.h"
#include "support/temp_dir.h"
#include "support/test_db.h"

using namespace kemu;

namespace {

rocksdb::Status put(Db& db, const std::string& key, const std::string& value) {
    rocksdb::WriteBatch b;
    b.Put(db.meta(), key, value);
    return db.write(b);
}

std::string get(Db& db, const std::string& key) {
    std::string v;
    auto st = db.raw()->Get({}, db.meta(), key, &v);
    return st.ok() ? v : "<" + st.ToString() + ">";
}

}  // namespace

TEST_CASE("a write on a full disk fails and the db resumes once it has room", "[db]") {
    testing::TempDir dir;
    auto fs = std::make_shared<FaultFileSystem>();
    auto db = test::open_test_db(dir.path.string(), fs);
    REQUIRE(put(*db, "a", "1").ok());

    fs->fail_writes(true);
    auto failed = put(*db, "b", "2");
    CHECK(failed.IsIOError());
    CHECK(failed.IsNoSpace());
    // While the disk is full, later writes fail too (the resume fails), none acknowledged.
    CHECK_FALSE(put(*db, "c", "3").ok());
    CHECK_FALSE(put(*db, "c", "3").ok());
    CHECK(get(*db, "a") == "1");

    fs->fail_writes(false);
    auto resumed = put(*db, "d", "4");
    INFO(resumed.ToString());
    REQUIRE(resumed.ok());
    REQUIRE(put(*db, "e", "5").ok());
    CHECK(get(*db, "a") == "1");
    CHECK(get(*db, "b").starts_with("<NotFound"));
    CHECK(get(*db, "c").starts_with("<NotFound"));
    CHECK(get(*db, "d") == "4");

    db.reset();
    auto again = test::open_test_db(dir.path.string(), nullptr);
    CHECK(get(*again, "a") == "1");
    CHECK(get(*again, "d") == "4");
    CHECK(get(*again, "e") == "5");
}

TEST_CASE("faults that come and go keep every acknowledged write", "[db]") {
    testing::TempDir dir;
    auto fs = std::make_shared<FaultFileSystem>();
    auto db = test::open_test_db(dir.path.string(), fs);
    std::string big(64 * 1024, 'x');  // enough to make RocksDB flush memtables now and then
    int acknowledged = 0;
    for (int i = 0; i < 600; ++i) {
        fs->fail_writes(i % 50 >= 40);
        if (put(*db, "k" + std::to_string(i), big + std::to_string(i)).ok()) {
            CHECK(i % 50 < 40);
            ++acknowledged;
        }
    }
    CHECK(acknowledged == 480);
    fs->fail_writes(false);
    db.reset();
    auto again = test::open_test_db(dir.path.string(), nullptr);
    for (int i = 0; i < 600; ++i) {
        INFO(i);
        if (i % 50 < 40) CHECK(get(*again, "k" + std::to_string(i)) == big + std::to_string(i));
    }
}
