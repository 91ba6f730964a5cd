#pragma once
// kemu.yaml's filter_criteria: YAML patterns to validated JSON text (core/filter_pattern.h).
// Only config*.cc include this (it needs yaml-cpp).

#include <functional>
#include <string>
#include <vector>

#include <yaml-cpp/yaml.h>

namespace kemu {

using ConfigErrorSink =
    std::function<void(const YAML::Node& node, const std::string& key, const std::string& msg)>;

// Reads a list of patterns (each a mapping) into `out` as JSON text; reports each bad pattern
// with the node and dotted key of the entry at fault and AWS's message.
void parse_filter_criteria(const YAML::Node& list, const std::string& path,
                           const ConfigErrorSink& error, std::vector<std::string>* out);

}  // namespace kemu
