#pragma once
// The one RocksDB database under the data dir, and its column families:
//   meta      streams, shards, queues, checkpoints (small values, rewritten on change)
//   records   Kinesis records: stream id · shard index · sequence index (all big-endian)
//   messages  SQS messages
// Modules get the raw handles; each owns its key layout (documented where it is defined).

#include <atomic>
#include <memory>
#include <string>

#include <rocksdb/db.h>
#include <rocksdb/file_system.h>
#include <rocksdb/write_batch.h>

namespace kemu {

struct DbOptions {
    std::string path = ".kemu/data";  // Default: .kemu/data (created if missing).
    bool in_memory = false;           // Same code path over RocksDB's in-memory Env, without a WAL.
    bool sync = false;  // fsync the WAL on every write (power-loss safe); Default: off.
                        // Off, an acknowledged write still survives `kill -9` of kemu.
    // The file system under the data dir; null: the machine's. Tests (and `kemu up
    // --scenario-hooks`) pass a FaultFileSystem to fail writes as a full disk does.
    // Ignored with in_memory.
    std::shared_ptr<rocksdb::FileSystem> file_system;
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

    // Writes `batch` with write_options(). Every write of kemu's state goes through here.
    // A non-OK status means the batch was not acknowledged by RocksDB: callers answer the
    // client an error (never a success). After a failed write RocksDB refuses all writes
    // (a "background error", e.g. a full disk) until DB::Resume(); so the next write first
    // resumes the database, and kemu recovers by itself once the disk takes writes again.
    // What was written before the failure stays. Thread-safe.
    rocksdb::Status write(rocksdb::WriteBatch& batch);

    // Flushes memtables and syncs the WAL; called on orderly shutdown.
    void flush();

private:
    Db() = default;
    std::unique_ptr<rocksdb::Env> mem_env_;
    std::unique_ptr<rocksdb::Env> fs_env_;  // wraps options.file_system, when given
    std::atomic<bool> failed_{false};       // a write failed; resume before the next
    std::string path_;
    std::unique_ptr<rocksdb::DB> db_;
    rocksdb::ColumnFamilyHandle* meta_ = nullptr;
    rocksdb::ColumnFamilyHandle* records_ = nullptr;
    rocksdb::ColumnFamilyHandle* messages_ = nullptr;
    rocksdb::ColumnFamilyHandle* default_ = nullptr;
    rocksdb::WriteOptions write_options_;
};

}  // namespace kemu
