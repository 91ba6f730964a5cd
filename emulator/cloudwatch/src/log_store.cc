#include "cloudwatch/log_store.h"

#include <algorithm>
#include <cstdio>
#include <ctime>

namespace kemu::cloudwatch {

std::string lambda_log_group(std::string_view function) {
    return "/aws/lambda/" + std::string(function);
}

std::string lambda_log_stream(int64_t started_ms, std::string_view environment_id) {
    std::time_t secs = started_ms / 1000;
    std::tm tm{};
    gmtime_r(&secs, &tm);
    char date[48];
    std::snprintf(date, sizeof date, "%04d/%02d/%02d", tm.tm_year + 1900, tm.tm_mon + 1,
                  tm.tm_mday);
    return std::string(date) + "/[$LATEST]" + std::string(environment_id);
}

LogStore::LogStore(LogStoreOptions options) : options_(options) {}

uint64_t LogStore::append(std::string_view group, std::string_view stream, int64_t timestamp_ms,
                          std::string_view message, int64_t ingestion_time_ms) {
    std::lock_guard lock(mu_);
    auto it = groups_.find(group);
    if (it == groups_.end()) {
        if (groups_.size() >= options_.max_groups) return 0;
        it = groups_.emplace(std::string(group), Group{}).first;
    }
    auto& g = it->second;
    uint64_t n = next_++;
    g.events.push_back({std::string(group), std::string(stream), timestamp_ms,
                        ingestion_time_ms ? ingestion_time_ms : timestamp_ms, n,
                        std::string(message)});
    g.bytes += message.size();
    while (g.events.size() > options_.max_events_per_group ||
           (g.bytes > options_.max_bytes_per_group && g.events.size() > 1)) {
        g.bytes -= g.events.front().message.size();
        g.events.pop_front();
    }
    return n;
}

std::vector<LogEvent> LogStore::query(const LogQuery& q) const {
    std::lock_guard lock(mu_);
    std::vector<LogEvent> out;
    auto it = groups_.find(q.group);
    if (it == groups_.end()) return out;
    const auto& events = it->second.events;
    // Ingestion numbers rise along the deque: start after the cursor.
    auto from =
        std::upper_bound(events.begin(), events.end(), q.after,
                         [](uint64_t after, const LogEvent& e) { return after < e.ingestion; });
    for (auto e = from; e != events.end() && out.size() < q.limit; ++e) {
        if (e->timestamp_ms < q.start_ms || e->timestamp_ms >= q.end_ms) continue;
        if (!q.stream.empty() && e->stream != q.stream) continue;
        out.push_back(*e);
    }
    return out;
}

std::vector<std::string> LogStore::groups() const {
    std::lock_guard lock(mu_);
    std::vector<std::string> out;
    for (const auto& [name, g] : groups_)
        out.push_back(name);
    return out;
}

uint64_t LogStore::cursor() const {
    std::lock_guard lock(mu_);
    return next_ - 1;
}

size_t LogStore::events(std::string_view group) const {
    std::lock_guard lock(mu_);
    auto it = groups_.find(group);
    return it == groups_.end() ? 0 : it->second.events.size();
}

size_t LogStore::bytes(std::string_view group) const {
    std::lock_guard lock(mu_);
    auto it = groups_.find(group);
    return it == groups_.end() ? 0 : it->second.bytes;
}

}  // namespace kemu::cloudwatch
