#include "overrides.h"

#include <algorithm>
#include <charconv>
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

std::vector<ConfigError> apply_overrides(const std::string& path, const std::string& flow,
                                         const std::vector<Override>& overrides, std::string* yaml,
                                         Config* cfg) {
    auto abs = fs::absolute(path).lexically_normal().string();
    Config original;
    auto errors = load_config(abs, &original);
    if (!errors.empty()) return errors;
    YAML::Node root = YAML::LoadFile(abs);
    for (auto f : root["event_flows"]) {
        if (f["event_type"].as<std::string>("") == flow) {
            for (const auto& o : overrides)
                f[o.key] = o.value;
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

}  // namespace kemu::load
