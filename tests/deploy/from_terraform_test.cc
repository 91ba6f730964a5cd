// kemu init --from-terraform: a seed-style root (tests/fixtures/deploy/seed_root) becomes a
// kemu.yaml that kemu accepts, with the same flows and settings; what cannot be translated is
// named with file and line.

#include "deploy/from_terraform.h"

#include <filesystem>

#include <catch2/catch.hpp>

#include "core/config.h"

namespace fs = std::filesystem;
using namespace kemu;

namespace {
const fs::path kRoot = fs::path(KEMU_SOURCE_DIR) / "tests" / "fixtures" / "deploy" / "seed_root";
}

TEST_CASE("init from terraform translates the seed's module blocks", "[deploy]") {
    const auto t = deploy::translate_terraform(kRoot.string(), kRoot.string());
    INFO(t.yaml);
    Config cfg;
    const auto errors = parse_config(t.yaml, (kRoot / "kemu.yaml").string(), &cfg);
    for (const auto& e : errors)
        INFO(e.to_string());
    REQUIRE(errors.empty());
    CHECK(cfg.environment == "staging");  // terraform.tfvars over the variable's default
    CHECK(cfg.project == "events-ingestion");
    REQUIRE(cfg.event_flows.size() == 2);
    const auto& ua = cfg.event_flows[0];
    CHECK(ua.event_type == "user_activity");
    CHECK(ua.lambda_source_path == "lambda/user_activity");
    CHECK(ua.batch_window_seconds == 5);
    CHECK(ua.max_retry_attempts == 3);
    const auto& orders = cfg.event_flows[1];
    CHECK(orders.event_type == "orders");
    CHECK(orders.shard_count == 2);  // var.order_shards from terraform.tfvars
    CHECK(orders.batch_size == 200);
    CHECK(cfg.api.stage_name == "v1");
    CHECK(cfg.api.throttling_rate_limit == 10000);  // var.api_rate_limit's default
}

TEST_CASE("init from terraform names what it cannot translate with file and line", "[deploy]") {
    const auto t = deploy::translate_terraform(kRoot.string(), kRoot.string());
    CHECK(t.problems == std::vector<std::string>{
                            "main.tf:32: module.order_events.max_retry_attempts: expression not "
                            "translated: local.order_retries"});
}
