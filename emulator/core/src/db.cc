#include "core/db.h"

#include <filesystem>
#include <vector>

#include <rocksdb/env.h>
#include <rocksdb/listener.h>
#include <rocksdb/table.h>

namespace kemu {
namespace {

// Turns RocksDB's automatic recovery from a full disk off (see Db::write).
class ManualRecovery final : public rocksdb::EventListener {
public:
    void OnErrorRecoveryBegin(rocksdb::BackgroundErrorReason, rocksdb::Status,
                              bool* auto_recovery) override {
        *auto_recovery = false;
    }
};

// Whether the disk takes a small write now: a file created, written, synced and removed.
rocksdb::IOStatus probe_write(rocksdb::FileSystem& fs, const std::string& dir) {
    std::string name = dir + "/kemu-write-probe";
    std::unique_ptr<rocksdb::FSWritableFile> file;
    rocksdb::IOOptions io;
    auto st = fs.NewWritableFile(name, rocksdb::FileOptions(), &file, nullptr);
    if (st.ok()) st = file->Append(std::string(4096, '\0'), io, nullptr);
    if (st.ok()) st = file->Sync(io, nullptr);
    if (file) {
        auto closed = file->Close(io, nullptr);
        if (st.ok()) st = closed;
    }
    fs.DeleteFile(name, io, nullptr).PermitUncheckedError();
    return st;
}

}  // namespace

std::unique_ptr<Db> Db::open(const DbOptions& options, std::string* error) {
    std::unique_ptr<Db> db(new Db());
    rocksdb::DBOptions dbo;
    dbo.create_if_missing = true;
    dbo.create_missing_column_families = true;
    dbo.max_open_files = 256;
    dbo.keep_log_file_num = 2;
    dbo.max_background_jobs = 2;
    // A WAL file stays until every column family with data in it has flushed; a family that
    // writes little (meta) would keep the first WAL, and all after it, until RocksDB's default
    // cap (4x the write buffers of all families, over 500 MB). Past this cap RocksDB flushes
    // the family that holds the oldest WAL, so the WAL stays small while records (trimmed by
    // retention) come and go.
    dbo.max_total_wal_size = 32u << 20;  // twice a write buffer
    dbo.info_log_level = rocksdb::InfoLogLevel::WARN_LEVEL;
    // A failed write (a full disk) stops RocksDB's writes. Its own background recovery would
    // make DB::Resume answer Busy until that succeeds, on its own timer (every 5 s for a full
    // disk); Db::write resumes on the next write instead, so recovery follows the disk at once.
    dbo.max_bgerror_resume_count = 0;
    dbo.listeners.push_back(std::make_shared<ManualRecovery>());
    std::string path = options.path;
    if (options.in_memory) {
        db->mem_env_.reset(rocksdb::NewMemEnv(rocksdb::Env::Default()));
        dbo.env = db->mem_env_.get();
        path = "/kemu-in-memory";
    } else {
        if (options.file_system) {
            db->fs_env_ = rocksdb::NewCompositeEnv(options.file_system);
            dbo.env = db->fs_env_.get();
        }
        std::error_code ec;
        std::filesystem::create_directories(path, ec);
        if (ec) {
            *error = "cannot create data dir " + path + ": " + ec.message();
            return nullptr;
        }
    }

    rocksdb::ColumnFamilyOptions cfo;
    cfo.write_buffer_size = 16u << 20;
    rocksdb::BlockBasedTableOptions table;
    table.block_cache = rocksdb::NewLRUCache(8u << 20);
    cfo.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));

    std::vector<rocksdb::ColumnFamilyDescriptor> cfs = {
        {rocksdb::kDefaultColumnFamilyName, cfo},
        {"meta", cfo},
        {"records", cfo},
        {"messages", cfo},
    };
    std::vector<rocksdb::ColumnFamilyHandle*> handles;
    rocksdb::DB* raw = nullptr;
    auto st = rocksdb::DB::Open(dbo, path, cfs, &handles, &raw);
    if (!st.ok()) {
        std::string why = st.ToString();
        if (st.IsIOError() && why.find("lock") != std::string::npos) {
            *error = "data dir " + path + " is in use by another kemu process (" + why + ")";
        } else {
            *error = "cannot open data dir " + path + ": " + why;
        }
        return nullptr;
    }
    db->db_.reset(raw);
    db->default_ = handles[0];
    db->meta_ = handles[1];
    db->records_ = handles[2];
    db->messages_ = handles[3];
    db->write_options_.sync = options.sync;
    // In memory there is nothing for a WAL to recover after a crash: the whole database goes
    // with the process. Writing one would only copy every record once more.
    db->write_options_.disableWAL = options.in_memory;
    db->path_ = path;
    return db;
}

rocksdb::Status Db::write(rocksdb::WriteBatch& batch) {
    if (failed_.load(std::memory_order_acquire)) {
        // Resume flushes the memtables to new files and starts a new WAL. Tried while the
        // disk still refuses writes, the new WAL cannot be created and RocksDB counts that
        // as fatal (only a reopen would recover), so a probe write goes first. Resuming a
        // healthy database is a no-op, so racing writers may both call it.
        auto probe = probe_write(*db_->GetFileSystem(), path_);
        if (!probe.ok()) return probe;
        auto st = db_->Resume();
        if (!st.ok()) return st;
        failed_.store(false, std::memory_order_release);
    }
    auto st = db_->Write(write_options_, &batch);
    if (!st.ok()) failed_.store(true, std::memory_order_release);
    return st;
}

void Db::flush() {
    if (!db_) return;
    rocksdb::FlushOptions fo;
    fo.wait = true;
    db_->Flush(fo, {meta_, records_, messages_});
    db_->FlushWAL(true);
}

Db::~Db() {
    if (!db_) return;
    for (auto* h : {default_, meta_, records_, messages_}) {
        if (h) db_->DestroyColumnFamilyHandle(h);
    }
    db_->Close();
    db_.reset();
}

}  // namespace kemu
