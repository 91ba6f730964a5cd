#pragma once
// CloudWatch-Logs-like log events, kept in memory beside the log files: per log group
// (`/aws/lambda/{function}` for a function), events with their stream, timestamp and message,
// numbered in ingestion order across the store. Bounded: each group keeps at most
// `max_events_per_group` events and `max_bytes_per_group` message bytes, the oldest evicted
// first; at most `max_groups` groups. Not persisted: the log files under the data dir are the
// durable copy, so the store behaves the same with --in-memory. Thread-safe.

#include <cstdint>
#include <deque>
#include <limits>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace kemu::cloudwatch {

// "/aws/lambda/{function}", the log group Lambda writes a function's logs to.
std::string lambda_log_group(std::string_view function);
// "2026/12/06/[$LATEST]{environment id}", the stream of one execution environment: the UTC date
// it started, the version, and an id of its own (Lambda's is 32 hex digits).
std::string lambda_log_stream(int64_t started_ms, std::string_view environment_id);

struct LogEvent {
    std::string group;
    std::string stream;
    int64_t timestamp_ms = 0;  // when the line was written (the event's own time)
    int64_t ingestion_time_ms = 0;
    uint64_t ingestion = 0;  // 1, 2, ...: the store's order of arrival, a cursor
    std::string message;
};

struct LogStoreOptions {
    size_t max_events_per_group = 10'000;
    size_t max_bytes_per_group = 8 << 20;
    size_t max_groups = 1000;  // appends to further groups are dropped
};

struct LogQuery {
    std::string group;
    int64_t start_ms = std::numeric_limits<int64_t>::min();  // timestamp >= start_ms
    int64_t end_ms = std::numeric_limits<int64_t>::max();    // timestamp < end_ms
    uint64_t after = 0;     // only events ingested after this cursor (0: from the oldest kept)
    size_t limit = 10'000;  // at most this many, oldest first
    std::string stream;     // empty: every stream
};

class LogStore {
public:
    explicit LogStore(LogStoreOptions options = {});

    // Adds one event; returns its ingestion number (0 when dropped: too many groups).
    // `ingestion_time_ms` is when kemu received it (0: the same as the timestamp).
    uint64_t append(std::string_view group, std::string_view stream, int64_t timestamp_ms,
                    std::string_view message, int64_t ingestion_time_ms = 0);
    // Matching events in ingestion order (for `logs tail --follow`: pass the last event's
    // ingestion number as `after`).
    std::vector<LogEvent> query(const LogQuery& q) const;
    std::vector<std::string> groups() const;
    // The newest ingestion number handed out (0: none yet).
    uint64_t cursor() const;
    // Events and message bytes held for a group.
    size_t events(std::string_view group) const;
    size_t bytes(std::string_view group) const;

private:
    struct Group {
        std::deque<LogEvent> events;  // ingestion order
        size_t bytes = 0;
    };
    LogStoreOptions options_;
    mutable std::mutex mu_;
    std::map<std::string, Group, std::less<>> groups_;
    uint64_t next_ = 1;
};

}  // namespace kemu::cloudwatch
