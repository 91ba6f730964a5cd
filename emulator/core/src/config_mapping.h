#pragma once
// The checks of an event flow's mapping and function settings that need more than a range
// (docs/kemu-yaml.md, event_flows[]): AT_TIMESTAMP's timestamp, the record age's two ranges,
// stream_mode's shard count, and Lambda's rules on environment variables. Private to config.cc.

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>

#include <yaml-cpp/yaml.h>

#include "core/config.h"

namespace kemu::config_detail {

// Reports one error at `node`'s line, under the dotted `key`.
using ErrorFn =
    std::function<void(const YAML::Node& node, const std::string& key, const std::string& message)>;

// "2024-06-10T14:55:02Z", "2024-06-10T14:55:02.118+02:00" or Unix seconds ("1718031302",
// "1718031302.5"), to ms since the epoch; nullopt when it is none of these.
std::optional<int64_t> parse_timestamp(const std::string& text);

void read_starting_timestamp(const YAML::Node& n, const std::string& path, const ErrorFn& error,
                             std::optional<int64_t>* out);
void read_record_age(const YAML::Node& n, const std::string& path, const ErrorFn& error, int* out);
void read_environment_variables(const YAML::Node& n, const std::string& path, const ErrorFn& error,
                                std::map<std::string, std::string>* out);

// Rules between keys of one flow, after its keys were read.
void check_mapping_combinations(const YAML::Node& flow, const std::string& path,
                                const ErrorFn& error, FlowConfig* f);

}  // namespace kemu::config_detail
