#include "config_mapping.h"

#include <cstdio>
#include <ctime>
#include <regex>
#include <set>

namespace kemu::config_detail {
namespace {

// AWS: the variables Lambda sets itself and refuses in a function's configuration
// (https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html).
const std::set<std::string> kReservedVariables = {
    "_HANDLER",
    "_X_AMZN_TRACE_ID",
    "AWS_DEFAULT_REGION",
    "AWS_REGION",
    "AWS_EXECUTION_ENV",
    "AWS_LAMBDA_FUNCTION_NAME",
    "AWS_LAMBDA_FUNCTION_MEMORY_SIZE",
    "AWS_LAMBDA_FUNCTION_VERSION",
    "AWS_LAMBDA_INITIALIZATION_TYPE",
    "AWS_LAMBDA_LOG_GROUP_NAME",
    "AWS_LAMBDA_LOG_STREAM_NAME",
    "AWS_ACCESS_KEY",
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_LAMBDA_RUNTIME_API",
    "LAMBDA_TASK_ROOT",
    "LAMBDA_RUNTIME_DIR",
};

// AWS: all variables together, measured as the JSON object of them, at most 4 KB.
constexpr size_t kMaxEnvironmentBytes = 4096;

std::string json_string(const std::string& s) {
    std::string out = "\"";
    for (unsigned char c : s) {
        if (c == '"' || c == '\\') {
            out += '\\';
            out += static_cast<char>(c);
        } else if (c < 0x20) {
            char buf[8];
            std::snprintf(buf, sizeof buf, "\\u%04x", c);
            out += buf;
        } else {
            out += static_cast<char>(c);
        }
    }
    return out + "\"";
}

}  // namespace

std::optional<int64_t> parse_timestamp(const std::string& text) {
    static const std::regex unix_seconds(R"((\d{1,12})(\.(\d+))?)");
    static const std::regex iso(
        R"((\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(\.(\d+))?([Zz]|([+-])(\d{2}):?(\d{2})))");
    std::smatch m;
    auto millis = [](const std::string& frac) {
        std::string f = (frac + "000").substr(0, 3);
        return int64_t{std::stoi(f)};
    };
    if (std::regex_match(text, m, unix_seconds)) {
        return std::stoll(m[1].str()) * 1000 + (m[3].matched ? millis(m[3].str()) : 0);
    }
    if (!std::regex_match(text, m, iso)) return std::nullopt;
    std::tm tm{};
    tm.tm_year = std::stoi(m[1].str()) - 1900;
    tm.tm_mon = std::stoi(m[2].str()) - 1;
    tm.tm_mday = std::stoi(m[3].str());
    tm.tm_hour = std::stoi(m[4].str());
    tm.tm_min = std::stoi(m[5].str());
    tm.tm_sec = std::stoi(m[6].str());
    std::tm check = tm;
    time_t secs = timegm(&tm);
    // timegm normalises 2024-02-30 into March: such a date is not a date.
    if (tm.tm_mday != check.tm_mday || tm.tm_mon != check.tm_mon || tm.tm_hour != check.tm_hour ||
        tm.tm_min != check.tm_min || tm.tm_sec != check.tm_sec)
        return std::nullopt;
    int64_t offset_s = 0;
    if (m[10].matched) {
        offset_s = (std::stoll(m[11].str()) * 3600 + std::stoll(m[12].str()) * 60) *
                   (m[10].str() == "-" ? -1 : 1);
    }
    return (int64_t{secs} - offset_s) * 1000 + (m[8].matched ? millis(m[8].str()) : 0);
}

void read_starting_timestamp(const YAML::Node& n, const std::string& path, const ErrorFn& error,
                             std::optional<int64_t>* out) {
    if (!n.IsScalar()) {
        error(n, path, "must be an ISO-8601 time or Unix seconds");
        return;
    }
    auto ms = parse_timestamp(n.Scalar());
    if (!ms) {
        error(n, path,
              "must be an ISO-8601 time such as 2024-06-10T14:55:02Z, or Unix seconds (got '" +
                  n.Scalar() + "')");
        return;
    }
    *out = *ms;
}

void read_record_age(const YAML::Node& n, const std::string& path, const ErrorFn& error, int* out) {
    long v = 0;
    bool ok = n.IsScalar();
    if (ok) {
        try {
            v = n.as<long>();
        } catch (const YAML::Exception&) {
            ok = false;
        }
    }
    if (!ok) {
        error(n, path, "must be an integer (got '" + (n.IsScalar() ? n.Scalar() : "") + "')");
        return;
    }
    // AWS: -1 keeps records until they expire; 0..59 are refused although -1..604800 is the
    // documented range.
    if (v != -1 && (v < 60 || v > 604800)) {
        error(n, path, "must be -1 or between 60 and 604800 (got " + std::to_string(v) + ")");
        return;
    }
    *out = static_cast<int>(v);
}

void read_environment_variables(const YAML::Node& n, const std::string& path, const ErrorFn& error,
                                std::map<std::string, std::string>* out) {
    if (!n.IsMap()) {
        error(n, path, "must be a mapping of names to strings");
        return;
    }
    static const std::regex key_pattern("[a-zA-Z]([a-zA-Z0-9_])+");
    std::map<std::string, std::string> vars;
    bool ok = true;
    for (const auto& kv : n) {
        std::string key = kv.first.as<std::string>("");
        std::string kp = path + "." + key;
        if (!std::regex_match(key, key_pattern)) {
            error(kv.first, kp,
                  "1 validation error detected: Value at 'environment.variables' failed to "
                  "satisfy constraint: Map keys must satisfy constraint: [Member must satisfy "
                  "regular expression pattern: [a-zA-Z]([a-zA-Z0-9_])+]");
            ok = false;
            continue;
        }
        if (kReservedVariables.count(key)) {
            error(kv.first, kp,
                  "Lambda was unable to configure your environment variables because the "
                  "environment variables you have provided contains reserved keys that are "
                  "currently not supported for modification. Reserved keys used in this "
                  "request: " +
                      key);
            ok = false;
            continue;
        }
        if (kv.second.IsNull()) {
            vars[key] = "";
        } else if (kv.second.IsScalar()) {
            vars[key] = kv.second.Scalar();
        } else {
            error(kv.second, kp, "must be a string");
            ok = false;
        }
    }
    if (!ok) return;
    std::string measured = "{";
    for (const auto& [k, v] : vars)
        measured += (measured.size() > 1 ? "," : "") + json_string(k) + ":" + json_string(v);
    measured += "}";
    if (measured.size() > kMaxEnvironmentBytes) {
        error(n, path,
              "Lambda was unable to configure your environment variables because the "
              "environment variables you have provided exceeded the 4KB limit. String "
              "measured: " +
                  measured);
        return;
    }
    *out = std::move(vars);
}

void check_mapping_combinations(const YAML::Node& flow, const std::string& path,
                                const ErrorFn& error, FlowConfig* f) {
    if (!flow.IsMap()) return;
    auto ts = flow["starting_position_timestamp"];
    bool has_ts = ts && !ts.IsNull();
    if (f->starting_position == "AT_TIMESTAMP" && !has_ts) {
        error(flow["starting_position"], path + ".starting_position_timestamp",
              "is required when starting_position is AT_TIMESTAMP");
    } else if (f->starting_position != "AT_TIMESTAMP" && has_ts) {
        error(ts, path + ".starting_position_timestamp",
              "is only valid with starting_position: AT_TIMESTAMP (starting_position is " +
                  f->starting_position + ")");
        f->starting_position_timestamp_ms.reset();
    }
    if (f->stream_mode == "ON_DEMAND") {
        auto sc = flow["shard_count"];
        if (sc && !sc.IsNull()) {
            error(sc, path + ".shard_count",
                  "cannot be set with stream_mode: ON_DEMAND (an on-demand stream starts with "
                  "4 shards)");
        }
        // AWS: an on-demand stream created without a shard count has 4 shards.
        f->shard_count = 4;
    }
}

}  // namespace kemu::config_detail
