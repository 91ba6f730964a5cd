// The function log's sink: every line, in the file's order, delivered before line() returns.

#include "function_log.h"

#include <algorithm>
#include <fstream>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <catch2/catch.hpp>

#include "core/clock.h"
#include "support/temp_dir.h"

using namespace kemu::lambda_runner;
using kemu::testing::TempDir;

TEST_CASE("the log sink sees every line in the file's order, before line() returns",
          "[lambda][log]") {
    TempDir dir;
    kemu::ManualClock clock(1'700'000'000'042);
    std::mutex mu;
    std::vector<std::string> seen;
    std::vector<int64_t> stamps;
    auto path = (dir.path / "fn.log").string();
    FunctionLog log(
        "fn", path, /*echo=*/false,
        [&](int64_t ts, std::string_view line) {
            std::lock_guard lock(mu);
            seen.emplace_back(line);
            stamps.push_back(ts);
        },
        clock);
    std::vector<std::string> missing;  // lines not in the sink when line() returned
    auto writer = [&](const std::string& who) {
        for (int i = 0; i < 200; ++i) {
            std::string line = who + " " + std::to_string(i);
            if (i % 2) {
                log.line(line);
            } else {
                FunctionLog::Hold hold(log);
                hold.line(line);
            }
            std::lock_guard lock(mu);
            if (std::find(seen.begin(), seen.end(), line) == seen.end()) missing.push_back(line);
        }
    };
    std::thread a(writer, "a"), b(writer, "b");
    a.join();
    b.join();
    CHECK(missing.empty());
    std::ifstream in(path);
    std::vector<std::string> file;
    for (std::string line; std::getline(in, line);)
        file.push_back(line);
    REQUIRE(file.size() == 400);
    CHECK(seen == file);
    CHECK(std::all_of(stamps.begin(), stamps.end(),
                      [](int64_t ts) { return ts == 1'700'000'000'042; }));
}

TEST_CASE("a Hold's lines reach the sink together, in order", "[lambda][log]") {
    kemu::ManualClock clock;
    std::vector<std::string> seen;
    FunctionLog log(
        "fn", "", false, [&](int64_t, std::string_view line) { seen.emplace_back(line); }, clock);
    {
        FunctionLog::Hold hold(log);
        hold.line("START");
        hold.line("out");
        CHECK(seen.empty());  // not while the log is held
    }
    CHECK(seen == std::vector<std::string>{"START", "out"});
    log.line("END");
    CHECK(seen.back() == "END");
}
