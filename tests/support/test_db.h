#pragma once
// The one RocksDB database a unit test needs: in memory when `path` is empty, else on disk at
// `path` (a TempDir), so the test can close and reopen it to see what survives a restart. With
// `fs` (a FaultFileSystem, say), RocksDB writes its files through it.

#include <memory>
#include <string>

#include <catch2/catch.hpp>

#include "core/db.h"

namespace kemu::test {

inline std::unique_ptr<Db> open_test_db(const std::string& path = {},
                                        std::shared_ptr<rocksdb::FileSystem> fs = nullptr) {
    DbOptions o;
    o.in_memory = path.empty();
    o.path = path;
    o.file_system = std::move(fs);
    std::string error;
    auto db = Db::open(o, &error);
    INFO(error);
    REQUIRE(db);
    return db;
}

}  // namespace kemu::test
