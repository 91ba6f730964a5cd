#pragma once
// Metric history: every series' datapoints at one-second resolution for the last 15 minutes
// and one-minute resolution (rolled up as they arrive) for 15 days, like CloudWatch's own
// retention of high-resolution and 1-minute data. Memory is bounded: at most `max_series`
// series, each with at most `seconds_kept` + `minutes_kept` datapoints.
//
// With a Db, every datapoint is also written to its `meta` column family and `load()` restores
// them after a restart (with --in-memory the Db lives in memory and nothing outlives the
// process). Keys, all under "cloudwatch/":
//   cloudwatch/s/{series id}\0{second, 8 bytes big-endian}   Stats (32 bytes)
//   cloudwatch/m/{series id}\0{minute, 8 bytes big-endian}   Stats, the minute so far
// A datapoint dropped from memory is deleted from the Db in the same write.

#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <rocksdb/write_batch.h>

#include "cloudwatch/series.h"
#include "core/db.h"

namespace kemu::cloudwatch {

struct HistoryOptions {
    size_t max_series = 2000;             // datapoints of further series are dropped
    int64_t seconds_kept = 15 * 60;       // one-second datapoints: 15 minutes
    int64_t minutes_kept = 15 * 24 * 60;  // one-minute datapoints: 15 days
};

struct TimedStats {
    int64_t at_ms;  // the start of the datapoint's second or minute
    Stats stats;
};

class MetricHistory {
public:
    explicit MetricHistory(Db* db = nullptr, HistoryOptions options = {});

    // Restores what a previous run persisted (no-op without a Db).
    void load();
    // Records one second's datapoints at the second containing `now_ms` (merged with any
    // already there), rolls them into their minute, and drops what is too old.
    void add(int64_t now_ms, const std::vector<Datapoint>& datapoints);

    // The datapoints of a series in [from_ms, to_ms), at `period_s` 1 (one-second data) or 60
    // (one-minute data), oldest first.
    std::vector<TimedStats> query(const SeriesKey& key, int64_t from_ms, int64_t to_ms,
                                  int period_s) const;
    // The one-second datapoints in [from_ms, to_ms) merged into one; nullopt when none.
    std::optional<Stats> aggregate(const SeriesKey& key, int64_t from_ms, int64_t to_ms) const;
    // Every series with a datapoint, in id order.
    std::vector<SeriesKey> series() const;
    // Datapoints held in memory, both resolutions (for tests and the bound).
    size_t datapoints() const;

private:
    struct Series {
        SeriesKey key;
        std::deque<std::pair<int64_t, Stats>> seconds;  // (second, stats), oldest first
        std::deque<std::pair<int64_t, Stats>> minutes;  // (minute, stats), oldest first
    };
    Series* find_or_add(const SeriesKey& key);
    void trim(Series& s, int64_t second, rocksdb::WriteBatch& b);

    Db* db_;
    HistoryOptions options_;
    mutable std::mutex mu_;
    std::map<std::string, Series> series_;  // by id
    int64_t last_minute_ = -1;
};

}  // namespace kemu::cloudwatch
