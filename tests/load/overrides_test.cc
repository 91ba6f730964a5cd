// kemu load --set: the flow's settings for one run, on a copy of kemu.yaml whose handler paths
// still point at the original folder; bad keys and out-of-range values refused.

#include "load/overrides.h"

#include <fstream>
#include <string>

#include <catch2/catch.hpp>

#include "support/temp_dir.h"

namespace {

using kemu::load::apply_overrides;
using kemu::load::Override;
using kemu::load::parse_override;

constexpr const char* kYaml = R"(version: 1
event_flows:
  - event_type: orders
    lambda_source_path: lambda/orders
    shard_count: 1
  - event_type: clicks
    lambda_source_path: lambda/clicks
)";

TEST_CASE("set parses KEY=VALUE for the flow keys a sweep varies") {
    std::string why;
    auto o = parse_override("shard_count=4", &why);
    REQUIRE(o.has_value());
    CHECK(o->key == "shard_count");
    CHECK(o->value == 4);
    CHECK_FALSE(parse_override("shards=4", &why).has_value());
    CHECK(why.find("batch_window_seconds") != std::string::npos);
    CHECK_FALSE(parse_override("batch_size=lots", &why).has_value());
    CHECK(why.find("integer") != std::string::npos);
    CHECK_FALSE(parse_override("batch_size", &why).has_value());
}

TEST_CASE("set changes only the loaded flow and keeps handler paths absolute") {
    kemu::testing::TempDir dir("kemu-load-set");
    auto path = (dir.path / "kemu.yaml").string();
    std::ofstream(path) << kYaml;
    std::string yaml;
    kemu::Config cfg;
    auto errors =
        apply_overrides(path, "orders", {{"shard_count", 4}, {"batch_size", 500}}, &yaml, &cfg);
    REQUIRE(errors.empty());
    REQUIRE(cfg.event_flows.size() == 2);
    CHECK(cfg.event_flows[0].shard_count == 4);
    CHECK(cfg.event_flows[0].batch_size == 500);
    CHECK(cfg.event_flows[1].shard_count == 1);
    CHECK(cfg.event_flows[1].batch_size == 100);
    CHECK(cfg.event_flows[0].lambda_source_path == (dir.path / "lambda/orders").string());
}

TEST_CASE("set values are checked as kemu.yaml's own") {
    kemu::testing::TempDir dir("kemu-load-set");
    auto path = (dir.path / "kemu.yaml").string();
    std::ofstream(path) << kYaml;
    std::string yaml;
    kemu::Config cfg;
    auto errors = apply_overrides(path, "orders", {{"batch_size", 0}}, &yaml, &cfg);
    REQUIRE(errors.size() == 1);
    CHECK(errors.front().to_string().find("batch_size") != std::string::npos);
    CHECK(errors.front().to_string().find("(after --set)") != std::string::npos);
}

}  // namespace

namespace {

using kemu::load::plan_sweep;

TEST_CASE("a sweep plans the cross product, the first option varying slowest") {
    std::string why;
    auto points = plan_sweep({"batch_size=10,100", "shard_count=1,2,4"}, &why);
    REQUIRE(points.has_value());
    REQUIRE(points->size() == 6);
    CHECK((*points)[0][0].value == 10);
    CHECK((*points)[0][1].value == 1);
    CHECK((*points)[2][1].value == 4);
    CHECK((*points)[3][0].value == 100);
    CHECK((*points)[3][1].value == 1);
    CHECK((*points)[5][0].key == "batch_size");
    CHECK((*points)[5][1].key == "shard_count");
}

TEST_CASE("a sweep refuses unknown keys, bad values, repeats and too many points") {
    std::string why;
    CHECK_FALSE(plan_sweep({"shards=1,2"}, &why).has_value());
    CHECK(why.find("--sweep 'shards=1,2'") != std::string::npos);
    CHECK_FALSE(plan_sweep({"batch_size=10,x"}, &why).has_value());
    CHECK_FALSE(plan_sweep({"batch_size="}, &why).has_value());
    CHECK_FALSE(plan_sweep({"batch_size=1", "batch_size=2"}, &why).has_value());
    CHECK(why.find("swept twice") != std::string::npos);
    CHECK_FALSE(plan_sweep({"batch_size=1,2,3,4,5,6,7,8", "shard_count=1,2,3,4,5,6,7,8,9"}, &why)
                    .has_value());
    CHECK(why.find("64 points") != std::string::npos);
    auto none = plan_sweep({}, &why);
    REQUIRE(none.has_value());
    CHECK(none->size() == 1);  // one point: the file as it is
}

TEST_CASE("recommend volumes parse as events per second and refuse the rest") {
    std::string why;
    CHECK(kemu::load::parse_volumes("50,500,2000", &why) == std::vector<double>{50, 500, 2000});
    CHECK(kemu::load::parse_volumes("0.5", &why) == std::vector<double>{0.5});
    for (const char* bad : {"", "10,,20", "0", "-5", "fast", "10,2e7"}) {
        CHECK(kemu::load::parse_volumes(bad, &why).empty());
        CHECK(why.find("--volumes") != std::string::npos);
    }
}

TEST_CASE("the default recommend grid sizes shards to the volume") {
    CHECK(kemu::load::default_recommend_grid(10) ==
          std::vector<std::string>{"shard_count=1,2", "batch_size=100,500",
                                   "batch_window_seconds=0,1"});
    CHECK(kemu::load::default_recommend_grid(2500).front() == "shard_count=3,6");
    std::string why;
    auto points = kemu::load::plan_sweep(kemu::load::default_recommend_grid(1000), &why);
    REQUIRE(points.has_value());
    CHECK(points->size() == 8);
}

}  // namespace
