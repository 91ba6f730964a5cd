// The front door's run-time options: API key values from the environment or generated, the
// account throttle flag, the API id flag, and the retired KEMU_APIGW_* variables.

#include <map>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "apigw/front_door.h"

using namespace kemu;
using namespace kemu::apigw;

namespace {

Config with_plans() {
    Config c;
    c.api.api_key_required = true;
    UsagePlanConfig gold;
    gold.name = "gold";
    gold.throttle = ThrottleLimits{5, 10};
    gold.quota = QuotaLimits{100, "WEEK"};
    gold.api_keys = {{"web-app", true, 1}, {"old", false, 2}};
    UsagePlanConfig free;
    free.name = "free";
    free.api_keys = {{"cli", true, 3}};
    c.api.usage_plans = {gold, free};
    return c;
}

EnvLookup env_of(const std::map<std::string, std::string>& vars) {
    return [vars](const std::string& name) -> const char* {
        auto it = vars.find(name);
        return it == vars.end() ? nullptr : it->second.c_str();
    };
}

}  // namespace

TEST_CASE("key values come from KEMU_API_KEY_{NAME}, else are generated", "[apigw]") {
    std::vector<ApiKey> keys;
    auto env = env_of({{"KEMU_API_KEY_WEB_APP", "web-secret-0123456789"}});
    REQUIRE(resolve_api_keys(with_plans(), env, &keys).empty());
    REQUIRE(keys.size() == 3);
    CHECK(keys[0].name == "web-app");
    CHECK(keys[0].value == "web-secret-0123456789");
    CHECK_FALSE(keys[0].generated);
    CHECK(keys[0].enabled);
    REQUIRE(keys[0].throttle);
    CHECK(keys[0].throttle->rate == 5);
    CHECK(keys[0].throttle->burst == 10);
    REQUIRE(keys[0].quota);
    CHECK(keys[0].quota->limit == 100);
    CHECK(keys[0].quota->period == QuotaPeriod::kWeek);
    CHECK_FALSE(keys[1].enabled);
    CHECK(keys[1].generated);
    CHECK(keys[2].name == "cli");
    CHECK(keys[2].generated);
    CHECK_FALSE(keys[2].throttle);
    CHECK_FALSE(keys[2].quota);
    // Generated values are random: 32 hex characters, different each time.
    CHECK(keys[2].value.size() == 32);
    CHECK(keys[2].value.find_first_not_of("0123456789abcdef") == std::string::npos);
    CHECK(keys[2].value != keys[1].value);
    std::vector<ApiKey> again;
    REQUIRE(resolve_api_keys(with_plans(), env, &again).empty());
    CHECK(again[2].value != keys[2].value);
}

TEST_CASE("no keys unless they are required, an empty variable is an error", "[apigw]") {
    std::vector<ApiKey> keys;
    Config open = with_plans();
    open.api.api_key_required = false;
    REQUIRE(resolve_api_keys(open, env_of({}), &keys).empty());
    CHECK(keys.empty());
    CHECK(resolve_api_keys(with_plans(), env_of({{"KEMU_API_KEY_CLI", ""}}), &keys) ==
          "KEMU_API_KEY_CLI is set but empty; unset it to have kemu generate a key");
}

TEST_CASE("the --apigw-account-throttle flag is RATE/BURST or off", "[apigw]") {
    std::optional<ThrottleSettings> t;
    REQUIRE(parse_account_throttle("0.5/2", &t).empty());
    REQUIRE(t);
    CHECK(t->rate == 0.5);
    CHECK(t->burst == 2);
    REQUIRE(parse_account_throttle("off", &t).empty());
    CHECK_FALSE(t);
    for (const char* bad : {"10", "x/5", "5/x", "-1/5", "5/-1", "5/", "/5", ""}) {
        INFO(bad);
        CHECK(parse_account_throttle(bad, &t) ==
              "--apigw-account-throttle: expected RATE/BURST (e.g. 10000/5000) or off, got '" +
                  std::string(bad) + "'");
    }
}

TEST_CASE("the --apigw-api-id flag is lower-case letters and digits", "[apigw]") {
    CHECK(check_api_id("abc123defg").empty());
    CHECK(check_api_id("Bad!") ==
          "--apigw-api-id: expected lower-case letters and digits, got 'Bad!'");
    CHECK_FALSE(check_api_id("").empty());
    CHECK_FALSE(check_api_id(std::string(64, 'a')).empty());
}

TEST_CASE("a retired KEMU_APIGW_* variable says what replaced it", "[apigw]") {
    std::string path = "PATH=/bin", quota = "KEMU_APIGW_QUOTA=9/DAY", other = "KEMU_APIGW_NOPE=1";
    char* clean[] = {path.data(), nullptr};
    CHECK(retired_setting_error(clean).empty());
    char* old[] = {path.data(), quota.data(), nullptr};
    CHECK(retired_setting_error(old) ==
          "KEMU_APIGW_QUOTA is no longer read; use api.usage_plans[].quota_settings {limit, "
          "period} in kemu.yaml instead (docs/kemu-yaml.md), and unset KEMU_APIGW_QUOTA");
    char* unknown[] = {other.data(), nullptr};
    CHECK(retired_setting_error(unknown) ==
          "KEMU_APIGW_NOPE is no longer read; use kemu.yaml's api block or a kemu up flag "
          "instead (docs/kemu-yaml.md), and unset KEMU_APIGW_NOPE");
}
