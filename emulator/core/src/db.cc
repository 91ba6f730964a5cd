#include "core/db.h"

#include <filesystem>
#include <vector>

#include <rocksdb/env.h>
#include <rocksdb/table.h>

namespace kemu {

std::unique_ptr<Db> Db::open(const DbOptions& options, std::string* error) {
    std::unique_ptr<Db> db(new Db());
    rocksdb::DBOptions dbo;
    dbo.create_if_missing = true;
    dbo.create_missing_column_families = true;
    dbo.max_open_files = 256;
    dbo.keep_log_file_num = 2;
    dbo.max_background_jobs = 2;
    dbo.info_log_level = rocksdb::InfoLogLevel::WARN_LEVEL;
    std::string path = options.path;
    if (options.in_memory) {
        db->mem_env_.reset(rocksdb::NewMemEnv(rocksdb::Env::Default()));
        dbo.env = db->mem_env_.get();
        path = "/kemu-in-memory";
    } else {
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
    return db;
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
