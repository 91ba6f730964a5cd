// A scenario's topology: overrides applied to a copy of its kemu.yaml, handler paths kept, and
// every flow a step names checked against it.

#include "scenario/topology.h"

#include <fstream>

#include <catch2/catch.hpp>

#include "scenario/scenario.h"
#include "support/temp_dir.h"

namespace {

using kemu::scenario::Scenario;
using kemu::scenario::Topology;

struct Files {
    kemu::testing::TempDir dir{"kemu-scenario-topology"};
    Files() {
        std::filesystem::create_directories(dir.path / "lambda/orders");
        std::ofstream(dir.path / "kemu.yaml")
            << "version: 1\nevent_flows:\n  - event_type: orders\n"
               "    lambda_source_path: lambda/orders\n    batch_size: 100\n";
    }
    // Parses `text` as dir/s.yaml and prepares its topology; the errors as printed.
    std::vector<std::string> prepare(const std::string& text, Topology* out,
                                     const std::string& default_config = "") {
        std::ofstream(dir.path / "s.yaml") << text;
        Scenario sc;
        auto errors = kemu::scenario::load_scenario((dir.path / "s.yaml").string(), &sc);
        REQUIRE(errors.empty());
        std::vector<std::string> printed;
        for (const auto& e : kemu::scenario::prepare_topology(sc, default_config, out))
            printed.push_back(e.to_string());
        return printed;
    }
};

}  // namespace

TEST_CASE("flow overrides reach the scenario's copy of kemu.yaml", "[scenario]") {
    Files f;
    Topology t;
    auto errors = f.prepare(
        "topology: kemu.yaml\nflows:\n  orders: {batch_size: 7, max_retry_attempts: 1}\n"
        "steps:\n  - send: {event_type: orders, body: x}\n",
        &t);
    REQUIRE(errors.empty());
    REQUIRE(t.config.event_flows.size() == 1);
    CHECK(t.config.event_flows[0].batch_size == 7);
    CHECK(t.config.event_flows[0].max_retry_attempts == 1);
    // The handler path is absolute in the copy, so it runs from any folder.
    CHECK(t.yaml.find((f.dir.path / "lambda/orders").string()) != std::string::npos);
}

TEST_CASE("without a topology, kemu test -c is the default, without either, an error",
          "[scenario]") {
    Files f;
    Topology t;
    auto cfg = (f.dir.path / "kemu.yaml").string();
    CHECK(f.prepare("steps:\n  - send: {event_type: orders, body: x}\n", &t, cfg).empty());
    auto errors = f.prepare("steps:\n  - send: {event_type: orders, body: x}\n", &t);
    REQUIRE(errors.size() == 1);
    CHECK(errors[0].ends_with(
        ":1: topology: names no kemu.yaml, and kemu test was given no -c; add topology: PATH"));
}

TEST_CASE("a flow that the topology lacks is an error at its line", "[scenario]") {
    Files f;
    Topology t;
    auto errors = f.prepare(
        "topology: kemu.yaml\nflows:\n  refunds: {batch_size: 2}\nsteps:\n"
        "  - send: {event_type: orders, body: x}\n",
        &t);
    REQUIRE(errors.size() == 1);
    CHECK(errors[0].find("s.yaml:3: flows.refunds: no event flow 'refunds' in") !=
          std::string::npos);
    errors = f.prepare(
        "topology: kemu.yaml\nsteps:\n  - send: {event_type: orders, body: x}\n"
        "  - expect:\n      - dlq: {flow: refunds, count: 0}\n",
        &t);
    REQUIRE(errors.size() == 1);
    CHECK(errors[0].find("s.yaml:5: steps[1].expect[0]: no event flow 'refunds'") !=
          std::string::npos);
}

TEST_CASE("parallelization and record age overrides are checked as kemu.yaml's", "[scenario]") {
    Files f;
    Topology t;
    auto errors = f.prepare(
        "topology: kemu.yaml\nflows:\n"
        "  orders: {parallelization_factor: 4, maximum_record_age_seconds: 120}\n"
        "steps:\n  - send: {event_type: orders, body: x}\n",
        &t);
    REQUIRE(errors.empty());
    CHECK(t.config.event_flows[0].parallelization_factor == 4);
    CHECK(t.config.event_flows[0].maximum_record_age_seconds == 120);
    // 30 is inside the scenario's range check but not one of AWS's two ranges.
    errors = f.prepare(
        "topology: kemu.yaml\nflows:\n  orders: {maximum_record_age_seconds: 30}\n"
        "steps:\n  - send: {event_type: orders, body: x}\n",
        &t);
    REQUIRE(errors.size() == 1);
    CHECK(errors[0].find("maximum_record_age_seconds: must be -1 or between 60 and 604800 (got "
                         "30) (after the scenario's flows overrides)") != std::string::npos);
}

TEST_CASE("a starting_position override drops the file's AT_TIMESTAMP timestamp", "[scenario]") {
    Files f;
    std::ofstream(f.dir.path / "kemu.yaml")
        << "version: 1\nevent_flows:\n  - event_type: orders\n"
           "    lambda_source_path: lambda/orders\n    starting_position: AT_TIMESTAMP\n"
           "    starting_position_timestamp: 1718031302\n";
    Topology t;
    auto errors = f.prepare(
        "topology: kemu.yaml\nflows:\n  orders: {starting_position: TRIM_HORIZON}\n"
        "steps:\n  - send: {event_type: orders, body: x}\n",
        &t);
    REQUIRE(errors.empty());
    CHECK(t.config.event_flows[0].starting_position == "TRIM_HORIZON");
    CHECK_FALSE(t.config.event_flows[0].starting_position_timestamp_ms.has_value());
}
