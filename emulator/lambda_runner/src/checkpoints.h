#pragma once
// Where each lane has got to, in the `meta` column family:
//   "esm/{function}/start"                  when the mapping first started (ms), so a LATEST
//                                           mapping restarted before its first checkpoint
//                                           resumes there instead of skipping records
//   "esm/{function}/cp/{shard}/{lane}"      last sequence number processed (or discarded)
//   "esm/{function}/done/{shard}"           the shard is closed and every lane drained it
//   "esm/{function}/tw/{shard}/{lane}"      the open tumbling window: {"start":ms,"state":{..}}

#include <cstdint>
#include <optional>
#include <string>

#include "core/db.h"

namespace kemu::lambda_runner {

class Checkpoints {
public:
    Checkpoints(Db& db, std::string function)
        : db_(db), prefix_("esm/" + std::move(function) + "/") {}

    std::optional<std::string> get(const std::string& shard, int lane) const;
    void set(const std::string& shard, int lane, const std::string& sequence);
    // The open tumbling window's record, if any.
    std::optional<std::string> window(const std::string& shard, int lane) const;
    // Writes the checkpoint (unless `sequence` is empty) and the window record (erased when
    // `window` is empty) in one atomic write, so a restart sees both or neither.
    void set_with_window(const std::string& shard, int lane, const std::string& sequence,
                         const std::string& window);
    bool done(const std::string& shard) const;
    void set_done(const std::string& shard);
    // The first start's time, recorded on the first call.
    int64_t start_ms(int64_t now_ms);

private:
    std::optional<std::string> read(const std::string& key) const;
    void write(const std::string& key, const std::string& value);

    Db& db_;
    std::string prefix_;
};

}  // namespace kemu::lambda_runner
