#include "core/fault_file_system.h"

namespace kemu {
namespace {

using rocksdb::IODebugContext;
using rocksdb::IOOptions;
using rocksdb::IOStatus;
using rocksdb::Slice;

// What RocksDB's POSIX file system answers for ENOSPC: NoSpace, marked retryable.
IOStatus no_space() {
    auto st = IOStatus::NoSpace("kemu fault file system: writes are failing");
    st.SetRetryable(true);
    return st;
}

// A writable file whose writes fail while the switch is on.
class FaultWritableFile final : public rocksdb::FSWritableFileOwnerWrapper {
public:
    FaultWritableFile(std::unique_ptr<rocksdb::FSWritableFile> file,
                      std::shared_ptr<std::atomic<bool>> failing)
        : FSWritableFileOwnerWrapper(std::move(file)), failing_(std::move(failing)) {}

    IOStatus Append(const Slice& data, const IOOptions& o, IODebugContext* dbg) override {
        if (failing()) return no_space();
        return target()->Append(data, o, dbg);
    }
    IOStatus Append(const Slice& data, const IOOptions& o,
                    const rocksdb::DataVerificationInfo& info, IODebugContext* dbg) override {
        if (failing()) return no_space();
        return target()->Append(data, o, info, dbg);
    }
    IOStatus PositionedAppend(const Slice& data, uint64_t offset, const IOOptions& o,
                              IODebugContext* dbg) override {
        if (failing()) return no_space();
        return target()->PositionedAppend(data, offset, o, dbg);
    }
    IOStatus PositionedAppend(const Slice& data, uint64_t offset, const IOOptions& o,
                              const rocksdb::DataVerificationInfo& info,
                              IODebugContext* dbg) override {
        if (failing()) return no_space();
        return target()->PositionedAppend(data, offset, o, info, dbg);
    }
    IOStatus Flush(const IOOptions& o, IODebugContext* dbg) override {
        if (failing()) return no_space();
        return target()->Flush(o, dbg);
    }
    IOStatus Sync(const IOOptions& o, IODebugContext* dbg) override {
        if (failing()) return no_space();
        return target()->Sync(o, dbg);
    }
    IOStatus Fsync(const IOOptions& o, IODebugContext* dbg) override {
        if (failing()) return no_space();
        return target()->Fsync(o, dbg);
    }
    IOStatus RangeSync(uint64_t offset, uint64_t nbytes, const IOOptions& o,
                       IODebugContext* dbg) override {
        if (failing()) return no_space();
        return target()->RangeSync(offset, nbytes, o, dbg);
    }

private:
    bool failing() const { return failing_->load(std::memory_order_relaxed); }
    std::shared_ptr<std::atomic<bool>> failing_;
};

}  // namespace

FaultFileSystem::FaultFileSystem(std::shared_ptr<rocksdb::FileSystem> base)
    : FileSystemWrapper(base) {}

IOStatus FaultFileSystem::NewWritableFile(const std::string& f, const rocksdb::FileOptions& o,
                                          std::unique_ptr<rocksdb::FSWritableFile>* r,
                                          IODebugContext* dbg) {
    if (failing()) return no_space();
    std::unique_ptr<rocksdb::FSWritableFile> file;
    auto st = target()->NewWritableFile(f, o, &file, dbg);
    if (st.ok()) r->reset(new FaultWritableFile(std::move(file), failing_));
    return st;
}

IOStatus FaultFileSystem::ReopenWritableFile(const std::string& f, const rocksdb::FileOptions& o,
                                             std::unique_ptr<rocksdb::FSWritableFile>* r,
                                             IODebugContext* dbg) {
    if (failing()) return no_space();
    std::unique_ptr<rocksdb::FSWritableFile> file;
    auto st = target()->ReopenWritableFile(f, o, &file, dbg);
    if (st.ok()) r->reset(new FaultWritableFile(std::move(file), failing_));
    return st;
}

IOStatus FaultFileSystem::ReuseWritableFile(const std::string& f, const std::string& old,
                                            const rocksdb::FileOptions& o,
                                            std::unique_ptr<rocksdb::FSWritableFile>* r,
                                            IODebugContext* dbg) {
    if (failing()) return no_space();
    std::unique_ptr<rocksdb::FSWritableFile> file;
    auto st = target()->ReuseWritableFile(f, old, o, &file, dbg);
    if (st.ok()) r->reset(new FaultWritableFile(std::move(file), failing_));
    return st;
}

}  // namespace kemu
