#include "overrides.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <filesystem>

#include <yaml-cpp/yaml.h>

namespace kemu::load {

namespace fs = std::filesystem;

const std::vector<std::string>& override_keys() {
    static const std::vector<std::string> kKeys{"shard_count",          "batch_size",
                                                "batch_window_seconds", "parallelization_factor",
                                                "lambda_memory_size",   "lambda_timeout"};
    return kKeys;
}

std::optional<Override> parse_override(const std::string& text, std::string* why) {
    auto eq = text.find('=');
    Override o;
    o.key = text.substr(0, eq);
    const auto& keys = override_keys();
    if (eq == std::string::npos || std::find(keys.begin(), keys.end(), o.key) == keys.end()) {
        std::string known;
        for (const auto& k : keys)
            known += (known.empty() ? "" : ", ") + k;
        *why = "--set '" + text + "': KEY=VALUE with KEY one of " + known;
        return std::nullopt;
    }
    auto v = std::string_view(text).substr(eq + 1);
    auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), o.value);
    if (v.empty() || ec != std::errc() || p != v.data() + v.size()) {
        *why = "--set '" + text + "': the value must be an integer";
        return std::nullopt;
    }
    return o;
}

std::optional<std::vector<std::vector<Override>>> plan_sweep(const std::vector<std::string>& sweeps,
                                                             std::string* why) {
    constexpr size_t kMaxPoints = 64;
    std::vector<std::vector<Override>> points{{}};
    std::vector<std::string> keys;
    for (const auto& text : sweeps) {
        auto eq = text.find('=');
        std::vector<Override> values;
        size_t pos = eq == std::string::npos ? text.size() : eq + 1;
        while (pos < text.size()) {
            auto comma = text.find(',', pos);
            auto one =
                text.substr(0, eq) + "=" +
                text.substr(pos, comma == std::string::npos ? std::string::npos : comma - pos);
            auto o = parse_override(one, why);
            if (!o) {
                *why = "--sweep '" + text + "': " + *why;
                return std::nullopt;
            }
            values.push_back(*o);
            if (comma == std::string::npos) break;
            pos = comma + 1;
        }
        if (values.empty()) {
            *why = "--sweep '" + text + "': KEY=V1,V2,...";
            return std::nullopt;
        }
        if (std::find(keys.begin(), keys.end(), values.front().key) != keys.end()) {
            *why = "--sweep '" + text + "': " + values.front().key + " is swept twice";
            return std::nullopt;
        }
        keys.push_back(values.front().key);
        std::vector<std::vector<Override>> next;
        for (const auto& p : points) {
            for (const auto& v : values) {
                next.push_back(p);
                next.back().push_back(v);
            }
        }
        if (next.size() > kMaxPoints) {
            *why = "--sweep: more than 64 points";
            return std::nullopt;
        }
        points = std::move(next);
    }
    return points;
}

std::vector<ConfigError> apply_overrides(const std::string& path, const std::string& flow,
                                         const std::vector<Override>& overrides, std::string* yaml,
                                         Config* cfg, const HandlerSwap* swap) {
    auto abs = fs::absolute(path).lexically_normal().string();
    Config original;
    auto errors = load_config(abs, &original);
    if (!errors.empty()) return errors;
    YAML::Node root = YAML::LoadFile(abs);
    for (auto f : root["event_flows"]) {
        if (f["event_type"].as<std::string>("") == flow) {
            for (const auto& o : overrides)
                f[o.key] = o.value;
            if (swap) {
                f["lambda_runtime"] = swap->runtime;
                f["lambda_source_path"] = swap->source_dir;
                f["lambda_handler"] = swap->handler;
            }
        }
        fs::path src = f["lambda_source_path"].as<std::string>("");
        if (src.is_relative())
            f["lambda_source_path"] =
                (fs::path(original.base_dir) / src).lexically_normal().string();
    }
    YAML::Emitter emitter;
    emitter << root;
    *yaml = emitter.c_str();
    errors = parse_config(*yaml, abs, cfg);
    for (auto& e : errors)
        e.message += " (after --set)";
    return errors;
}

// --volumes "10,100,1000": events/s each above 0; empty with `why` set when malformed.
std::vector<double> parse_volumes(const std::string& text, std::string* why) {
    std::vector<double> out;
    size_t pos = 0;
    while (pos <= text.size()) {
        auto comma = text.find(',', pos);
        auto part = text.substr(pos, comma == std::string::npos ? std::string::npos : comma - pos);
        char* end = nullptr;
        double v = std::strtod(part.c_str(), &end);
        if (part.empty() || end != part.c_str() + part.size() || !(v > 0) || v > 1e6) {
            *why = "--volumes '" + text + "': events/s above 0, like 50,500,2000";
            return {};
        }
        out.push_back(v);
        if (comma == std::string::npos) break;
        pos = comma + 1;
    }
    return out;
}

std::vector<std::string> default_recommend_grid(double events_per_s) {
    // A shard takes 1,000 records/s: the fewest shards that could carry the volume, and twice
    // that; two batch sizes and two windows around the seed's table.
    int shards = std::max(1, static_cast<int>(std::ceil(events_per_s / 1000.0)));
    return {"shard_count=" + std::to_string(shards) + "," + std::to_string(2 * shards),
            "batch_size=100,500", "batch_window_seconds=0,1"};
}

}  // namespace kemu::load
