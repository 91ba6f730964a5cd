#include "cloudwatch/history.h"

#include <cstring>
#include <memory>

#include <rocksdb/write_batch.h>

#include "core/log.h"

namespace kemu::cloudwatch {
namespace {

constexpr std::string_view kSecondsPrefix = "cloudwatch/s/";
constexpr std::string_view kMinutesPrefix = "cloudwatch/m/";

std::string key_of(std::string_view prefix, const std::string& id, int64_t index) {
    std::string k(prefix);
    k += id;
    k += '\0';
    auto u = static_cast<uint64_t>(index);
    for (int shift = 56; shift >= 0; shift -= 8)
        k += static_cast<char>((u >> shift) & 0xff);
    return k;
}

std::string encode(const Stats& s) {
    std::string v(32, '\0');
    std::memcpy(v.data(), &s.sum, 8);
    std::memcpy(v.data() + 8, &s.min, 8);
    std::memcpy(v.data() + 16, &s.max, 8);
    std::memcpy(v.data() + 24, &s.count, 8);
    return v;
}

std::optional<Stats> decode(std::string_view v) {
    if (v.size() != 32) return std::nullopt;
    Stats s;
    std::memcpy(&s.sum, v.data(), 8);
    std::memcpy(&s.min, v.data() + 8, 8);
    std::memcpy(&s.max, v.data() + 16, 8);
    std::memcpy(&s.count, v.data() + 24, 8);
    return s;
}

// Splits "{prefix}{id}\0{8 bytes}" into id and index.
bool parse_key(std::string_view key, std::string_view prefix, std::string* id, int64_t* index) {
    if (!key.starts_with(prefix) || key.size() < prefix.size() + 9) return false;
    if (key[key.size() - 9] != '\0') return false;
    *id = std::string(key.substr(prefix.size(), key.size() - 9 - prefix.size()));
    uint64_t u = 0;
    for (size_t i = key.size() - 8; i < key.size(); ++i)
        u = (u << 8) | static_cast<uint8_t>(key[i]);
    *index = static_cast<int64_t>(u);
    return true;
}

void add_to(std::deque<std::pair<int64_t, Stats>>& points, int64_t index, const Stats& st) {
    if (!points.empty() && points.back().first == index) {
        points.back().second.merge(st);
    } else if (points.empty() || points.back().first < index) {
        points.emplace_back(index, st);
    }  // an older index than the newest is ignored: time only moves forward here
}

}  // namespace

MetricHistory::MetricHistory(Db* db, HistoryOptions options) : db_(db), options_(options) {}

void MetricHistory::load() {
    if (!db_) return;
    std::lock_guard lock(mu_);
    for (auto prefix : {kSecondsPrefix, kMinutesPrefix}) {
        std::unique_ptr<rocksdb::Iterator> it(db_->raw()->NewIterator({}, db_->meta()));
        for (it->Seek(std::string(prefix)); it->Valid(); it->Next()) {
            auto key = it->key().ToStringView();
            if (!key.starts_with(prefix)) break;
            std::string id;
            int64_t index = 0;
            auto st = decode(it->value().ToStringView());
            if (!parse_key(key, prefix, &id, &index) || !st) continue;
            auto k = SeriesKey::from_id(id);
            if (!k) continue;
            Series* s = find_or_add(*k);
            if (!s) break;
            add_to(prefix == kSecondsPrefix ? s->seconds : s->minutes, index, *st);
        }
    }
}

MetricHistory::Series* MetricHistory::find_or_add(const SeriesKey& key) {
    auto id = key.id();
    auto it = series_.find(id);
    if (it != series_.end()) return &it->second;
    if (series_.size() >= options_.max_series) return nullptr;
    auto& s = series_[id];
    s.key = key;
    return &s;
}

void MetricHistory::add(int64_t now_ms, const std::vector<Datapoint>& datapoints) {
    int64_t second = now_ms / 1000;
    int64_t minute = second / 60;
    std::lock_guard lock(mu_);
    rocksdb::WriteBatch b;
    if (minute != last_minute_) {
        // Once a minute: series that got nothing lately are trimmed too, and forgotten once
        // empty (they no longer count against max_series).
        last_minute_ = minute;
        for (auto it = series_.begin(); it != series_.end();) {
            trim(it->second, second, b);
            bool empty = it->second.seconds.empty() && it->second.minutes.empty();
            it = empty ? series_.erase(it) : std::next(it);
        }
    }
    for (const auto& d : datapoints) {
        Series* s = find_or_add(d.key);
        if (!s) continue;
        add_to(s->seconds, second, d.stats);
        add_to(s->minutes, minute, d.stats);
        trim(*s, second, b);
        if (db_) {
            auto id = s->key.id();
            b.Put(db_->meta(), key_of(kSecondsPrefix, id, s->seconds.back().first),
                  encode(s->seconds.back().second));
            b.Put(db_->meta(), key_of(kMinutesPrefix, id, s->minutes.back().first),
                  encode(s->minutes.back().second));
        }
    }
    if (!db_ || b.Count() == 0) return;
    auto st = db_->write(b);
    if (!st.ok()) log_warn("cloudwatch", "cannot write the metric history: " + st.ToString());
}

void MetricHistory::trim(Series& s, int64_t second, rocksdb::WriteBatch& b) {
    // Each datapoint dropped from memory is deleted from the Db too (point deletes: the meta
    // column family is read by the services, and range tombstones would slow their reads).
    auto id = db_ ? s.key.id() : std::string();
    while (!s.seconds.empty() && s.seconds.front().first <= second - options_.seconds_kept) {
        if (db_) b.Delete(db_->meta(), key_of(kSecondsPrefix, id, s.seconds.front().first));
        s.seconds.pop_front();
    }
    int64_t minute = second / 60;
    while (!s.minutes.empty() && s.minutes.front().first <= minute - options_.minutes_kept) {
        if (db_) b.Delete(db_->meta(), key_of(kMinutesPrefix, id, s.minutes.front().first));
        s.minutes.pop_front();
    }
}

std::vector<TimedStats> MetricHistory::query(const SeriesKey& key, int64_t from_ms, int64_t to_ms,
                                             int period_s) const {
    std::lock_guard lock(mu_);
    std::vector<TimedStats> out;
    auto it = series_.find(key.id());
    if (it == series_.end()) return out;
    int64_t unit_ms = period_s >= 60 ? 60'000 : 1000;
    const auto& points = period_s >= 60 ? it->second.minutes : it->second.seconds;
    for (const auto& [index, st] : points) {
        int64_t at = index * unit_ms;
        if (at >= from_ms && at < to_ms) out.push_back({at, st});
    }
    return out;
}

std::optional<Stats> MetricHistory::aggregate(const SeriesKey& key, int64_t from_ms,
                                              int64_t to_ms) const {
    auto points = query(key, from_ms, to_ms, 1);
    if (points.empty()) return std::nullopt;
    Stats out;
    for (const auto& p : points)
        out.merge(p.stats);
    return out;
}

std::vector<SeriesKey> MetricHistory::series() const {
    std::lock_guard lock(mu_);
    std::vector<SeriesKey> out;
    for (const auto& [id, s] : series_) {
        if (!s.seconds.empty() || !s.minutes.empty()) out.push_back(s.key);
    }
    return out;
}

size_t MetricHistory::datapoints() const {
    std::lock_guard lock(mu_);
    size_t n = 0;
    for (const auto& [id, s] : series_)
        n += s.seconds.size() + s.minutes.size();
    return n;
}

}  // namespace kemu::cloudwatch
