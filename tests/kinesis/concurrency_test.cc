// Appends from many threads while readers follow the shards: a reader never sees sequence N+1
// before N, so following NextShardIterator never skips a record that was acknowledged. (Writers
// draw indexes under the group lock but write without it; readers stop at the group's
// `visible_end`.)

#include <atomic>
#include <map>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <catch2/catch.hpp>

#include "core/clock.h"
#include "core/db.h"
#include "kinesis/numbers.h"
#include "kinesis/store.h"
#include "support/result_printer.h"
#include "support/test_db.h"

using namespace kemu;
using namespace kemu::kinesis;

TEST_CASE("concurrent appends: readers following iterators see every record, in order",
          "[kinesis][concurrency]") {
    auto db = kemu::test::open_test_db();
    SystemClock clock;
    Store store(*db, clock, {});
    store.load();
    StreamKey key{"123456789012", "us-east-1", "c"};
    REQUIRE(store.create_stream(key, 4, std::nullopt, {}));  // one sequence group of 4 shards
    auto ranges = uniform_ranges(4);

    constexpr int kWriters = 4, kPerWriter = 600;
    std::atomic<int> writers_done{0};
    // Catch2 v2 assertions are not thread-safe (TSan shows its state racing), so the threads
    // count failures and the main thread asserts on the count.
    std::atomic<int> failures{0};
    std::mutex acked_mu;
    std::map<std::string, std::set<std::string>> acked;  // shard -> sequence numbers
    std::vector<std::thread> threads;
    for (int w = 0; w < kWriters; ++w) {
        threads.emplace_back([&, w] {
            for (int i = 0; i < kPerWriter; ++i) {
                int shard = (w + i) % 4;
                std::string data = std::to_string(w) + ":" + std::to_string(i);
                if (i % 10 == 0) {  // batches too
                    std::vector<PutInput> batch;
                    std::vector<std::string> pks(5, "pk");
                    for (int b = 0; b < 5; ++b)
                        batch.push_back({pks[b], ranges[(shard + b) % 4].start, data});
                    auto r = store.put_batch(key, batch);
                    if (!r) {
                        ++failures;
                        break;
                    }
                    std::lock_guard lock(acked_mu);
                    for (const auto& e : r->records)
                        acked[e.shard_id].insert(e.sequence_number);
                } else {
                    auto r = store.put(key, {"pk", ranges[shard].start, data});
                    if (!r) {
                        ++failures;
                        break;
                    }
                    std::lock_guard lock(acked_mu);
                    acked[r->shard_id].insert(r->sequence_number);
                }
            }
            ++writers_done;
        });
    }
    std::map<std::string, std::vector<std::string>> seen;
    std::vector<std::thread> readers;
    std::mutex seen_mu;
    for (int shard = 0; shard < 4; ++shard) {
        readers.emplace_back([&, shard] {
            auto it = store.get_shard_iterator(key, shard_id(shard),
                                               {IteratorType::kTrimHorizon, {}, {}});
            if (!it) {
                ++failures;
                return;
            }
            std::string iter = *it;
            std::vector<std::string> mine;
            int quiet_after_done = 0;
            while (quiet_after_done < 3) {
                bool done = writers_done.load() == kWriters;
                auto r = store.get_records(iter, 100);
                if (!r) {
                    ++failures;
                    return;
                }
                for (auto& rec : r->records)
                    mine.push_back(rec.sequence_number);
                iter = *r->next_iterator;
                if (r->records.empty() && done) ++quiet_after_done;
            }
            std::lock_guard lock(seen_mu);
            seen[shard_id(shard)] = std::move(mine);
        });
    }
    for (auto& t : threads)
        t.join();
    for (auto& t : readers)
        t.join();
    REQUIRE(failures == 0);
    size_t total = 0;
    for (auto& [shard, seqs] : seen) {
        INFO(shard);
        // Strictly increasing (sequence numbers compare as decimal strings of equal length here).
        for (size_t i = 1; i < seqs.size(); ++i) {
            REQUIRE(seqs[i - 1].size() == seqs[i].size());
            REQUIRE(seqs[i - 1] < seqs[i]);
        }
        std::set<std::string> got(seqs.begin(), seqs.end());
        REQUIRE(got == acked[shard]);
        total += got.size();
    }
    CHECK(total == static_cast<size_t>(kWriters * (kPerWriter / 10 * 5 + kPerWriter * 9 / 10)));
}
