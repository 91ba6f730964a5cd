// LogStore: order, cursors, time ranges and bounds.

#include "cloudwatch/log_store.h"

#include <catch2/catch.hpp>

using namespace kemu::cloudwatch;

namespace {

std::vector<std::string> messages(const std::vector<LogEvent>& events) {
    std::vector<std::string> out;
    for (const auto& e : events)
        out.push_back(e.message);
    return out;
}

LogQuery in(std::string group) {
    LogQuery q;
    q.group = std::move(group);
    return q;
}

}  // namespace

TEST_CASE("a function's log group is /aws/lambda/{function}, streams are dated", "[logs]") {
    CHECK(lambda_log_group("dev-orders-processor") == "/aws/lambda/dev-orders-processor");
    CHECK(lambda_log_stream(1'733'443'200'000, "0123abcd") == "2024/12/06/[$LATEST]0123abcd");
}

TEST_CASE("events come back in ingestion order, per group, with their fields", "[logs]") {
    LogStore logs;
    auto g = lambda_log_group("f");
    CHECK(logs.append(g, "s1", 2000, "START") == 1);
    CHECK(logs.append("/aws/lambda/other", "s", 1000, "elsewhere") == 2);
    // An earlier timestamp ingested later stays after: ingestion order, as `logs tail` shows.
    CHECK(logs.append(g, "s2", 1500, "late line", 2500) == 3);
    CHECK(logs.cursor() == 3);
    auto events = logs.query(in(g));
    REQUIRE(events.size() == 2);
    CHECK(messages(events) == std::vector<std::string>{"START", "late line"});
    CHECK(events[1].group == g);
    CHECK(events[1].stream == "s2");
    CHECK(events[1].timestamp_ms == 1500);
    CHECK(events[1].ingestion_time_ms == 2500);
    CHECK(events[1].ingestion == 3);
    CHECK(events[0].ingestion_time_ms == 2000);
    CHECK(logs.groups() == std::vector<std::string>{"/aws/lambda/f", "/aws/lambda/other"});
    CHECK(logs.query(in("/aws/lambda/none")).empty());
}

TEST_CASE("a cursor returns only what arrived after it", "[logs]") {
    LogStore logs;
    for (int i = 0; i < 5; ++i)
        logs.append("g", "s", 1000 + i, "line " + std::to_string(i));
    auto q = in("g");
    q.limit = 2;
    auto first = logs.query(q);
    CHECK(messages(first) == std::vector<std::string>{"line 0", "line 1"});
    q.after = first.back().ingestion;
    q.limit = 10;
    CHECK(messages(logs.query(q)) == std::vector<std::string>{"line 2", "line 3", "line 4"});
    q.after = logs.cursor();
    CHECK(logs.query(q).empty());
    logs.append("g", "s", 2000, "new");
    CHECK(messages(logs.query(q)) == std::vector<std::string>{"new"});
}

TEST_CASE("time ranges include the start and exclude the end, streams filter", "[logs]") {
    LogStore logs;
    logs.append("g", "a", 1000, "t1000");
    logs.append("g", "b", 2000, "t2000");
    logs.append("g", "a", 3000, "t3000");
    auto q = in("g");
    q.start_ms = 2000;
    q.end_ms = 3000;
    CHECK(messages(logs.query(q)) == std::vector<std::string>{"t2000"});
    q.end_ms = 3001;
    CHECK(messages(logs.query(q)) == std::vector<std::string>{"t2000", "t3000"});
    q.stream = "a";
    CHECK(messages(logs.query(q)) == std::vector<std::string>{"t3000"});
}

TEST_CASE("each group keeps its newest events within its caps", "[logs]") {
    LogStoreOptions o;
    o.max_events_per_group = 3;
    o.max_bytes_per_group = 10;
    o.max_groups = 2;
    LogStore logs(o);
    for (int i = 0; i < 5; ++i)
        logs.append("g", "s", i, std::to_string(i));
    CHECK(messages(logs.query(in("g"))) == std::vector<std::string>{"2", "3", "4"});
    CHECK(logs.events("g") == 3);
    logs.append("g", "s", 9, "abcdefghij");  // 10 bytes: it alone fills the group
    CHECK(messages(logs.query(in("g"))) == std::vector<std::string>{"abcdefghij"});
    CHECK(logs.bytes("g") == 10);
    logs.append("h", "s", 0, "x");
    CHECK(logs.events("g") == 1);  // one group's appends never evict another's
    CHECK(logs.append("third", "s", 0, "dropped") == 0);
    CHECK(logs.groups().size() == 2);
}
