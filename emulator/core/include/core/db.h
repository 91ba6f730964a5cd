#pragma once
// The one RocksDB database under the data dir, and its column families:
//   meta      streams, shards, queues, checkpoints (small values, rewritten on change)
//   records   Kinesis records: stream id · shard index · sequence index (all big-endian)
//   messages  SQS messages
// Modules get the raw handles; each owns its key layout (documented where it is defined).

#include <memory>
#include <string>

#include <rocksdb/db.h>

namespace kemu {

struct DbOptions {
    std::string path = ".kemu/data";  // Default: .kemu/data (created if missing).
    bool in_memory = false;           // Same code path over RocksDB's in-memory Env.
    bool sync = false;  // fsync the WAL on every write (power-loss safe); Default: off.
                        // Off, an acknowledged write still survives `kill -9` of kemu.
};

class Db {
public:
    // Opens or creates the database. On failure returns null and sets `error` to one line
    // (e.g. "data dir .kemu/data is in use by another kemu process").
    static std::unique_ptr<Db> open(const DbOptions& options, std::string* error);
    ~Db();
    Db(const Db&) = delete;
    Db& operator=(const Db&) = delete;

    rocksdb::DB* raw() const { return db_.get(); }
    rocksdb::ColumnFamilyHandle* meta() const { return meta_; }
    rocksdb::ColumnFamilyHandle* records() const { return records_; }
    rocksdb::ColumnFamilyHandle* messages() const { return messages_; }
    const rocksdb::WriteOptions& write_options() const { return write_options_; }

    // Flushes memtables and syncs the WAL; called on orderly shutdown.
    void flush();

private:
    Db() = default;
    std::unique_ptr<rocksdb::Env> mem_env_;
    std::unique_ptr<rocksdb::DB> db_;
    rocksdb::ColumnFamilyHandle* meta_ = nullptr;
    rocksdb::ColumnFamilyHandle* records_ = nullptr;
    rocksdb::ColumnFamilyHandle* messages_ = nullptr;
    rocksdb::ColumnFamilyHandle* default_ = nullptr;
    rocksdb::WriteOptions write_options_;
};

}  // namespace kemu
