// The front door's run-time options, the part that is not in kemu.yaml: API key values (from
// the environment, or generated), the account throttle of `kemu up`, and what replaced the
// retired `KEMU_APIGW_*` variables.

#include <charconv>
#include <cstdlib>

#include "apigw/front_door.h"
#include "core/encoding.h"

namespace kemu::apigw {
namespace {

bool parse_double(const std::string& s, double* out) {
    if (s.empty()) return false;
    char* end = nullptr;
    *out = std::strtod(s.c_str(), &end);
    return end == s.c_str() + s.size();
}

QuotaPeriod quota_period(const std::string& p) {
    if (p == "WEEK") return QuotaPeriod::kWeek;
    if (p == "MONTH") return QuotaPeriod::kMonth;
    return QuotaPeriod::kDay;
}

struct Retired {
    std::string_view name;
    std::string_view replacement;
};

constexpr Retired kRetired[] = {
    {"KEMU_APIGW_API_KEYS",
     "name the keys under api.usage_plans[].api_keys in kemu.yaml and give each value in "
     "KEMU_API_KEY_{NAME}"},
    {"KEMU_APIGW_QUOTA", "api.usage_plans[].quota_settings {limit, period} in kemu.yaml"},
    {"KEMU_APIGW_USAGE_PLAN_THROTTLE",
     "api.usage_plans[].throttle_settings {rate_limit, burst_limit} in kemu.yaml"},
    {"KEMU_APIGW_ACCOUNT_THROTTLE", "kemu up --apigw-account-throttle RATE/BURST|off"},
    {"KEMU_APIGW_INTEGRATION_RESPONSES", "api.integration_responses in kemu.yaml"},
    {"KEMU_APIGW_PASSTHROUGH", "api.passthrough_behavior in kemu.yaml"},
    {"KEMU_APIGW_GATEWAY_RESPONSE_CORS", "api.gateway_response_cors in kemu.yaml"},
    {"KEMU_APIGW_API_ID", "kemu up --apigw-api-id ID"},
};

}  // namespace

std::string resolve_api_keys(const Config& config, const EnvLookup& env, std::vector<ApiKey>* out) {
    out->clear();
    if (!config.api.api_key_required) return {};
    for (const auto& plan : config.api.usage_plans) {
        for (const auto& k : plan.api_keys) {
            ApiKey key;
            key.name = k.name;
            key.enabled = k.enabled;
            if (plan.throttle) {
                key.throttle =
                    ThrottleSettings{plan.throttle->rate_limit, plan.throttle->burst_limit};
            }
            if (plan.quota) key.quota = Quota{plan.quota->limit, quota_period(plan.quota->period)};
            auto variable = api_key_variable(k.name);
            if (const char* v = env(variable)) {
                if (!*v)
                    return variable + " is set but empty; unset it to have kemu generate a key";
                key.value = v;
            } else {
                // AWS generates a key's value when none is given.
                key.value = hex_encode(random_bytes(16));
                key.generated = true;
            }
            out->push_back(std::move(key));
        }
    }
    return {};
}

std::string parse_account_throttle(const std::string& value, std::optional<ThrottleSettings>* out) {
    if (value == "off") {
        out->reset();
        return {};
    }
    auto slash = value.find('/');
    double rate = 0;
    int64_t burst = 0;
    std::string_view b = std::string_view(value).substr(slash == std::string::npos ? 0 : slash + 1);
    auto r = std::from_chars(b.data(), b.data() + b.size(), burst);
    if (slash == std::string::npos || !parse_double(value.substr(0, slash), &rate) || rate < 0 ||
        r.ec != std::errc() || r.ptr != b.data() + b.size() || burst < 0) {
        return "--apigw-account-throttle: expected RATE/BURST (e.g. 10000/5000) or off, got '" +
               value + "'";
    }
    *out = ThrottleSettings{rate, burst};
    return {};
}

std::string check_api_id(const std::string& id) {
    bool ok = !id.empty() && id.size() <= 63;
    for (char c : id)
        ok = ok && ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'));
    if (!ok) return "--apigw-api-id: expected lower-case letters and digits, got '" + id + "'";
    return {};
}

std::string retired_setting_error(char** environment) {
    constexpr std::string_view kPrefix = "KEMU_APIGW_";
    for (char** e = environment; e && *e; ++e) {
        std::string_view entry(*e);
        if (!entry.starts_with(kPrefix)) continue;
        auto name = entry.substr(0, entry.find('='));
        std::string_view replacement = "kemu.yaml's api block or a kemu up flag";
        for (const auto& r : kRetired) {
            if (r.name == name) replacement = r.replacement;
        }
        return std::string(name) + " is no longer read; use " + std::string(replacement) +
               " instead (docs/kemu-yaml.md), and unset " + std::string(name);
    }
    return {};
}

}  // namespace kemu::apigw
