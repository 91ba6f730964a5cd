// report.html is one self-contained page built from the results JSON, and the progress lines.

#include "load/report.h"

#include <cstdio>
#include <string>

#include <catch2/catch.hpp>

#include "load/progress.h"

namespace {

using json = nlohmann::json;
using kemu::load::LiveCounters;
using kemu::load::progress_line;
using kemu::load::ProgressPrinter;
using kemu::load::render_report;

json a_run() {
    return {{"schema", "kemu-load/1"},
            {"settings", {{"flow", "user<script>alert(1)</script>"}}},
            {"summary", {{"accepted_rate", 10}}},
            {"series", json::array({{{"second", 0}, {"offered", 10}}})},
            {"note", "</script><script>bad()</script>"}};
}

std::string printed(bool tty, const std::vector<std::vector<std::string>>& frames,
                    size_t width = 80) {
    std::FILE* f = std::tmpfile();
    ProgressPrinter p(f, tty, width);
    for (const auto& lines : frames)
        p.show(lines);
    p.finish();
    std::string out(static_cast<size_t>(std::ftell(f)), '\0');
    std::rewind(f);
    out.resize(std::fread(out.data(), 1, out.size(), f));
    std::fclose(f);
    return out;
}

TEST_CASE("report.html inlines uPlot, its script and the results, and loads nothing") {
    auto page = render_report(a_run());
    CHECK(page.starts_with("<!doctype html>"));
    CHECK(page.find("uPlot") != std::string::npos);
    CHECK(page.find("id=\"kemu-results\"") != std::string::npos);
    CHECK(page.find("window.kemuCharts") != std::string::npos);
    for (const char* outside : {"src=\"http", "href=\"http", "<link", "@import", "src=\"//"})
        CHECK(page.find(outside) == std::string::npos);
}

TEST_CASE("report.html keeps names out of the markup") {
    auto page = render_report(a_run());
    // The title is escaped; the JSON cannot end its script element early.
    CHECK(page.find("<title>kemu load: user&lt;script&gt;alert(1)&lt;/script&gt;</title>") !=
          std::string::npos);
    CHECK(page.find("<script>alert(1)") == std::string::npos);
    CHECK(page.find("</script><script>bad()") == std::string::npos);
    CHECK(page.find("\\u003c/script>\\u003cscript>bad()") != std::string::npos);
}

TEST_CASE("a sweep's report says it is a sweep") {
    auto page = render_report({{"schema", "kemu-load-sweep/1"}, {"points", json::array()}});
    CHECK(page.find("<title>kemu load sweep</title>") != std::string::npos);
}

TEST_CASE("the machine is described") {
    auto m = kemu::load::machine_info();
    CHECK(m["cores"].get<unsigned>() >= 1);
    CHECK(m.contains("cpu_model"));
    CHECK_FALSE(m["os"].get<std::string>().empty());
}

TEST_CASE("live counters hand over each window once") {
    LiveCounters live;
    live.record(10, 10, 0, false, 4.0);
    live.record(10, 0, 10, false, 2.0);
    live.record(1, 0, 0, true, 30.0);
    auto w = live.take();
    CHECK(w.offered == 21);
    CHECK(w.accepted == 10);
    CHECK(w.throttled == 10);
    CHECK(w.errors == 1);
    CHECK(w.latency_ms.size() == 3);
    auto next = live.take();
    CHECK(next.offered == 0);
    CHECK(next.latency_ms.empty());
}

TEST_CASE("a progress line has the rate, the throttles, the p99 and both iterator ages") {
    LiveCounters::Window w;
    w.offered = 1200;
    w.accepted = 1000;
    w.throttled = 200;
    w.latency_ms = {1, 2, 3, 40};
    json status{{"iterator_age_ms", 1500}, {"get_records_iterator_age_ms", 900}, {"throttles", 3}};
    CHECK(progress_line("orders", 7400, w, status) ==
          "   7s orders: 1200/s offered, 1000/s accepted, 200 throttled, request p99 40 ms, "
          "iterator age 1500 ms (stream 900 ms), errors 0, Lambda throttles 3");
    CHECK(progress_line("orders", 0, LiveCounters::Window{}, nullptr).find("request p99 -") !=
          std::string::npos);
}

TEST_CASE("progress prints plain lines off a terminal and rewrites them on one") {
    CHECK(printed(false, {{"a1", "b1"}, {"a2", "b2"}}) == "  a1\n  b1\n  a2\n  b2\n");
    CHECK(printed(true, {{"a1", "b1"}, {"a2", "b2"}}) ==
          "\r\x1b[2K  a1\n\r\x1b[2K  b1"
          "\x1b[1A\r\x1b[2K  a2\n\r\x1b[2K  b2\n");
    // On a terminal a line is cut short of its width, since a wrapped line cannot be rewritten.
    CHECK(printed(true, {{"abcdefghij"}}, 8) == "\r\x1b[2K  abcde\n");
    CHECK(printed(false, {{"abcdefghij"}}, 8) == "  abcdefghij\n");
}

}  // namespace
