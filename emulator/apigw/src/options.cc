// FrontDoorOptions from `KEMU_APIGW_*` settings, the API id and the access-log path.

#include <cctype>
#include <charconv>
#include <cstdlib>

#include "apigw/front_door.h"
#include "core/encoding.h"

namespace kemu::apigw {
namespace {

bool parse_int(std::string_view s, int64_t* out) {
    auto r = std::from_chars(s.data(), s.data() + s.size(), *out);
    return r.ec == std::errc() && r.ptr == s.data() + s.size();
}

bool parse_double(const std::string& s, double* out) {
    if (s.empty()) return false;
    char* end = nullptr;
    *out = std::strtod(s.c_str(), &end);
    return end == s.c_str() + s.size();
}

// "rate/burst", e.g. "100/200" or "0.5/1".
bool parse_throttle(const std::string& v, ThrottleSettings* out) {
    auto slash = v.find('/');
    if (slash == std::string::npos) return false;
    double rate = 0;
    int64_t burst = 0;
    if (!parse_double(v.substr(0, slash), &rate) || rate < 0) return false;
    if (!parse_int(std::string_view(v).substr(slash + 1), &burst) || burst < 0) return false;
    *out = {rate, burst};
    return true;
}

bool parse_bool(const std::string& v, bool* out) {
    if (v == "true" || v == "1") {
        *out = true;
    } else if (v == "false" || v == "0") {
        *out = false;
    } else {
        return false;
    }
    return true;
}

}  // namespace

std::string access_log_path(const Config& config, const std::string& root) {
    return root + "/logs/aws/apigateway/" + config.api_name() + "/access-logs.log";
}

std::string derive_api_id(const Config& config) {
    static constexpr char kAlphabet[] = "abcdefghijklmnopqrstuvwxyz0123456789";
    auto digest = md5("kemu-rest-api:" + config.api_name());
    std::string id;
    for (int i = 0; i < 10; ++i)
        id += kAlphabet[digest[static_cast<size_t>(i)] % 36];
    return id;
}

std::string default_api_key(const Config& config) {
    return md5_hex("kemu-api-key:" + config.api_name());
}

std::string apply_settings(char** environment, FrontDoorOptions* options) {
    constexpr std::string_view kPrefix = "KEMU_APIGW_";
    for (char** e = environment; e && *e; ++e) {
        std::string_view entry(*e);
        if (!entry.starts_with(kPrefix)) continue;
        auto eq = entry.find('=');
        if (eq == std::string_view::npos) continue;
        auto err = apply_setting(std::string(entry.substr(0, eq)),
                                 std::string(entry.substr(eq + 1)), options);
        if (!err.empty()) return err;
    }
    return {};
}

std::string apply_setting(const std::string& name, const std::string& value, FrontDoorOptions* o) {
    if (name == "KEMU_APIGW_API_KEYS") {
        o->api_keys.clear();
        size_t start = 0;
        while (start <= value.size()) {
            auto comma = value.find(',', start);
            std::string k = value.substr(start, comma - start);
            bool enabled = true;
            if (!k.empty() && k[0] == '!') {
                enabled = false;
                k.erase(0, 1);
            }
            if (k.empty()) return name + ": empty key in '" + value + "'";
            o->api_keys.push_back({k, enabled});
            if (comma == std::string::npos) break;
            start = comma + 1;
        }
        return {};
    }
    if (name == "KEMU_APIGW_QUOTA") {
        auto slash = value.find('/');
        int64_t limit = 0;
        std::string period = slash == std::string::npos ? "" : value.substr(slash + 1);
        if (slash == std::string::npos ||
            !parse_int(std::string_view(value).substr(0, slash), &limit) || limit < 0 ||
            (period != "DAY" && period != "WEEK" && period != "MONTH")) {
            return name + ": expected LIMIT/DAY, LIMIT/WEEK or LIMIT/MONTH, got '" + value + "'";
        }
        o->quota = Quota{limit, period == "DAY"    ? QuotaPeriod::kDay
                                : period == "WEEK" ? QuotaPeriod::kWeek
                                                   : QuotaPeriod::kMonth};
        return {};
    }
    if (name == "KEMU_APIGW_USAGE_PLAN_THROTTLE" || name == "KEMU_APIGW_ACCOUNT_THROTTLE") {
        auto& target =
            name == "KEMU_APIGW_ACCOUNT_THROTTLE" ? o->account_throttle : o->usage_plan_throttle;
        if (value == "off") {
            target.reset();
            return {};
        }
        ThrottleSettings t;
        if (!parse_throttle(value, &t)) {
            return name + ": expected RATE/BURST (e.g. 100/200) or off, got '" + value + "'";
        }
        target = t;
        return {};
    }
    if (name == "KEMU_APIGW_INTEGRATION_RESPONSES") {
        if (value == "recommended") {
            o->integration_responses = IntegrationResponses::kRecommended;
        } else if (value == "default-only") {
            o->integration_responses = IntegrationResponses::kDefaultOnly;
        } else if (value == "none") {
            o->integration_responses = IntegrationResponses::kNone;
        } else {
            return name + ": expected recommended, default-only or none, got '" + value + "'";
        }
        return {};
    }
    if (name == "KEMU_APIGW_PASSTHROUGH") {
        if (value == "NEVER") {
            o->passthrough = Passthrough::kNever;
        } else if (value == "WHEN_NO_TEMPLATES") {
            o->passthrough = Passthrough::kWhenNoTemplates;
        } else if (value == "WHEN_NO_MATCH") {
            o->passthrough = Passthrough::kWhenNoMatch;
        } else {
            return name + ": expected NEVER, WHEN_NO_TEMPLATES or WHEN_NO_MATCH, got '" + value +
                   "'";
        }
        return {};
    }
    if (name == "KEMU_APIGW_GATEWAY_RESPONSE_CORS") {
        if (!parse_bool(value, &o->gateway_response_cors)) {
            return name + ": expected true or false, got '" + value + "'";
        }
        return {};
    }
    if (name == "KEMU_APIGW_API_ID") {
        bool ok = !value.empty() && value.size() <= 63;
        for (char c : value) {
            ok = ok && (std::islower(static_cast<unsigned char>(c)) ||
                        std::isdigit(static_cast<unsigned char>(c)));
        }
        if (!ok) return name + ": expected lower-case letters and digits, got '" + value + "'";
        o->api_id = value;
        return {};
    }
    return name + ": unknown setting (see emulator/apigw/README.md)";
}

}  // namespace kemu::apigw
