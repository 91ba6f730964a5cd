#include "checkpoints.h"

#include <stdexcept>

#include <rocksdb/write_batch.h>

namespace kemu::lambda_runner {

std::optional<std::string> Checkpoints::read(const std::string& key) const {
    std::string value;
    auto s = db_.raw()->Get({}, db_.meta(), prefix_ + key, &value);
    if (s.IsNotFound()) return std::nullopt;
    if (!s.ok()) throw std::runtime_error("lambda: cannot read checkpoint: " + s.ToString());
    return value;
}

void Checkpoints::write(const std::string& key, const std::string& value) {
    rocksdb::WriteBatch batch;
    batch.Put(db_.meta(), prefix_ + key, value);
    auto s = db_.write(batch);
    if (!s.ok()) throw std::runtime_error("lambda: cannot write checkpoint: " + s.ToString());
}

std::optional<std::string> Checkpoints::get(const std::string& shard, int lane) const {
    return read("cp/" + shard + "/" + std::to_string(lane));
}

void Checkpoints::set(const std::string& shard, int lane, const std::string& sequence) {
    write("cp/" + shard + "/" + std::to_string(lane), sequence);
}

std::optional<std::string> Checkpoints::window(const std::string& shard, int lane) const {
    return read("tw/" + shard + "/" + std::to_string(lane));
}

void Checkpoints::set_with_window(const std::string& shard, int lane, const std::string& sequence,
                                  const std::string& window) {
    const std::string suffix = shard + "/" + std::to_string(lane);
    rocksdb::WriteBatch batch;
    if (!sequence.empty()) batch.Put(db_.meta(), prefix_ + "cp/" + suffix, sequence);
    if (window.empty()) {
        batch.Delete(db_.meta(), prefix_ + "tw/" + suffix);
    } else {
        batch.Put(db_.meta(), prefix_ + "tw/" + suffix, window);
    }
    auto s = db_.write(batch);
    if (!s.ok()) throw std::runtime_error("lambda: cannot write checkpoint: " + s.ToString());
}

bool Checkpoints::done(const std::string& shard) const {
    return read("done/" + shard).has_value();
}

void Checkpoints::set_done(const std::string& shard) {
    write("done/" + shard, "1");
}

int64_t Checkpoints::start_ms(int64_t now_ms) {
    if (auto v = read("start")) return std::stoll(*v);
    write("start", std::to_string(now_ms));
    return now_ms;
}

}  // namespace kemu::lambda_runner
