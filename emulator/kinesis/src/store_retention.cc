// Retention trimming and loading the store at start-up. They share a rule: trimming never
// deletes a shard's newest record, because loading recovers each group's sequence counter from
// the newest records (reads skip such a record once it has expired).

#include <algorithm>

#include <rocksdb/experimental.h>
#include <rocksdb/iterator.h>
#include <rocksdb/write_batch.h>

#include "kinesis/store.h"
#include "record_codec.h"
#include "store_impl.h"

namespace kemu::kinesis {

void Store::trim_expired() {
    auto& im = *impl_;
    std::vector<std::shared_ptr<Stream>> all;
    {
        std::shared_lock lock(im.map_mu);
        for (auto& [k, s] : im.streams)
            all.push_back(s);
    }
    int64_t now = im.clock.now_ms();
    for (auto& s : all) {
        std::shared_lock lock(s->mu);
        for (const auto& sh : s->shards) {
            std::unique_ptr<rocksdb::Iterator> it(
                im.db.raw()->NewIterator(rocksdb::ReadOptions(), im.db.records()));
            std::string first = records_key(s->id, sh.index, 0);
            rocksdb::Slice prefix(first.data(), 12);
            std::string last_expired;
            for (it->Seek(first); it->Valid() && it->key().starts_with(prefix); it->Next()) {
                auto rec = decode_value(std::string_view(it->value().data(), it->value().size()));
                if (im.retained(*s, rec.arrival_ms, now)) break;
                last_expired = it->key().ToString();
            }
            // The newest record is kept even when expired: it carries the shard's sequence
            // counter across restarts. Reads skip it.
            if (last_expired.empty()) continue;
            // A failed delete (a full disk) is retried by the next trim.
            rocksdb::WriteBatch batch;
            batch.DeleteRange(im.db.records(), first, last_expired);
            if (!im.db.write(batch).ok()) continue;
            // A range tombstone hides the records; only a compaction of the files holding them
            // gives the space back. At a low write rate RocksDB's own compactions (four L0
            // files) come rarely, so the trimmed range's files are marked for compaction: the
            // background threads rewrite them without the deleted records, and this thread
            // does not wait for it. (Records still in the memtable are dropped when it flushes.)
            rocksdb::Slice begin(first), end(last_expired);
            rocksdb::experimental::SuggestCompactRange(im.db.raw(), im.db.records(), &begin, &end)
                .PermitUncheckedError();
        }
    }
}

void Store::load() {
    auto& im = *impl_;
    std::string next_id;
    if (im.db.raw()
            ->Get(rocksdb::ReadOptions(), im.db.meta(), "kinesis/next_stream_id", &next_id)
            .ok()) {
        im.next_stream_id = std::stoull(next_id);
    }
    std::unique_ptr<rocksdb::Iterator> it(
        im.db.raw()->NewIterator(rocksdb::ReadOptions(), im.db.meta()));
    const std::string prefix = "kinesis/stream/";
    std::vector<std::shared_ptr<Stream>> loaded;
    for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
        auto s = std::make_shared<Stream>();
        from_json(it->value().ToString(), s.get());
        im.rebuild_runtime(*s);
        loaded.push_back(s);
    }
    int64_t now = im.clock.now_ms();
    for (auto& s : loaded) {
        // Recover each shard's newest record: the group counters and last arrival times.
        std::unique_ptr<rocksdb::Iterator> rit(
            im.db.raw()->NewIterator(rocksdb::ReadOptions(), im.db.records()));
        for (const auto& sh : s->shards) {
            std::string last = records_key(s->id, sh.index, ~uint64_t{0});
            rit->SeekForPrev(last);
            if (!rit->Valid() || !rit->key().starts_with(rocksdb::Slice(last.data(), 12))) continue;
            uint64_t seq = key_seq(std::string_view(rit->key().data(), rit->key().size()));
            auto rec = decode_value(std::string_view(rit->value().data(), rit->value().size()));
            auto& g = *s->groups[sh.index / 5];
            g.next = std::max(g.next, seq + 1);
            g.fresh = false;
            s->runtime[sh.index]->last_arrival_ms = rec.arrival_ms;
        }
        for (auto& g : s->groups) {
            std::lock_guard glock(g->mu);
            g->publish();
        }
        // A restart finishes any pending transition at once.
        if (s->due_ms != 0) {
            if (s->status == StreamStatus::kDeleting) {
                std::unique_lock lock(im.map_mu);
                im.streams[Impl::map_key(s->key)] = s;
                lock.unlock();
                im.erase(s);
                continue;
            }
            std::unique_lock slock(s->mu);
            im.apply_due(*s, now);
        }
        std::unique_lock lock(im.map_mu);
        im.streams[Impl::map_key(s->key)] = s;
        im.next_stream_id = std::max(im.next_stream_id, s->id + 1);
    }
}

}  // namespace kemu::kinesis
