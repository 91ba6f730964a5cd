// MetricHistory: one-second and one-minute resolution, its bounds, and its persistence.

#include "cloudwatch/history.h"

#include <catch2/catch.hpp>

#include "start_time.h"
#include "support/temp_dir.h"

using namespace kemu;
using namespace kemu::cloudwatch;
using kemu::test::kT0;

namespace {

const SeriesKey kErrors = series("AWS/Lambda", "Errors", "FunctionName", "f");
const SeriesKey kAge = series("AWS/Lambda", "IteratorAge", "FunctionName", "f");

std::unique_ptr<Db> open_db(const std::string& path, bool in_memory = false) {
    DbOptions o;
    o.path = path;
    o.in_memory = in_memory;
    std::string error;
    auto db = Db::open(o, &error);
    REQUIRE(db);
    return db;
}

}  // namespace

TEST_CASE("one-second datapoints keep each second, the minute rolls them up", "[history]") {
    MetricHistory h;
    // Seconds 0..89 of two minutes: IteratorAge 1, 2, ..., 90.
    for (int s = 0; s < 90; ++s)
        h.add(kT0 + s * 1000, {{kAge, Stats::of(s + 1)}});
    auto seconds = h.query(kAge, kT0, kT0 + 90'000, 1);
    REQUIRE(seconds.size() == 90);
    CHECK(seconds[10].at_ms == kT0 + 10'000);
    CHECK(seconds[10].stats == Stats::of(11));

    auto minutes = h.query(kAge, kT0, kT0 + 120'000, 60);
    REQUIRE(minutes.size() == 2);
    CHECK(minutes[0].at_ms == kT0);
    CHECK(minutes[0].stats.sum == 1830);  // 1 + ... + 60
    CHECK(minutes[0].stats.min == 1);
    CHECK(minutes[0].stats.max == 60);
    CHECK(minutes[0].stats.count == 60);
    CHECK(minutes[0].stats.get(kAverage) == Approx(30.5));
    CHECK(minutes[1].stats.min == 61);
    CHECK(minutes[1].stats.max == 90);
    CHECK(minutes[1].stats.count == 30);
    CHECK(minutes[1].stats.get(kSampleCount) == 30);
}

TEST_CASE("datapoints within one second merge, timings keep their sample count", "[history]") {
    MetricHistory h;
    h.add(kT0 + 100, {{kErrors, Stats::of(1)}});
    h.add(kT0 + 900, {{kErrors, Stats::of(2)}});
    h.add(kT0 + 1000, {{kErrors, Stats::of_sum(30, 3)}});
    auto s = h.query(kErrors, kT0, kT0 + 2000, 1);
    REQUIRE(s.size() == 2);
    CHECK(s[0].stats == Stats{3, 1, 2, 2});
    CHECK(s[1].stats == Stats{30, 10, 10, 3});
    auto all = h.aggregate(kErrors, kT0, kT0 + 2000);
    REQUIRE(all);
    CHECK(all->sum == 33);
    CHECK(all->count == 5);
    CHECK_FALSE(h.aggregate(kErrors, kT0 + 5000, kT0 + 6000));
}

TEST_CASE("the oldest datapoints are dropped and memory stays bounded", "[history]") {
    HistoryOptions o;
    o.seconds_kept = 10;
    o.minutes_kept = 3;
    o.max_series = 2;
    MetricHistory h(nullptr, o);
    for (int s = 0; s < 600; ++s)
        h.add(kT0 + s * 1000, {{kErrors, Stats::of(1)}});
    auto seconds = h.query(kErrors, 0, kT0 + 600'000, 1);
    REQUIRE(seconds.size() == 10);
    CHECK(seconds.front().at_ms == kT0 + 590'000);
    auto minutes = h.query(kErrors, 0, kT0 + 600'000, 60);
    REQUIRE(minutes.size() == 3);
    CHECK(minutes.front().at_ms == kT0 + 420'000);
    CHECK(h.datapoints() == 13);

    // A third series is refused: the series count is capped.
    auto other = series("AWS/SQS", "ApproximateNumberOfMessagesVisible", "QueueName", "q");
    auto third = series("AWS/SQS", "ApproximateNumberOfMessagesVisible", "QueueName", "r");
    h.add(kT0 + 600'000, {{other, Stats::of(1)}, {third, Stats::of(1)}});
    CHECK(h.series().size() == 2);
    CHECK(h.query(third, 0, kT0 + 700'000, 1).empty());

    // Once the first series' datapoints are all gone, it no longer takes a place.
    h.add(kT0 + 900'000, {{other, Stats::of(1)}, {third, Stats::of(1)}});
    CHECK(h.series().size() == 2);
    CHECK(h.query(third, 0, kT0 + 1'000'000, 1).size() == 1);
    CHECK(h.query(kErrors, 0, kT0 + 1'000'000, 60).empty());
}

TEST_CASE("the history survives a restart of the database", "[history]") {
    testing::TempDir dir;
    {
        auto db = open_db(dir.path.string());
        MetricHistory h(db.get());
        for (int s = 0; s < 75; ++s)
            h.add(kT0 + s * 1000, {{kErrors, Stats::of(s % 2)}, {kAge, Stats::of(s)}});
        db->flush();
    }
    auto db = open_db(dir.path.string());
    MetricHistory h(db.get());
    h.load();
    CHECK(h.series() == std::vector<SeriesKey>{kErrors, kAge});
    auto seconds = h.query(kAge, 0, kT0 + 75'000, 1);
    REQUIRE(seconds.size() == 75);
    CHECK(seconds[74].stats == Stats::of(74));
    auto minutes = h.query(kErrors, 0, kT0 + 120'000, 60);
    REQUIRE(minutes.size() == 2);
    CHECK(minutes[0].stats.sum == 30);
    CHECK(minutes[0].stats.count == 60);
    CHECK(minutes[1].stats.sum == 7);
    // New seconds continue where the old run stopped, into the same minute.
    h.add(kT0 + 75'000, {{kErrors, Stats::of(1)}});
    CHECK(h.query(kErrors, 0, kT0 + 120'000, 60)[1].stats.sum == 8);
}

TEST_CASE("trimmed datapoints are gone from the database too", "[history]") {
    testing::TempDir dir;
    HistoryOptions o;
    o.seconds_kept = 5;
    o.minutes_kept = 1;
    {
        auto db = open_db(dir.path.string());
        MetricHistory h(db.get(), o);
        for (int s = 0; s < 130; ++s)
            h.add(kT0 + s * 1000, {{kErrors, Stats::of(1)}});
    }
    auto db = open_db(dir.path.string());
    MetricHistory h(db.get(), HistoryOptions{});  // a larger window would show leftovers
    h.load();
    // Exactly what the first run still held: the last 5 seconds and the last minute.
    auto seconds = h.query(kErrors, 0, kT0 + 200'000, 1);
    REQUIRE(seconds.size() == 5);
    CHECK(seconds.front().at_ms == kT0 + 125'000);
    CHECK(h.query(kErrors, 0, kT0 + 200'000, 60).size() == 1);
}

TEST_CASE("with an in-memory database the history works and starts empty", "[history]") {
    testing::TempDir dir;
    {
        auto db = open_db(dir.path.string(), true);
        MetricHistory h(db.get());
        h.add(kT0, {{kErrors, Stats::of(1)}});
        CHECK(h.query(kErrors, 0, kT0 + 1000, 1).size() == 1);
    }
    auto db = open_db(dir.path.string(), true);
    MetricHistory h(db.get());
    h.load();
    CHECK(h.series().empty());
}

TEST_CASE("series ids round-trip", "[history]") {
    SeriesKey k{"AWS/ApiGateway", "Count", {{"ApiName", "a=b"}, {"Stage", "v1"}}};
    auto back = SeriesKey::from_id(k.id());
    REQUIRE(back);
    CHECK(*back == k);
    CHECK_FALSE(SeriesKey::from_id("nothing"));
}
