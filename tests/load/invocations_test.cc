// What kemu load reads from the recorded invocations: each event's latency (events with the same
// data taken in send order, a retried record counted once), retries, concurrency, records per
// invocation and handler durations, in summary and per second.

#include "load/invocations.h"

#include <deque>
#include <string>
#include <unordered_map>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

namespace {

using json = nlohmann::json;
using kemu::load::analyse_invocations;

constexpr int64_t kT0 = 1'000'000;  // the run's start, wall ms

json inv(int64_t start, int64_t end, const char* status,
         std::vector<std::pair<std::string, std::string>> records, const char* fn = "f") {
    json recs = json::array();
    for (const auto& [seq, data] : records)
        recs.push_back({{"sequenceNumber", seq}, {"data", data}});
    return {{"function", fn},
            {"status", status},
            {"start_ms", kT0 + start},
            {"end_ms", kT0 + end},
            {"records", recs}};
}

TEST_CASE("a retried record is processed once, at the end of its first success") {
    json all{{"invocations",
              {inv(100, 150, "error", {{"1", "a"}, {"2", "b"}}),
               inv(200, 260, "ok", {{"1", "a"}, {"2", "b"}}), inv(300, 310, "ok", {{"3", "c"}}),
               inv(100, 120, "ok", {{"9", "x"}}, "other")}}};
    std::unordered_map<std::string, std::deque<double>> due{
        {"a", {kT0 + 50.0}}, {"b", {kT0 + 60.0}}, {"c", {kT0 + 290.0}}};
    auto st = analyse_invocations(all, "f", kT0, 2, due);
    CHECK(st.invocations == 3);
    CHECK(st.errors == 1);
    CHECK(st.retries == 1);
    CHECK(st.records == 5);
    CHECK(st.max_records == 2);
    CHECK(st.events_processed == 3);
    std::vector<double> to_end(st.to_end_ms), to_start(st.to_start_ms);
    std::sort(to_end.begin(), to_end.end());
    std::sort(to_start.begin(), to_start.end());
    CHECK(to_end == std::vector<double>{20, 200, 210});  // c: 310-290; b: 260-60; a: 260-50
    CHECK(to_start == std::vector<double>{10, 40, 50});
    CHECK(st.handler_ms == std::vector<double>{50, 60, 10});
}

TEST_CASE("events with the same data take their due times in send order") {
    json all{{"invocations",
              {inv(500, 520, "ok", {{"1", "same"}}), inv(1500, 1510, "ok", {{"2", "same"}})}}};
    std::unordered_map<std::string, std::deque<double>> due{
        {"same", {kT0 + 400.0, kT0 + 1400.0, kT0 + 1450.0}}};
    auto st = analyse_invocations(all, "f", kT0, 2, due);
    CHECK(st.events_processed == 2);
    CHECK(st.to_end_ms == std::vector<double>{120, 110});
    CHECK(st.retries == 0);
    REQUIRE(st.seconds.size() == 2);
    CHECK(st.seconds[0].latency_ms == std::vector<double>{120});
    CHECK(st.seconds[1].latency_ms == std::vector<double>{110});
}

TEST_CASE("concurrency is the most invocations running at once, per second too") {
    // Second 0: three overlap at 300 ms; second 1: one runs from 600 to 1800,
    // another from 1700;
    // second 2: one ends at 2000 as another starts, which is no overlap.
    json all{{"invocations",
              {inv(100, 400, "ok", {}), inv(200, 500, "ok", {}), inv(300, 350, "ok", {}),
               inv(600, 1800, "ok", {}), inv(1700, 2000, "ok", {}), inv(2000, 2100, "ok", {})}}};
    auto st = analyse_invocations(all, "f", kT0, 3, {});
    CHECK(st.max_concurrency == 3);
    REQUIRE(st.seconds.size() == 3);
    CHECK(st.seconds[0].max_concurrency == 3);
    CHECK(st.seconds[1].max_concurrency == 2);  // the spanning one, and one from 1700
    CHECK(st.seconds[2].max_concurrency == 1);
    CHECK(st.seconds[0].invocations == 4);
    CHECK(st.seconds[1].invocations == 1);
    CHECK(st.seconds[2].invocations == 1);
}

TEST_CASE("invocations after the planned seconds add rows, and no recorder gives nothing") {
    json all{{"invocations", {inv(4200, 4300, "ok", {{"1", "a"}, {"2", "b"}})}}};
    auto st = analyse_invocations(all, "f", kT0, 2, {});
    REQUIRE(st.seconds.size() == 5);
    CHECK(st.seconds[4].records == 2);
    CHECK(st.events_processed == 0);  // nothing sent has that data
    // One invocation across seconds 0 to 2, ending in 2: each second saw it running.
    json across{{"invocations", {inv(600, 2500, "ok", {})}}};
    auto long_one = analyse_invocations(across, "f", kT0, 3, {});
    CHECK(long_one.seconds[0].max_concurrency == 1);
    CHECK(long_one.seconds[1].max_concurrency == 1);
    CHECK(long_one.seconds[2].max_concurrency == 1);
    auto none = analyse_invocations(json(nullptr), "f", kT0, 2, {});
    CHECK(none.invocations == 0);
    CHECK(none.seconds.size() == 2);
}

}  // namespace
