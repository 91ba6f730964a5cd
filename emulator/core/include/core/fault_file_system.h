#pragma once
// A RocksDB FileSystem that fails writes on demand, as a full disk does: while `fail_writes`
// is on, creating a writable file and every append, flush or sync answer IOError "No space
// left on device" (IOStatus::NoSpace). Reads and everything else go to the wrapped file
// system. Debian's RocksDB ships no fault-injection environment, so the disk-fault tests
// (tests/core/db_fault_test.cc) and `kemu up --scenario-hooks` (the "disk" service fault) use
// this one. Thread-safe: the switch is an atomic, read on every call.

#include <atomic>
#include <memory>
#include <string>

#include <rocksdb/file_system.h>

namespace kemu {

class FaultFileSystem final : public rocksdb::FileSystemWrapper {
public:
    explicit FaultFileSystem(
        std::shared_ptr<rocksdb::FileSystem> base = rocksdb::FileSystem::Default());
    const char* Name() const override { return "KemuFaultFileSystem"; }

    // On: every write from now on fails (including those of files opened before). Off: they
    // succeed again.
    void fail_writes(bool on) { failing_->store(on, std::memory_order_relaxed); }
    bool failing() const { return failing_->load(std::memory_order_relaxed); }

    rocksdb::IOStatus NewWritableFile(const std::string& f, const rocksdb::FileOptions& o,
                                      std::unique_ptr<rocksdb::FSWritableFile>* r,
                                      rocksdb::IODebugContext* dbg) override;
    rocksdb::IOStatus ReopenWritableFile(const std::string& f, const rocksdb::FileOptions& o,
                                         std::unique_ptr<rocksdb::FSWritableFile>* r,
                                         rocksdb::IODebugContext* dbg) override;
    rocksdb::IOStatus ReuseWritableFile(const std::string& f, const std::string& old,
                                        const rocksdb::FileOptions& o,
                                        std::unique_ptr<rocksdb::FSWritableFile>* r,
                                        rocksdb::IODebugContext* dbg) override;

private:
    // Shared with the files handed out, which may outlive a call but not the database.
    std::shared_ptr<std::atomic<bool>> failing_ = std::make_shared<std::atomic<bool>>(false);
};

}  // namespace kemu
